#include "common/latest_slot.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace rcpilot {
namespace {

TEST(LatestSlot, reader_sees_only_the_newest_value) {
  LatestSlot<int> slot;
  slot.publish(1);
  slot.publish(2);
  int out = 0;
  std::uint64_t seen = 0;
  ASSERT_TRUE(slot.take_if_newer(out, seen));
  EXPECT_EQ(out, 2);
  EXPECT_FALSE(slot.take_if_newer(out, seen));
}

TEST(LatestSlot, wait_newer_returns_false_when_nothing_arrives) {
  LatestSlot<int> slot;
  int out = 0;
  std::uint64_t seen = 0;
  EXPECT_FALSE(slot.wait_newer(out, seen, std::chrono::milliseconds(1)));
}

TEST(LatestSlot, wait_newer_wakes_on_publish_from_another_thread) {
  LatestSlot<int> slot;
  std::thread writer([&] { slot.publish(7); });
  int out = 0;
  std::uint64_t seen = 0;
  EXPECT_TRUE(slot.wait_newer(out, seen, std::chrono::seconds(10)));
  EXPECT_EQ(out, 7);
  writer.join();
}

}  // namespace
}  // namespace rcpilot
