#pragma once
// MotorLink for a PCA9685 PWM board on I2C (Donkey Car's PWM_STEERING_THROTTLE drive train,
// JetRacer): steering servo and ESC on two of its 16 channels. There is no firmware: the
// board holds its last pulse forever, so this host is the only thing that returns the car to
// neutral (on stop(), destruction, bus errors, the host watchdog; rcpilot-motor neutral
// --once from the service's ExecStopPost after any end of the node).
//
// Pca9685Driver is the logic, on the injected `now`: initialise per datasheet (sleep,
// PRESCALE, neutral pulses, wake, >= 500 us later RESTART with auto-increment), write each
// setpoint to the two channels, every keep-alive period read MODE1 back (SLEEP set: the
// board browned out and lost its registers -> initialise again, counted as a reconnect), and
// rewrite the current pulse when no setpoint came for that long. A bus error loses the link:
// neutral is attempted, the bus is closed and re-opened with the reconnect back-off. Pca9685Link
// runs it on an I/O thread and hands setpoints over through a SetpointSlot: send() makes no system
// call and no allocation.
#include <atomic>
#include <memory>
#include <string>

#include "common/pi_mutex.hpp"
#include "common/worker.hpp"
#include "firmware_iface/i2c_device.hpp"
#include "firmware_iface/pca9685.hpp"
#include "firmware_iface/setpoint_slot.hpp"
#include "firmware_iface/stream_link.hpp"

namespace rcpilot::fw {

struct Pca9685LinkConfig {
  double osc_hz = pca9685::kDefaultOscHz;  // Hz, the chip's oscillator (25 MHz internal)
  int frequency_hz = 60;                   // Hz, PWM frequency (Donkey's default)
  // Donkey's defaults: steering on channel 1, throttle on channel 0.
  pca9685::Channel steering{1, {1000, 1500, 2000, false}, std::nullopt};
  pca9685::Channel throttle{0, {1000, 1500, 2000, false}, std::nullopt};
  // period_ms: keep-alive (MODE1 check, pulse rewrite); command_timeout_ms: host watchdog;
  // reconnect_min/max_ms: re-open back-off; io_rt_priority: the I/O thread's SCHED_FIFO.
  LinkTiming timing;

  int prescale() const { return pca9685::prescale_for(osc_hz, frequency_hz); }
  double tick_us() const { return pca9685::tick_us(osc_hz, prescale()); }
};

// A setpoint handed from the control thread to the I/O thread.
struct Pca9685Setpoint {
  DriveCommand cmd;
  TimePoint sent_at{};  // when send() was called
};

// The link's logic; one thread at a time.
class Pca9685Driver {
 public:
  Pca9685Driver(I2cDevice& device, Pca9685LinkConfig config);
  // One pass at `now`: (re)open and initialise when due, write `fresh` (nullptr: none new),
  // trip the watchdog, keep alive.
  void service(TimePoint now, const Pca9685Setpoint* fresh);
  // Writes neutral to both channels if the bus is open; true when it went out.
  bool write_neutral(TimePoint now);
  // The last word: neutral once more, re-opening the bus if a loss closed it (it may answer
  // again), then closes it. True when neutral went out.
  bool final_neutral(TimePoint now);
  void close();
  // True from the first completed initialisation until a bus error.
  bool alive() const { return alive_; }
  // Counters and the last output; `alive` and `send_failures` are the link's to fill.
  const LinkStatus& status() const { return status_; }
  // What went wrong last, with what to do ("" before any error).
  const std::string& last_error() const { return last_error_; }

 private:
  enum class State { kClosed, kWaking, kRunning };

  void begin_init(TimePoint now);
  void finish_init(TimePoint now);
  void check_mode1(TimePoint now);
  bool write_command(const DriveCommand& cmd, TimePoint now);
  std::error_code write_channels(int steering_ticks, int throttle_ticks);
  void record(const DriveCommand& cmd, int steering_ticks, int throttle_ticks);
  void lose(std::error_code ec, TimePoint now);

  I2cDevice& device_;
  Pca9685LinkConfig config_;
  double tick_us_;
  State state_ = State::kClosed;
  bool alive_ = false;
  bool ever_running_ = false;
  bool watchdog_tripped_ = false;
  Backoff backoff_;
  TimePoint reopen_at_{};
  TimePoint wake_at_{};
  TimePoint last_write_{};
  TimePoint last_check_{};  // MODE1 last read back
  TimePoint last_send_at_{};
  DriveCommand last_written_;
  std::optional<Pca9685Setpoint> held_;  // arrived while re-initialising after a brown-out
  LinkStatus status_;
  std::string last_error_;
};

class Pca9685Link final : public MotorLink {
 public:
  Pca9685Link(std::unique_ptr<I2cDevice> device, const Clock& clock, Pca9685LinkConfig config);
  ~Pca9685Link() override;
  Pca9685Link(const Pca9685Link&) = delete;
  Pca9685Link& operator=(const Pca9685Link&) = delete;

  // Publishes `cmd` (clamped); false while the link is not alive or stopped. No lock, system
  // call or allocation.
  bool send(const DriveCommand& cmd) override;
  // Stops the I/O thread, writes neutral to both channels, closes the bus. Idempotent.
  void stop() override;
  LinkStatus status() const override;
  std::string describe() const override;
  // Start-up only: waits (real time) until the board was initialised.
  bool wait_ready(std::chrono::milliseconds timeout) const override;
  std::vector<std::string> warnings() const override;
  // The latest injected-clock time the I/O thread has acted on (tests step the clock, then
  // wait for this to catch up).
  TimePoint serviced_until() const { return TimePoint(Duration(serviced_until_.load())); }
  // The driver's last error with what to do ("" when none).
  std::string last_error() const;

 private:
  void run();
  void publish_status();

  std::unique_ptr<I2cDevice> device_;
  const Clock& clock_;
  const int io_rt_priority_;
  const std::string description_;
  Pca9685Driver driver_;  // the I/O thread's; the caller's after stop() joined it
  SetpointSlot<Pca9685Setpoint> slot_;
  std::atomic<bool> running_{false};
  std::atomic<bool> alive_{false};
  std::atomic<std::uint64_t> send_failures_{0};
  std::atomic<Duration::rep> serviced_until_{0};
  mutable PiMutex mutex_;  // guards the three below; the control loop reads status()
  LinkStatus status_;
  std::string last_error_;
  std::vector<std::string> warnings_;
  Worker worker_;
};

}  // namespace rcpilot::fw
