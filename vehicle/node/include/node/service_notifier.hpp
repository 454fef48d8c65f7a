#pragma once
// Talks to systemd when rcpilot runs as a Type=notify service: READY=1 once the node can drive,
// WATCHDOG=1 while the control loop's heartbeat advances, STOPPING=1 on shutdown. Outside
// systemd (no NOTIFY_SOCKET) every call does nothing.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"

namespace rcpilot::vehicle {

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
  // STOPPING=1, and the watchdog thread ends.
  void stopping();

  // Starts the watchdog thread: every check_period() it reads `heartbeat` and sends WATCHDOG=1
  // only when the value moved since the last check, so a stalled loop starves the watchdog and
  // systemd restarts the service. No thread when the watchdog is off.
  void start_watchdog(std::function<std::uint64_t()> heartbeat);

 private:
  void watchdog_loop(std::function<std::uint64_t()> heartbeat);

  Duration watchdog_period_{};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace rcpilot::vehicle
