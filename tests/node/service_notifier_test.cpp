#include "node/service_notifier.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fake_systemd.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
using testing::count;
using testing::FakeSystemd;

constexpr Duration kPeriod = milliseconds(100);
const TimePoint kStart = TimePoint{} + std::chrono::seconds(1000);

TEST(WatchdogCheck, feeds_at_each_check_while_the_heartbeat_advances) {
  ManualClock clock(kStart);
  WatchdogCheck check(kPeriod, 0, clock.now());
  EXPECT_EQ(check.next_check(), kStart + kPeriod);
  for (std::uint64_t beat = 1; beat <= 3; ++beat) {
    clock.set(check.next_check());
    EXPECT_TRUE(check.feed(beat * 5, clock.now())) << "check " << beat;
    EXPECT_EQ(check.next_check(), clock.now() + kPeriod);
  }
}

TEST(WatchdogCheck, a_stalled_heartbeat_starves_the_watchdog_until_it_moves_again) {
  ManualClock clock(kStart);
  WatchdogCheck check(kPeriod, 7, clock.now());
  for (int i = 0; i < 3; ++i) {
    clock.set(check.next_check());
    EXPECT_FALSE(check.feed(7, clock.now())) << "check " << i;
  }
  clock.set(check.next_check());
  EXPECT_TRUE(check.feed(8, clock.now()));
}

TEST(WatchdogCheck, a_wake_before_the_check_is_due_decides_nothing) {
  ManualClock clock(kStart);
  WatchdogCheck check(kPeriod, 0, clock.now());
  clock.advance(kPeriod / 2);
  EXPECT_FALSE(check.feed(1, clock.now()));
  EXPECT_EQ(check.next_check(), kStart + kPeriod) << "the early wake moved no check";
  clock.set(check.next_check());
  EXPECT_TRUE(check.feed(1, clock.now())) << "the beat is still compared with the first value";
}

TEST(WatchdogCheck, a_late_check_schedules_the_next_one_period_after_it) {
  ManualClock clock(kStart);
  WatchdogCheck check(kPeriod, 0, clock.now());
  clock.advance(3 * kPeriod);
  EXPECT_TRUE(check.feed(1, clock.now()));
  EXPECT_EQ(check.next_check(), clock.now() + kPeriod) << "no burst of missed checks";
  EXPECT_FALSE(check.feed(2, clock.now()));
}

TEST(ServiceNotifier, ready_reaches_the_notify_socket) {
  FakeSystemd systemd(400);
  ServiceNotifier notifier;
  notifier.ready("driving");
  const auto msgs = systemd.receive_until("READY=1", milliseconds(5000));
  EXPECT_EQ(count(msgs, "READY=1"), 1);
  EXPECT_EQ(count(msgs, "STATUS=driving"), 1);
}

TEST(ServiceNotifier, the_watchdog_thread_feeds_an_advancing_heartbeat_and_stops_on_stopping) {
  FakeSystemd systemd(400);  // WatchdogSec=0.4 s: checked every 100 ms
  ServiceNotifier notifier;
  ASSERT_TRUE(notifier.watchdog_enabled());
  EXPECT_EQ(notifier.check_period(), kPeriod);
  std::uint64_t beat = 0;  // read by the watchdog thread only
  notifier.start_watchdog([&beat] { return ++beat; });
  const auto fed = systemd.receive_until("WATCHDOG=1", milliseconds(5000));
  EXPECT_EQ(count(fed, "WATCHDOG=1"), 1) << "no feed within 5 s";
  notifier.stopping();
  const auto stopping = systemd.receive_until("STOPPING=1", milliseconds(5000));
  EXPECT_EQ(count(stopping, "STOPPING=1"), 1);
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
