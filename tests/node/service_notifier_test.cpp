#include "node/service_notifier.hpp"

#include <gtest/gtest.h>

#include "fake_systemd.hpp"

#include <atomic>
#include <string>
#include <thread>


namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
using testing::count;
using testing::FakeSystemd;

TEST(ServiceNotifier, ready_reaches_the_notify_socket) {
  FakeSystemd systemd(400);
  ServiceNotifier notifier;
  notifier.ready("driving");
  const auto msgs = systemd.receive_for(milliseconds(100));
  EXPECT_EQ(count(msgs, "READY=1"), 1);
  EXPECT_EQ(count(msgs, "STATUS=driving"), 1);
}

TEST(ServiceNotifier, watchdog_is_fed_while_the_heartbeat_advances_and_starves_when_it_stalls) {
  FakeSystemd systemd(400);  // WatchdogSec=0.4 s: checked every 100 ms
  ServiceNotifier notifier;
  ASSERT_TRUE(notifier.watchdog_enabled());
  std::atomic<std::uint64_t> heartbeat{0};
  std::atomic<bool> beating{true};
  std::thread loop([&] {
    while (beating) {
      ++heartbeat;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  notifier.start_watchdog([&] { return heartbeat.load(); });
  const auto alive = systemd.receive_for(milliseconds(600));
  beating = false;  // the loop stalls
  loop.join();
  systemd.receive_for(milliseconds(150));  // a feed already decided may still arrive
  const auto stalled = systemd.receive_for(milliseconds(600));
  notifier.stopping();
  EXPECT_GE(count(alive, "WATCHDOG=1"), 3) << "fed at a quarter of WatchdogSec";
  EXPECT_EQ(count(stalled, "WATCHDOG=1"), 0) << "a stalled loop must starve the watchdog";
}

TEST(ServiceNotifier, without_systemd_nothing_happens) {
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  ServiceNotifier notifier;
  EXPECT_FALSE(notifier.watchdog_enabled());
  notifier.ready("ok");
  notifier.start_watchdog([] { return std::uint64_t{0}; });
  notifier.stopping();
}

}  // namespace
}  // namespace rcpilot::vehicle
