#include "firmware_iface/pca9685_link.hpp"

#include <cstdio>
#include <thread>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::fw {

namespace {

using std::chrono::milliseconds;

// How often the I/O thread looks at the slot and the deadlines (the hand-off latency bound).
constexpr auto kTick = std::chrono::milliseconds(1);

std::string hex_byte(std::uint8_t v) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02x", static_cast<unsigned>(v));
  return text;
}

std::error_code write_byte(I2cDevice& d, std::uint8_t reg, std::uint8_t value) {
  return d.write_registers(reg, &value, 1);
}

}  // namespace

Pca9685Driver::Pca9685Driver(I2cDevice& device, Pca9685LinkConfig config)
    : device_(device),
      config_(config),
      tick_us_(config.tick_us()),
      backoff_(milliseconds(config.timing.reconnect_min_ms),
               milliseconds(config.timing.reconnect_max_ms)) {}

void Pca9685Driver::service(TimePoint now, const Pca9685Setpoint* fresh) {
  if (state_ == State::kClosed) {
    if (now >= reopen_at_) begin_init(now);
    return;
  }
  if (state_ == State::kRunning && now - last_check_ >= milliseconds(config_.timing.period_ms)) {
    check_mode1(now);  // every period, whether setpoints keep coming or not
  }
  if (state_ == State::kWaking) {
    if (fresh != nullptr && alive_) held_ = *fresh;  // a brown-out's re-initialisation
    if (now - wake_at_ >= std::chrono::microseconds(pca9685::kWakeUpUs)) finish_init(now);
    return;
  }
  if (state_ != State::kRunning) return;  // the check lost the link
  if (fresh != nullptr) {
    last_send_at_ = fresh->sent_at;
    watchdog_tripped_ = false;
    write_command(fresh->cmd, now);
    return;
  }
  if (!watchdog_tripped_ && !last_written_.is_neutral() &&
      now - last_send_at_ >= milliseconds(config_.timing.command_timeout_ms)) {
    watchdog_tripped_ = true;
    ++status_.watchdog_trips;
    write_command(neutral_command(last_written_.tick, now), now);
    return;
  }
  if (now - last_write_ >= milliseconds(config_.timing.period_ms)) {
    write_command(last_written_, now);  // keep-alive: the current pulse again
  }
}

bool Pca9685Driver::write_neutral(TimePoint now) {
  if (!device_.is_open()) return false;
  const DriveCommand neutral = neutral_command(last_written_.tick, now);
  const int st = pca9685::ticks_for(0.0f, config_.steering, tick_us_);
  const int th = pca9685::ticks_for(0.0f, config_.throttle, tick_us_);
  if (write_channels(st, th)) return false;
  record(neutral, st, th);
  return true;
}

bool Pca9685Driver::final_neutral(TimePoint now) {
  if (!device_.is_open() && device_.open()) return false;
  const bool written = write_neutral(now);
  close();
  return written;
}

void Pca9685Driver::close() {
  device_.close();
  state_ = State::kClosed;
  alive_ = false;
}

void Pca9685Driver::begin_init(TimePoint now) {
  if (!device_.is_open()) {
    if (const std::error_code ec = device_.open()) {
      lose(ec, now);
      return;
    }
  }
  // Asleep, PRESCALE may be written; the neutral pulses are in place before the outputs run.
  const auto prescale = static_cast<std::uint8_t>(config_.prescale());
  std::error_code ec =
      write_byte(device_, pca9685::kMode1, pca9685::kSleep | pca9685::kAutoIncrement);
  if (!ec) ec = write_byte(device_, pca9685::kPrescale, prescale);
  if (!ec) {
    ec = write_channels(pca9685::ticks_for(0.0f, config_.steering, tick_us_),
                        pca9685::ticks_for(0.0f, config_.throttle, tick_us_));
  }
  if (!ec) ec = write_byte(device_, pca9685::kMode1, pca9685::kAutoIncrement);  // wake
  if (ec) {
    lose(ec, now);
    return;
  }
  wake_at_ = now;
  state_ = State::kWaking;
}

void Pca9685Driver::finish_init(TimePoint now) {
  if (const std::error_code ec =
          write_byte(device_, pca9685::kMode1, pca9685::kRestart | pca9685::kAutoIncrement)) {
    lose(ec, now);
    return;
  }
  state_ = State::kRunning;
  if (ever_running_) ++status_.reconnects;
  ever_running_ = true;
  alive_ = true;
  backoff_.reset();
  watchdog_tripped_ = false;
  last_send_at_ = now;
  last_check_ = now;
  if (!write_neutral(now)) {
    lose(std::make_error_code(std::errc::io_error), now);
    return;
  }
  last_write_ = now;
  if (held_) {
    const Pca9685Setpoint held = *held_;
    held_.reset();
    service(now, &held);
  }
}

