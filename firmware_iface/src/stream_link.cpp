#include "firmware_iface/stream_link.hpp"

#include <poll.h>
#include <sched.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include "common/cpu_relax.hpp"
#include "common/thread_priority.hpp"
#include "firmware_iface/drive_command.hpp"

namespace rcpilot::fw {

namespace {

using boost::system::error_code;

Duration ms(int v) { return std::chrono::milliseconds(v); }

// How often the logic looks at the slot and the deadlines when nothing is expected, and how
// finely around the moment the control loop's next setpoint is due (its phase is learnt from
// the send times). 1 ms bounds the hand-off latency; the fine ticks bring it to ~0.1 ms.
constexpr Duration kTick = std::chrono::milliseconds(1);
constexpr Duration kFineTick = std::chrono::microseconds(50);
constexpr Duration kLead = std::chrono::microseconds(300);  // start fine ticks this early
constexpr int kFineTicksPerSend = 40;                       // at most 2 ms of fine ticks
// A write that finds the kernel buffer full waits this long for space, then the link is lost.
constexpr int kWriteWaitMs = 20;

// Whether the calling thread runs a real-time policy, asked once per thread (the control loop
// sets its policy before its first send; a thread that changes it later keeps the first answer).
bool on_realtime_thread() {
  thread_local const bool realtime = [] {
    const int policy = ::sched_getscheduler(0);
    return policy == SCHED_FIFO || policy == SCHED_RR;
  }();
  return realtime;
}

bool wait_writable(int fd) {
  pollfd p{fd, POLLOUT, 0};
  return ::poll(&p, 1, kWriteWaitMs) > 0 && (p.revents & POLLOUT) != 0;
}

}  // namespace

std::string raise_io_priority(pthread_t thread, int priority) {
  if (priority <= 0) return "";
  const std::string refused = set_fifo_priority(thread, priority);
  if (refused.empty()) return "";
  return "motor.io_rt_priority " + std::to_string(priority) +
         ": SCHED_FIFO refused for the link's I/O thread (" + refused +
         "); it runs with normal scheduling. Grant CAP_SYS_NICE and LimitRTPRIO (the systemd "
         "unit does) or set motor.io_rt_priority: 0";
}

StreamLink::StreamLink(std::unique_ptr<ByteTransport> transport, const Clock& clock,
                       LinkTiming timing)
    : transport_(std::move(transport)), clock_(clock), timing_(timing) {}

StreamLink::~StreamLink() { stop(); }

void StreamLink::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
  const std::string refused = raise_io_priority(thread_.native_handle(), timing_.io_rt_priority);
  if (!refused.empty()) warnings_.push_back(refused);
  spin_ = timing_.io_rt_priority > 0 && refused.empty();
}

