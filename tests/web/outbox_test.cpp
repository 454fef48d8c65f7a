#include <gtest/gtest.h>

#include "web/outbox.hpp"

namespace rcpilot::web {
namespace {

Payload text(const std::string& s) { return std::make_shared<const std::string>(s); }

TEST(WebOutbox, a_busy_browser_gets_only_the_newest_frame) {
  Outbox box;
  box.offer_frame(text("f1"), 1);
  auto first = box.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(*first->data, "f1");
  EXPECT_TRUE(first->binary);
  box.offer_frame(text("f2"), 2);
  box.offer_frame(text("f3"), 3);
  EXPECT_FALSE(box.next()) << "one write in flight at a time";
  box.sent();
  auto second = box.next();
  ASSERT_TRUE(second);
  EXPECT_EQ(*second->data, "f3");
  box.sent();
  EXPECT_FALSE(box.next());
  EXPECT_EQ(box.frames_sent(), 2u);
  EXPECT_EQ(box.frames_replaced(), 1u);
}

TEST(WebOutbox, a_frame_is_never_sent_twice) {
  Outbox box;
  box.offer_frame(text("f5"), 5);
  ASSERT_TRUE(box.next());
  box.sent();
  box.offer_frame(text("f5 again"), 5);
  box.offer_frame(text("f4 late"), 4);
  EXPECT_FALSE(box.next());
}

TEST(WebOutbox, replies_go_before_state_and_state_before_frames) {
  Outbox box;
  box.offer_frame(text("frame"), 1);
  box.offer_state(text("state old"));
  box.offer_state(text("state new"));
  box.push(text("reply"));
  std::vector<std::string> order;
  while (auto m = box.next()) {
    order.push_back(*m->data);
    box.sent();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"reply", "state new", "frame"}));
}

TEST(WebOutbox, the_message_queue_is_bounded_and_counts_what_it_drops) {
  Outbox box(2);
  EXPECT_TRUE(box.push(text("a")));
  EXPECT_TRUE(box.push(text("b")));
  EXPECT_FALSE(box.push(text("c")));
  EXPECT_EQ(box.messages_dropped(), 1u);
}

}  // namespace
}  // namespace rcpilot::web
