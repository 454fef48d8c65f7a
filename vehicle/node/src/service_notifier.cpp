#include "node/service_notifier.hpp"

#include <systemd/sd-daemon.h>

namespace rcpilot::vehicle {

WatchdogCheck::WatchdogCheck(Duration period, std::uint64_t heartbeat, TimePoint now)
    : period_(period), last_heartbeat_(heartbeat), next_check_(now + period) {}

bool WatchdogCheck::feed(std::uint64_t heartbeat, TimePoint now) {
  if (now < next_check_) return false;
  const bool moved = heartbeat != last_heartbeat_;
  last_heartbeat_ = heartbeat;
  next_check_ = now + period_;
  return moved;
}

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
  if (stopped_) return;
  stopped_ = true;
  worker_.stop();
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::start_watchdog(std::function<std::uint64_t()> heartbeat) {
  if (!watchdog_enabled() || stopped_) return;
  worker_.start([this, hb = std::move(heartbeat)] { watchdog_loop(hb); });
}

void ServiceNotifier::watchdog_loop(const std::function<std::uint64_t()>& heartbeat) {
  WatchdogCheck check(watchdog_period_, heartbeat(), clock_.now());
  while (worker_.wait_for(check.next_check() - clock_.now())) {
    if (check.feed(heartbeat(), clock_.now())) sd_notify(0, "WATCHDOG=1");
  }
}

}  // namespace rcpilot::vehicle
