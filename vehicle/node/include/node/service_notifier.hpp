#pragma once
// Talks to systemd when rcpilot runs as a Type=notify service: READY=1 once the node can drive,
// WATCHDOG=1 while the control loop's heartbeat advances, STOPPING=1 on shutdown. Outside
// systemd (no NOTIFY_SOCKET) every call does nothing.
#include <cstdint>
#include <functional>
#include <string>

#include "common/clock.hpp"
#include "common/worker.hpp"

namespace rcpilot::vehicle {

// The watchdog decision, free of threads and clocks: one check per `period`, and WATCHDOG=1
// only when the heartbeat moved since the previous check, so a stalled loop starves systemd's
// watchdog and systemd restarts the service.
class WatchdogCheck {
 public:
  // `heartbeat` is the value at `now`; the first check is one period later.
  WatchdogCheck(Duration period, std::uint64_t heartbeat, TimePoint now);
  // A wake at `now` with the loop's `heartbeat`: true means send WATCHDOG=1. A wake before
  // next_check() decides nothing (false) and leaves the check where it was.
  bool feed(std::uint64_t heartbeat, TimePoint now);
  // When the next check is due.
  TimePoint next_check() const { return next_check_; }

 private:
  Duration period_;
  std::uint64_t last_heartbeat_;
  TimePoint next_check_;
};

class ServiceNotifier {
 public:
  // Reads NOTIFY_SOCKET and WATCHDOG_USEC/WATCHDOG_PID from the environment (libsystemd).
  ServiceNotifier();
  ~ServiceNotifier();
  ServiceNotifier(const ServiceNotifier&) = delete;
  ServiceNotifier& operator=(const ServiceNotifier&) = delete;

  bool watchdog_enabled() const { return watchdog_period_ > Duration::zero(); }
  // How often the heartbeat is checked: a quarter of WatchdogSec, so WATCHDOG=1 arrives at
  // under half of it. Zero when the watchdog is off.
  Duration check_period() const { return watchdog_period_; }

  // READY=1 with a status line; call once the first frame was inferred.
  void ready(const std::string& status);
  // STATUS=... (shown by systemctl status).
  void status(const std::string& status);
  // STOPPING=1 (once), and the watchdog thread ends.
  void stopping();

  // Starts the watchdog thread, which runs a WatchdogCheck on `heartbeat` every
  // check_period(). No thread when the watchdog is off.
  void start_watchdog(std::function<std::uint64_t()> heartbeat);

 private:
  void watchdog_loop(const std::function<std::uint64_t()>& heartbeat);

  Duration watchdog_period_{};
  SteadyClock clock_;
  Worker worker_;
  bool stopped_ = false;  // STOPPING=1 was sent
};

}  // namespace rcpilot::vehicle
