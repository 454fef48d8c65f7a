#pragma once
// The machinery every serial MotorLink shares. One I/O thread runs a Boost.Asio io_context: it
// waits for the port to become readable (posix::stream_descriptor on the transport's
// descriptor), and one steady_timer ticks the link's logic (setpoint hand-off, keep-alive,
// alive timeout, handshake retries, re-open back-off). Every deadline is compared with the
// injected Clock, so tests step time; the timer only decides how often the logic looks.
// send() publishes the newest setpoint into a lock-free slot: no system call, no allocation.
// Protocols plug in through the hooks below, all run on the I/O thread.
#include <pthread.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/pi_mutex.hpp"
#include "firmware_iface/byte_transport.hpp"
#include "firmware_iface/motor_link.hpp"
#include "firmware_iface/setpoint_slot.hpp"

namespace rcpilot::fw {

struct LinkTiming {
  int period_ms = 50;            // idle traffic (heartbeat / repeat / poll) at least this often
  int min_interval_ms = 0;       // never two setpoint writes closer than this (MM1: 1000/rate)
  int neutral_interval_ms = 0;   // but a change to neutral may follow the last write this soon
                                 // (MM1: 25, one pass of the board's loop)
  int alive_timeout_ms = 250;    // the link is dead when the board said nothing this long
  int command_timeout_ms = 200;  // host watchdog: no send() this long -> neutral goes out
  int handshake_retry_ms = 200;  // handshake request repeated this often until answered
  int reconnect_min_ms = 100;    // first re-open delay after a loss; doubles per failure
  int reconnect_max_ms = 2000;   // cap of that back-off
  // SCHED_FIFO priority of the link's I/O thread (motor.io_rt_priority); 0: normal scheduling.
  // Just below the control loop's, its 1 ms / 50 us timer wakes preempt other load at once:
  // under normal scheduling each wake waits for a CPU like any other thread (bench/RESULTS.md).
  int io_rt_priority = 0;
};

// Puts a link's I/O `thread` on SCHED_FIFO at `priority` (motor.io_rt_priority; 0: leaves it
// alone). Returns "" or the warning to log once, naming the key and what to do.
std::string raise_io_priority(pthread_t thread, int priority);

// A setpoint as it went out: the command after every override, and the board's own units.
struct SentSetpoint {
  DriveCommand command;
  WireOutput wire;
};

class StreamLink : public MotorLink {
 public:
  ~StreamLink() override;
  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;

  // Publishes `cmd` (clamped) as the newest setpoint; false while the link is not alive
  // (before the handshake, after a loss) or stopped. From a real-time (SCHED_FIFO/RR) thread:
  // no lock, system call or allocation; the I/O thread finds it on its own. From any other
  // thread it also wakes the I/O thread, which then writes at once.
  bool send(const DriveCommand& cmd) override;
  // Writes neutral (and disarms where the protocol can), stops the thread, closes the port.
  // Returns within a few ms (MM1: at most one board pass more), whatever the port is doing.
  void stop() override;
  LinkStatus status() const override;
  std::vector<std::string> warnings() const override { return warnings_; }
  // Waits (start-up only) until the handshake succeeded; false after `timeout`.
  bool wait_alive(std::chrono::milliseconds timeout) const;
  bool wait_ready(std::chrono::milliseconds timeout) const override { return wait_alive(timeout); }
  // The latest injected-clock time the I/O thread has acted on: a test that steps the clock
  // waits for this to catch up before it looks at the wire.
  TimePoint serviced_until() const { return TimePoint(Duration(serviced_until_.load())); }

 protected:
  StreamLink(std::unique_ptr<ByteTransport> transport, const Clock& clock, LinkTiming timing);
  // Derived constructors call start() last; derived destructors call stop() first.
  void start();