bool StreamLink::send(const DriveCommand& cmd) {
  if (!running_.load(std::memory_order_relaxed) || !alive_.load(std::memory_order_acquire)) {
    send_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  slot_.publish(Handoff{clamped(cmd), clock_.now()});
  if (!on_realtime_thread()) wake_io();
  return true;
}

// A caller that is not real-time may make a system call: waking the I/O thread at once beats
// its polling (bench/RESULTS.md, issue 15). One wake waits at a time.
void StreamLink::wake_io() {
  if (wake_posted_.exchange(true, std::memory_order_acq_rel)) return;
  boost::asio::post(io_, [this] {
    wake_posted_.store(false, std::memory_order_release);
    if (!stopping_ && port_open_) service(clock_.now());
  });
}

void StreamLink::stop() {
  if (!running_.exchange(false)) return;
  boost::asio::post(io_, [this] { shut_down(); });
  if (thread_.joinable()) thread_.join();
}

LinkStatus StreamLink::status() const {
  std::lock_guard<PiMutex> lock(mutex_);
  LinkStatus s = status_;
  s.alive = alive_.load() && running_.load();
  s.send_failures = send_failures_.load();
  s.rc.valid = s.rc.valid && s.alive;
  return s;
}

bool StreamLink::wait_alive(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (alive_.load()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // start-up only, not logic
  }
  return alive_.load();
}

bool StreamLink::write_bytes(const std::uint8_t* data, std::size_t size) {
  if (broken_ || !port_open_) return false;
  std::size_t done = 0;
  while (done < size) {
    error_code ec;
    done += transport_->write_some(data + done, size - done, ec);
    if (!ec) continue;
    if (ec == boost::asio::error::would_block && wait_writable(transport_->native_handle())) {
      continue;
    }
    last_error_ = ec == boost::asio::error::would_block ? boost::asio::error::timed_out : ec;
    broken_ = true;
    return false;
  }
  return true;
}

void StreamLink::board_heard(TimePoint now) { last_heard_ = now; }

void StreamLink::set_handshake_done(bool done) {
  handshake_done_ = done;
  if (!done) {
    alive_ = false;
    return;
  }
  last_heard_ = clock_.now();
  last_write_ = TimePoint{};
  last_written_ = neutral_command(0, last_heard_);  // never repeat a setpoint from before
  watchdog_tripped_ = false;
  Handoff stale;
  slot_.take(stale);  // a setpoint from before the loss is stale
  has_pending_ = false;
  {
    std::lock_guard<PiMutex> lock(mutex_);
    if (ever_alive_) ++status_.reconnects;
  }
  ever_alive_ = true;
  alive_.store(true, std::memory_order_release);  // last: the reconnect is counted by now
}

void StreamLink::count_rx_error() {
  std::lock_guard<PiMutex> lock(mutex_);
  ++status_.rx_errors;
}

void StreamLink::run() {
  const TimePoint now = clock_.now();
  if (transport_->native_handle() >= 0) {
    adopt_port(now);  // opened by the transport's constructor: no second open (DTR resets)
  } else {
    try_open(now);
  }
  arm_tick(now);
  io_.run();
}

void StreamLink::arm_tick(TimePoint now) {
  Duration delay = tick_delay(now);
  if (delay == kFineTick && spin_.load(std::memory_order_relaxed)) {
    wait_fine_tick();
    delay = Duration::zero();
  }
  tick_.expires_after(delay);
  tick_.async_wait([this](const error_code& ec) { on_tick(ec); });
}

// On SCHED_FIFO a timer wake-up still costs the kernel's wake latency, which under load made the
// hand-off's p99 worse than the old pipe wake (bench/RESULTS.md, issue 15). So in the short
// window where the control loop's setpoint is due, the I/O thread watches the slot instead: at
// most kFineTick per turn and kFineTicksPerSend turns per send (about 0.3 ms of a core per
// 20 ms period when the loop is on time, 2 ms when it is late). The bound is real time, like
// the timers' own waits; the link's logic still reads the injected clock.
void StreamLink::wait_fine_tick() {
  const auto until = std::chrono::steady_clock::now() + kFineTick;
  while (!slot_.fresh() && std::chrono::steady_clock::now() < until) cpu_relax();
}

void StreamLink::on_tick(const error_code& ec) {
  if (ec || stopping_) return;
  const TimePoint now = clock_.now();
  if (!port_open_) {
    if (now >= reopen_at_) try_open(now);
  } else {
    service(now);
  }
  serviced_until_ = now.time_since_epoch().count();
  arm_tick(now);
}

Duration StreamLink::tick_delay(TimePoint now) {
  if (!alive_.load() || send_period_ <= Duration::zero() || fine_ticks_left_ <= 0) return kTick;
  const Duration until_due = last_send_call_ + send_period_ - kLead - now;
  if (until_due > kTick) return kTick;
  if (until_due > Duration::zero()) return until_due;
  --fine_ticks_left_;
  return kFineTick;
}

void StreamLink::wait_readable() {
  port_.async_wait(
      boost::asio::posix::stream_descriptor::wait_read,
      [this, generation = generation_](const error_code& ec) { on_readable(ec, generation); });
}

void StreamLink::on_readable(const error_code& ec, std::uint64_t generation) {
  if (stopping_ || generation != generation_ || !port_open_) return;
  if (ec) {
    lose_link(ec);
    return;
  }
  const TimePoint now = clock_.now();
  if (!read_available(now)) return;
  service(now);
  if (port_open_) wait_readable();
}

bool StreamLink::read_available(TimePoint now) {
  std::uint8_t buf[512];
  for (;;) {
    error_code ec;
    const std::size_t n = transport_->read_some(buf, sizeof(buf), ec);
    if (n > 0) on_bytes(buf, n, now);
    if (ec == boost::asio::error::would_block) return true;
    if (ec) {
      lose_link(ec);
      return false;
    }
  }
}

void StreamLink::try_open(TimePoint now) {
  if (const error_code ec = transport_->open()) {
    last_error_ = ec;
    backoff_ms_ =
        std::min(std::max(backoff_ms_ * 2, timing_.reconnect_min_ms), timing_.reconnect_max_ms);
    reopen_at_ = now + ms(backoff_ms_);
    return;
  }
  adopt_port(now);
}

void StreamLink::adopt_port(TimePoint now) {
  error_code ec;
  port_.assign(transport_->native_handle(), ec);
  if (ec) {
    last_error_ = ec;
    transport_->close();
    reopen_at_ = now + ms(timing_.reconnect_min_ms);
    return;
  }
  ++generation_;
  port_open_ = true;
  broken_ = false;
  backoff_ms_ = 0;
  on_connect(now);
  last_handshake_try_ = now;
  wait_readable();
}

void StreamLink::service(TimePoint now) {
  take_handoff();
  if (!broken_) {
    if (!handshake_done_.load()) {
      if (now - last_handshake_try_ >= ms(timing_.handshake_retry_ms)) {
        on_handshake_retry(now);
        last_handshake_try_ = now;
      }
    } else if (now - last_heard_ >= ms(timing_.alive_timeout_ms)) {
      lose_link(boost::asio::error::timed_out);
      return;
    } else {
      write_due(now);
    }
  }
  if (broken_) lose_link(last_error_);
}

void StreamLink::take_handoff() {
  Handoff h;
  if (!slot_.take(h)) return;
  const Duration gap = h.sent_at - last_send_call_;
  // The control loop's period, when the sends look periodic (5..200 ms apart), smoothed over
  // about 8 sends so one late tick does not move the window.
  if (gap >= ms(5) && gap <= ms(200)) {
    send_period_ = send_period_ == Duration::zero() ? gap : send_period_ + (gap - send_period_) / 8;
  }
  last_send_call_ = h.sent_at;
  pending_ = h.cmd;
  has_pending_ = handshake_done_.load();
  fine_ticks_left_ = kFineTicksPerSend;
}

bool StreamLink::may_write(const DriveCommand& cmd, Duration since_write) const {
  if (since_write >= ms(timing_.min_interval_ms)) return true;
  // Stopping the car does not wait for the rate limit, only for the board to be ready.
  return cmd.is_neutral() && !last_written_.is_neutral() &&
         since_write >= ms(timing_.neutral_interval_ms);
}

void StreamLink::write_due(TimePoint now) {
  const Duration since = now - last_write_;
  const bool fresh = has_pending_ && may_write(pending_, since);
  if (!fresh && !watchdog_tripped_ && !last_written_.is_neutral() &&
      now - last_send_call_ >= ms(timing_.command_timeout_ms)) {
    watchdog_tripped_ = true;
    update_status([](LinkStatus& s) { ++s.watchdog_trips; });
  }
  DriveCommand cmd;
  if (fresh) {
    cmd = pending_;
    has_pending_ = false;
    watchdog_tripped_ = false;
  } else if (watchdog_tripped_ && may_write(neutral_command(0, now), since)) {
    cmd = neutral_command(last_written_.tick, now);
  } else if (since >= ms(timing_.period_ms)) {
    if (!watchdog_tripped_) {
      if (const auto repeated = write_idle(last_written_, now)) record(*repeated);
      last_write_ = now;
      return;
    }
    cmd = neutral_command(last_written_.tick, now);
  } else {
    return;
  }
  record(write_setpoint(cmd, now));
  last_write_ = now;
}

void StreamLink::record(const SentSetpoint& sent) {
  last_written_ = sent.command;
  update_status([&](LinkStatus& s) {
    ++s.commands_sent;
    s.last_command = sent.command;
    s.last_output = sent.wire;
  });
}

void StreamLink::lose_link(const error_code& why) {
  // Count the loss before clearing alive_, so whoever sees the link dead also sees it counted
  // (alive_ only changes on this thread).
  if (alive_.load()) update_status([](LinkStatus& s) { ++s.link_losses; });
  alive_ = false;
  last_error_ = why;
  if (handshake_done_.load() && !broken_ && port_open_) {
    const TimePoint now = clock_.now();
    record(write_setpoint(neutral_command(last_written_.tick, now), now));
  }
  handshake_done_ = false;
  close_port();
  backoff_ms_ = timing_.reconnect_min_ms;
  reopen_at_ = clock_.now() + ms(backoff_ms_);
}

void StreamLink::close_port() {
  if (port_open_) {
    error_code ignored;
    port_.cancel(ignored);
    port_.release();  // the transport owns the descriptor and closes it
  }
  port_open_ = false;
  broken_ = false;
  ++generation_;
  transport_->close();
}

void StreamLink::shut_down() {
  stopping_ = true;
  tick_.cancel();
  const bool neutral = port_open_ && handshake_done_.load() && !broken_;
  const Duration wait = neutral ? final_neutral_delay(clock_.now()) : Duration::zero();
  if (wait <= Duration::zero()) {
    finish_shutdown(neutral);
    return;
  }
  // Real time, bounded by one board pass: the injected clock may not move while stopping.
  final_neutral_.expires_after(std::min<Duration>(wait, ms(100)));
  final_neutral_.async_wait([this](const error_code&) { finish_shutdown(true); });
}

void StreamLink::finish_shutdown(bool write_neutral) {
  if (write_neutral) {
    const TimePoint now = clock_.now();
    record(write_setpoint(neutral_command(last_written_.tick, now), now));
    write_disarm();
  }
  alive_ = false;
  handshake_done_ = false;
  close_port();
  io_.stop();
}

}  // namespace rcpilot::fw
