// WakeFlag: set before or during the wait wakes it at once; otherwise it sleeps to the absolute
// deadline. Timing bounds are generous sanity bounds, not measurements.
#include "common/wake_flag.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rcpilot {
namespace {

using std::chrono::milliseconds;

TimePoint now() { return std::chrono::steady_clock::now(); }

TEST(WakeFlag, a_flag_set_before_the_wait_returns_true_at_once_and_is_cleared) {
  WakeFlag flag;
  flag.set();
  flag.set();  // two sets before a wait are one wake
  EXPECT_TRUE(flag.wait_until(now() + std::chrono::seconds(10)));
  const TimePoint start = now();
  EXPECT_FALSE(flag.wait_until(start + milliseconds(20)));
  EXPECT_GE(now(), start + milliseconds(20));
}

TEST(WakeFlag, sleeps_until_the_absolute_deadline_when_nobody_sets_it) {
  WakeFlag flag;
  const TimePoint deadline = now() + milliseconds(30);
  EXPECT_FALSE(flag.wait_until(deadline));
  EXPECT_GE(now(), deadline);
  EXPECT_FALSE(flag.wait_until(now() - milliseconds(5)));  // a deadline in the past
}

TEST(WakeFlag, another_thread_setting_it_wakes_the_waiter_long_before_the_deadline) {
  WakeFlag flag;
  const TimePoint start = now();
  std::thread setter([&] {
    std::this_thread::sleep_for(milliseconds(20));
    flag.set();
  });
  EXPECT_TRUE(flag.wait_until(start + std::chrono::seconds(30)));
  setter.join();
  EXPECT_LT(now(), start + std::chrono::seconds(10));
}

}  // namespace
}  // namespace rcpilot
