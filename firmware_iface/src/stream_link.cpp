#include "firmware_iface/stream_link.hpp"

#include <algorithm>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::fw {

namespace {

Duration ms(int v) { return std::chrono::milliseconds(v); }

}  // namespace

StreamLink::StreamLink(std::unique_ptr<ByteTransport> transport, const Clock& clock,
                       LinkTiming timing)
    : transport_(std::move(transport)), clock_(clock), timing_(timing) {}

StreamLink::~StreamLink() { stop(); }

void StreamLink::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

bool StreamLink::send(const DriveCommand& cmd) {
  {
    std::lock_guard<PiMutex> lock(mutex_);
    if (!running_.load() || !alive_.load()) {
      ++status_.send_failures;
      return false;
    }
    pending_ = clamped(cmd);
    has_pending_ = true;
    last_send_call_ = clock_.now();
  }
  transport_->interrupt();
  return true;
}

void StreamLink::stop() {
  if (!running_.exchange(false)) return;
  transport_->interrupt();
  if (thread_.joinable()) thread_.join();
}

LinkStatus StreamLink::status() const {
  std::lock_guard<PiMutex> lock(mutex_);
  LinkStatus s = status_;
  s.alive = alive_.load() && running_.load();
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
  if (broken_.load()) return false;
  const IoResult r = transport_->write(data, size);
  if (r.status == IoStatus::kOk) return true;
  broken_ = true;
  return false;
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
  {
    std::lock_guard<PiMutex> lock(mutex_);
    if (ever_alive_) ++status_.reconnects;
    ever_alive_ = true;
    has_pending_ = false;  // a setpoint from before the loss is stale
  }
  alive_ = true;  // last: whoever sees the link alive also sees the reconnect counted
}

void StreamLink::count_rx_error() {
  std::lock_guard<PiMutex> lock(mutex_);
  ++status_.rx_errors;
}

void StreamLink::run() {
  on_connect(clock_.now());
  last_handshake_try_ = clock_.now();
  std::uint8_t buf[512];
  while (running_.load()) {
    if (broken_.load() && !reconnect()) continue;
    const IoResult r = transport_->read(buf, sizeof(buf),
                                        std::chrono::duration_cast<std::chrono::milliseconds>(
                                            next_wait(clock_.now())));
    const TimePoint now = clock_.now();
    if (r.status == IoStatus::kOk) {
      on_bytes(buf, r.bytes, now);
    } else if (r.status != IoStatus::kTimeout) {
      lose_link();
      continue;
    }
    service(now);
    if (broken_.load()) lose_link();
  }
  if (handshake_done_.load() && !broken_.load()) write_shutdown();
  alive_ = false;
  transport_->close();
}

void StreamLink::service(TimePoint now) {
  if (!handshake_done_.load()) {
    if (now - last_handshake_try_ >= ms(timing_.handshake_retry_ms)) {
      on_handshake_retry(now);
      last_handshake_try_ = now;
    }
    return;
  }
  if (now - last_heard_ >= ms(timing_.alive_timeout_ms)) {
    lose_link();
    return;
  }
  DriveCommand cmd;
  bool fresh = false;
  TimePoint last_call;
  {
    std::lock_guard<PiMutex> lock(mutex_);
    fresh = has_pending_ && now - last_write_ >= ms(timing_.min_interval_ms);
    if (fresh) {
      cmd = pending_;
      has_pending_ = false;
    }
    last_call = last_send_call_;
  }
  if (!fresh && !watchdog_tripped_ && !last_written_.is_neutral() &&
      now - last_call >= ms(timing_.command_timeout_ms)) {
    watchdog_tripped_ = true;
    update_status([](LinkStatus& s) { ++s.watchdog_trips; });
  }
  if (fresh) {
    watchdog_tripped_ = false;
  } else if (now - last_write_ >= ms(timing_.period_ms)) {
    if (!watchdog_tripped_) {
      write_idle(last_written_, now);
      last_write_ = now;
      return;
    }
    cmd = neutral_command(last_written_.tick, now);
  } else {
    return;
  }
  write_setpoint(cmd, now);
  last_written_ = cmd;
  last_write_ = now;
  update_status([&](LinkStatus& s) {
    ++s.commands_sent;
    s.last_command = cmd;
  });
}

Duration StreamLink::next_wait(TimePoint now) const {
  TimePoint due;
  if (!handshake_done_.load()) {
    due = last_handshake_try_ + ms(timing_.handshake_retry_ms);
  } else {
    due = std::min(last_write_ + ms(timing_.period_ms), last_heard_ + ms(timing_.alive_timeout_ms));
    std::lock_guard<PiMutex> lock(mutex_);
    if (has_pending_) due = std::min(due, last_write_ + ms(timing_.min_interval_ms));
    if (!watchdog_tripped_ && !last_written_.is_neutral()) {
      due = std::min(due, last_send_call_ + ms(timing_.command_timeout_ms));
    }
  }
  return std::clamp<Duration>(due - now, Duration::zero(), ms(100));
}

void StreamLink::lose_link() {
  // Count the loss before clearing alive_, so whoever sees the link dead also sees it counted
  // (alive_ only changes on this thread).
  const bool was_alive = alive_.load();
  if (was_alive) update_status([](LinkStatus& s) { ++s.link_losses; });
  alive_ = false;
  if (handshake_done_.load() && !broken_.load()) {
    write_setpoint(neutral_command(last_written_.tick, clock_.now()), clock_.now());
  }
  handshake_done_ = false;
  broken_ = true;
  transport_->close();
  backoff_ms_ = timing_.reconnect_min_ms;
}

bool StreamLink::reconnect() {
  // Back off in small slices so stop() is never kept waiting.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(backoff_ms_);
  while (running_.load() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!running_.load()) return false;
  if (!transport_->reopen()) {
    backoff_ms_ = std::min(backoff_ms_ * 2, timing_.reconnect_max_ms);
    return false;
  }
  broken_ = false;
  const TimePoint now = clock_.now();
  on_connect(now);
  last_handshake_try_ = now;
  backoff_ms_ = timing_.reconnect_min_ms;
  return true;
}

}  // namespace rcpilot::fw
