#include <gtest/gtest.h>

#include <string>

#include "web/io_handoff.hpp"

namespace rcpilot::web {
namespace {

TEST(WebIoHandoff, only_one_drain_is_posted_and_it_gets_the_newest_value) {
  LatestHandoff<int> handoff;
  EXPECT_TRUE(handoff.put(1));
  EXPECT_FALSE(handoff.put(2));
  EXPECT_FALSE(handoff.put(3));
  EXPECT_EQ(handoff.take(), 3);
  EXPECT_EQ(handoff.take(), std::nullopt);
  EXPECT_TRUE(handoff.put(4)) << "after a drain the next value posts again";
}

TEST(WebIoHandoff, the_message_queue_keeps_order_is_bounded_and_counts_drops) {
  QueueHandoff<std::string> handoff(2);
  EXPECT_TRUE(handoff.put("a"));
  EXPECT_FALSE(handoff.put("b"));
  EXPECT_FALSE(handoff.put("c"));
  EXPECT_EQ(handoff.dropped(), 1u);
  EXPECT_EQ(handoff.take(), (std::deque<std::string>{"a", "b"}));
  EXPECT_TRUE(handoff.put("d"));
}

}  // namespace
}  // namespace rcpilot::web