void Pca9685Driver::check_mode1(TimePoint now) {
  last_check_ = now;
  std::uint8_t mode1 = 0;
  if (const std::error_code ec = device_.read_registers(pca9685::kMode1, &mode1, 1)) {
    lose(ec, now);
    return;
  }
  if ((mode1 & pca9685::kSleep) != 0 || (mode1 & pca9685::kAutoIncrement) == 0) {
    // Power-on values: the board browned out, its outputs stopped and PRESCALE is lost.
    last_error_ = device_.describe() + ": MODE1 read back " + hex_byte(mode1) +
                  " (asleep): the board reset (a brown-out?) and was initialised again; "
                  "check its power supply";
    begin_init(now);
  }
}

bool Pca9685Driver::write_command(const DriveCommand& cmd, TimePoint now) {
  const int st = pca9685::ticks_for(cmd.steering_norm, config_.steering, tick_us_);
  const int th = pca9685::ticks_for(cmd.throttle_norm, config_.throttle, tick_us_);
  if (const std::error_code ec = write_channels(st, th)) {
    lose(ec, now);
    return false;
  }
  last_write_ = now;
  record(cmd, st, th);
  return true;
}

void Pca9685Driver::record(const DriveCommand& cmd, int steering_ticks, int throttle_ticks) {
  last_written_ = cmd;
  ++status_.commands_sent;
  status_.last_command = cmd;
  status_.last_output = {pca9685::ticks_to_us(steering_ticks, tick_us_),
                         pca9685::ticks_to_us(throttle_ticks, tick_us_),
                         0.0f,
                         0.0f,
                         static_cast<std::uint16_t>(steering_ticks),
                         static_cast<std::uint16_t>(throttle_ticks)};
}

std::error_code Pca9685Driver::write_channels(int steering_ticks, int throttle_ticks) {
  const auto st = pca9685::led_bytes(steering_ticks);
  const auto th = pca9685::led_bytes(throttle_ticks);
  if (auto ec = device_.write_registers(pca9685::led_register(config_.steering.channel), st.data(),
                                        st.size())) {
    return ec;
  }
  return device_.write_registers(pca9685::led_register(config_.throttle.channel), th.data(),
                                 th.size());
}

void Pca9685Driver::lose(std::error_code ec, TimePoint now) {
  last_error_ = explain_i2c_error(device_.describe(), ec);
  if (alive_) ++status_.link_losses;
  alive_ = false;
  held_.reset();
  if (device_.is_open()) write_neutral(now);  // attempted: the bus may answer again
  device_.close();
  state_ = State::kClosed;
  reopen_at_ = now + backoff_.next();
}

Pca9685Link::Pca9685Link(std::unique_ptr<I2cDevice> device, const Clock& clock,
                         Pca9685LinkConfig config)
    : device_(std::move(device)),
      clock_(clock),
      io_rt_priority_(config.timing.io_rt_priority),
      description_("PCA9685 on " + device_->describe() + ", " +
                   std::to_string(config.frequency_hz) + " Hz (prescale " +
                   std::to_string(config.prescale()) + "), steering channel " +
                   std::to_string(config.steering.channel) + ", throttle channel " +
                   std::to_string(config.throttle.channel)),
      driver_(*device_, config) {
  running_ = true;
  worker_.start([this] { run(); });
}

Pca9685Link::~Pca9685Link() { stop(); }

bool Pca9685Link::send(const DriveCommand& cmd) {
  if (!running_.load(std::memory_order_relaxed) || !alive_.load(std::memory_order_acquire)) {
    send_failures_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  slot_.publish(Pca9685Setpoint{clamped(cmd), clock_.now()});
  return true;
}

void Pca9685Link::stop() {
  if (!running_.exchange(false)) return;
  worker_.stop();
  driver_.final_neutral(clock_.now());  // the I/O thread is gone: this thread owns the driver
  alive_ = false;
  publish_status();
}

LinkStatus Pca9685Link::status() const {
  std::lock_guard<PiMutex> lock(mutex_);
  LinkStatus s = status_;
  s.alive = alive_.load() && running_.load();
  s.send_failures = send_failures_.load();
  return s;
}

std::string Pca9685Link::describe() const { return description_; }

bool Pca9685Link::wait_ready(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!alive_.load() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // start-up only, not logic
  }
  return alive_.load();
}

std::vector<std::string> Pca9685Link::warnings() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return warnings_;
}

std::string Pca9685Link::last_error() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return last_error_;
}

void Pca9685Link::run() {
  const std::string refused = raise_io_priority(pthread_self(), io_rt_priority_);
  if (!refused.empty()) {
    std::lock_guard<PiMutex> lock(mutex_);
    warnings_.push_back(refused);
  }
  do {
    const TimePoint now = clock_.now();
    Pca9685Setpoint fresh;
    const bool has_fresh = slot_.take(fresh);
    const bool was_alive = driver_.alive();
    driver_.service(now, has_fresh ? &fresh : nullptr);
    if (!was_alive && driver_.alive()) {
      Pca9685Setpoint stale;
      slot_.take(stale);  // a setpoint from before a loss never goes out after it
    }
    publish_status();
    alive_.store(driver_.alive(), std::memory_order_release);
    serviced_until_ = now.time_since_epoch().count();
  } while (worker_.wait_for(kTick));
}

void Pca9685Link::publish_status() {
  std::lock_guard<PiMutex> lock(mutex_);
  status_ = driver_.status();
  last_error_ = driver_.last_error();
}

}  // namespace rcpilot::fw
