// BoundedQueue: order, dropping when full, and waking its consumer on push and close.
#include "common/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace rcpilot {
namespace {

using std::chrono::milliseconds;

TEST(BoundedQueue, pops_in_order_and_drops_and_counts_when_full) {
  BoundedQueue<int> queue(2);
  EXPECT_TRUE(queue.try_push(1));
  EXPECT_TRUE(queue.try_push(2));
  EXPECT_FALSE(queue.try_push(3));
  EXPECT_EQ(queue.dropped(), 1u);
  int out = 0;
  ASSERT_TRUE(queue.pop(out, milliseconds(0)));
  EXPECT_EQ(out, 1);
  ASSERT_TRUE(queue.pop(out, milliseconds(0)));
  EXPECT_EQ(out, 2);
  EXPECT_FALSE(queue.pop(out, milliseconds(10)));  // empty: times out
}

TEST(BoundedQueue, a_push_from_another_thread_wakes_a_waiting_pop) {
  BoundedQueue<int> queue(4);
  const auto start = std::chrono::steady_clock::now();
  std::thread producer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    queue.try_push(7);
  });
  int out = 0;
  EXPECT_TRUE(queue.pop(out, std::chrono::seconds(30)));
  producer.join();
  EXPECT_EQ(out, 7);
  EXPECT_LT(std::chrono::steady_clock::now(), start + std::chrono::seconds(10));
}

TEST(BoundedQueue, close_wakes_the_consumer_and_leaves_queued_items_to_pop) {
  BoundedQueue<int> queue(4);
  const auto start = std::chrono::steady_clock::now();
  std::thread closer([&] {
    std::this_thread::sleep_for(milliseconds(20));
    queue.close();
  });
  int out = 0;
  EXPECT_FALSE(queue.pop(out, std::chrono::seconds(30)));
  closer.join();
  EXPECT_LT(std::chrono::steady_clock::now(), start + std::chrono::seconds(10));
  BoundedQueue<int> closed(4);
  closed.try_push(5);
  closed.close();
  EXPECT_TRUE(closed.pop(out, milliseconds(0)));
  EXPECT_EQ(out, 5);
  EXPECT_FALSE(closed.pop(out, milliseconds(0)));
}

}  // namespace
}  // namespace rcpilot
