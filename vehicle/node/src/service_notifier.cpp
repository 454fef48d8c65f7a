#include "node/service_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace rcpilot::vehicle {

ServiceNotifier::ServiceNotifier() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    watchdog_period_ = std::chrono::microseconds(usec / 4);
  }
}

ServiceNotifier::~ServiceNotifier() { stopping(); }

void ServiceNotifier::ready(const std::string& status) {
  sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void ServiceNotifier::status(const std::string& status) {
  sd_notifyf(0, "STATUS=%s", status.c_str());
}

void ServiceNotifier::stopping() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::start_watchdog(std::function<std::uint64_t()> heartbeat) {
  if (!watchdog_enabled()) return;
  thread_ = std::thread([this, hb = std::move(heartbeat)] { watchdog_loop(hb); });
}

void ServiceNotifier::watchdog_loop(std::function<std::uint64_t()> heartbeat) {
  std::uint64_t last = heartbeat();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, watchdog_period_, [this] { return stop_; })) {
    const std::uint64_t now = heartbeat();
    if (now != last) sd_notify(0, "WATCHDOG=1");
    last = now;
  }
}

}  // namespace rcpilot::vehicle
