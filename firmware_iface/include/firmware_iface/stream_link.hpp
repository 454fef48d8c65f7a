#pragma once
// The machinery every serial MotorLink shares: one I/O thread owns the transport (it writes,
// reads, reconnects); send() only stores the newest setpoint and wakes that thread, so it
// never blocks on I/O. Protocols plug in through the hooks below, all run on the I/O thread.
#include <atomic>
#include <memory>
#include <mutex>

#include "common/pi_mutex.hpp"
#include <thread>

#include "common/clock.hpp"
#include "firmware_iface/byte_transport.hpp"
#include "firmware_iface/motor_link.hpp"

namespace rcpilot::fw {

struct LinkTiming {
  int period_ms = 50;             // idle traffic (heartbeat / repeat / poll) at least this often
  int min_interval_ms = 0;        // never two setpoint writes closer than this (MM1: 25)
  int alive_timeout_ms = 250;     // the link is dead when the board said nothing this long
  int command_timeout_ms = 200;   // host watchdog: no send() this long -> neutral goes out
  int handshake_retry_ms = 200;   // handshake request repeated this often until answered
  int reconnect_min_ms = 100;     // first re-open delay after a loss; doubles per failure
  int reconnect_max_ms = 2000;    // cap of that back-off
};

class StreamLink : public MotorLink {
 public:
  ~StreamLink() override;
  StreamLink(const StreamLink&) = delete;
  StreamLink& operator=(const StreamLink&) = delete;

  // Stores `cmd` (clamped) as the newest setpoint; false while the link is not alive (before
  // the handshake, after a loss) or stopped. Never blocks on I/O, never throws.
  bool send(const DriveCommand& cmd) override;
  // Writes neutral (and disarms where the protocol can), stops the thread, closes the port.
  void stop() override;
  LinkStatus status() const override;
  // Waits (start-up only) until the handshake succeeded; false after `timeout`.
  bool wait_alive(std::chrono::milliseconds timeout) const;
  bool wait_ready(std::chrono::milliseconds timeout) const override { return wait_alive(timeout); }

 protected:
  StreamLink(std::unique_ptr<ByteTransport> transport, const Clock& clock, LinkTiming timing);
  // Derived constructors call start() last; derived destructors call stop() first.
  void start();

  // Hooks, called on the I/O thread only.
  virtual void on_connect(TimePoint now) = 0;          // port (re)opened: reset, ask handshake
  virtual void on_handshake_retry(TimePoint now) = 0;  // still no answer: ask again
  virtual void on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) = 0;
  virtual void write_setpoint(const DriveCommand& cmd, TimePoint now) = 0;
  virtual void write_idle(const DriveCommand& last, TimePoint now) = 0;
  virtual void write_shutdown() = 0;                   // neutral, then disarm if possible

  // For the hooks.
  bool write_bytes(const std::uint8_t* data, std::size_t size);  // false: the link is lost
  void board_heard(TimePoint now);             // any valid frame arrived
  void set_handshake_done(bool done);          // false restarts the handshake
  bool handshake_done() const { return handshake_done_.load(); }
  void count_rx_error();
  // Updates the telemetry part of the status under the lock.
  template <typename F>
  void update_status(F&& f) {
    std::lock_guard<PiMutex> lock(mutex_);
    f(status_);
  }
  const Clock& clock() const { return clock_; }

 private:
  void run();
  void service(TimePoint now);
  bool reconnect();
  void lose_link();
  Duration next_wait(TimePoint now) const;

  std::unique_ptr<ByteTransport> transport_;
  const Clock& clock_;
  LinkTiming timing_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<bool> handshake_done_{false};
  std::atomic<bool> broken_{false};
  std::atomic<bool> alive_{false};

  // Guards status_ and the setpoint hand-off; the SCHED_FIFO control loop takes it in send()
  // and status(), so it inherits priority (common/pi_mutex.hpp).
  mutable PiMutex mutex_;
  LinkStatus status_;
  DriveCommand pending_;      // newest setpoint from send()
  bool has_pending_ = false;
  TimePoint last_send_call_{};

  // I/O thread only.
  DriveCommand last_written_;
  TimePoint last_write_{};
  TimePoint last_heard_{};
  TimePoint last_handshake_try_{};
  bool watchdog_tripped_ = false;
  bool ever_alive_ = false;
  int backoff_ms_ = 0;
};

}  // namespace rcpilot::fw