  // Hooks, called on the I/O thread only.
  virtual void on_connect(TimePoint now) = 0;          // port (re)opened: reset, ask handshake
  virtual void on_handshake_retry(TimePoint now) = 0;  // still no answer: ask again
  virtual void on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) = 0;
  // Writes `cmd` and says what went out.
  virtual SentSetpoint write_setpoint(const DriveCommand& cmd, TimePoint now) = 0;
  // Idle traffic; a repeated setpoint (MM1, VESC) is returned so the status counts it.
  virtual std::optional<SentSetpoint> write_idle(const DriveCommand& last, TimePoint now) = 0;
  virtual void write_disarm() {}  // after the final neutral, where the protocol can
  // How long the final neutral must wait after the last write (MM1: the rest of a pass).
  virtual Duration final_neutral_delay(TimePoint) const { return Duration::zero(); }

  // For the hooks.
  bool write_bytes(const std::uint8_t* data, std::size_t size);  // false: the link is lost
  void board_heard(TimePoint now);                               // any valid frame arrived
  void set_handshake_done(bool done);                            // false restarts the handshake
  bool handshake_done() const { return handshake_done_.load(); }
  void count_rx_error();
  TimePoint last_write() const { return last_write_; }
  // Updates the telemetry part of the status under the lock.
  template <typename F>
  void update_status(F&& f) {
    std::lock_guard<PiMutex> lock(mutex_);
    f(status_);
  }
  const Clock& clock() const { return clock_; }

 private:
  struct Handoff {
    DriveCommand cmd;
    TimePoint sent_at{};  // when send() was called
  };

  void run();
  void arm_tick(TimePoint now);
  void on_tick(const boost::system::error_code& ec);
  void wake_io();
  void wait_readable();
  void on_readable(const boost::system::error_code& ec, std::uint64_t generation);
  bool read_available(TimePoint now);
  void try_open(TimePoint now);
  void adopt_port(TimePoint now);
  void service(TimePoint now);
  void take_handoff();
  void write_due(TimePoint now);
  bool may_write(const DriveCommand& cmd, Duration since_write) const;
  void record(const SentSetpoint& sent);
  void lose_link(const boost::system::error_code& why);
  void close_port();
  void shut_down();
  void finish_shutdown(bool write_neutral);
  Duration tick_delay(TimePoint now);
  void wait_fine_tick();

  std::unique_ptr<ByteTransport> transport_;
  const Clock& clock_;
  LinkTiming timing_;
  boost::asio::io_context io_;
  boost::asio::posix::stream_descriptor port_{io_};
  boost::asio::steady_timer tick_{io_};
  boost::asio::steady_timer final_neutral_{io_};
  std::thread thread_;
  std::vector<std::string> warnings_;  // set by start(), before anyone can read them
  std::atomic<bool> running_{false};
  std::atomic<bool> handshake_done_{false};
  std::atomic<bool> alive_{false};
  std::atomic<std::uint64_t> send_failures_{0};
  std::atomic<Duration::rep> serviced_until_{0};
  std::atomic<bool> spin_{false};  // the I/O thread runs SCHED_FIFO: fine ticks spin, not sleep
  std::atomic<bool> wake_posted_{false};  // a wake from send() is queued, not run yet
  SetpointSlot<Handoff> slot_;     // control thread -> I/O thread

  // Guards status_; the SCHED_FIFO control loop takes it in status(), so it inherits
  // priority (common/pi_mutex.hpp).
  mutable PiMutex mutex_;
  LinkStatus status_;

  // I/O thread only.
  bool port_open_ = false;
  bool broken_ = false;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;  // bumped per open: stale read completions are ignored
  boost::system::error_code last_error_;
  DriveCommand pending_;  // newest setpoint taken from the slot, not written yet
  bool has_pending_ = false;
  TimePoint last_send_call_{};
  DriveCommand last_written_;
  TimePoint last_write_{};
  TimePoint last_heard_{};
  TimePoint last_handshake_try_{};
  TimePoint reopen_at_{};
  bool watchdog_tripped_ = false;
  bool ever_alive_ = false;
  int backoff_ms_ = 0;
  // Phase of the control loop's sends, to look for the next one just when it is due.
  Duration send_period_{};
  int fine_ticks_left_ = 0;
};

}  // namespace rcpilot::fw
