// The control thread's hand-off to the link's I/O thread: newest value wins, each value is taken
// once, and a value is never torn while the writer keeps publishing.
#include "firmware_iface/setpoint_slot.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace rcpilot::fw {
namespace {

// Two copies of one number: a torn read would show them different.
struct Pair {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
};

TEST(SetpointSlot, nothing_is_fresh_until_a_value_is_published_and_then_only_until_taken) {
  SetpointSlot<Pair> slot;
  Pair out;
  EXPECT_FALSE(slot.fresh());
  EXPECT_FALSE(slot.take(out));
  slot.publish({1, 1});
  EXPECT_TRUE(slot.fresh());
  EXPECT_TRUE(slot.fresh()) << "looking does not take it";
  ASSERT_TRUE(slot.take(out));
  EXPECT_EQ(out.a, 1u);
  EXPECT_FALSE(slot.fresh());
  EXPECT_FALSE(slot.take(out)) << "taken once";
}

TEST(SetpointSlot, the_newest_of_several_publishes_is_the_one_taken) {
  SetpointSlot<Pair> slot;
  for (std::uint64_t i = 1; i <= 5; ++i) slot.publish({i, i});
  Pair out;
  ASSERT_TRUE(slot.take(out));
  EXPECT_EQ(out.a, 5u);
  EXPECT_FALSE(slot.take(out));
}

TEST(SetpointSlot, a_reader_racing_a_writer_sees_whole_values_that_never_go_back) {
  SetpointSlot<Pair> slot;
  constexpr std::uint64_t kLast = 200000;
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    for (std::uint64_t i = 1; i <= kLast; ++i) slot.publish({i, i});
    writer_done = true;
  });
  std::uint64_t seen = 0;
  bool whole = true;
  bool forward = true;
  const auto look = [&] {
    Pair out;
    if (!slot.take(out)) return;
    whole = whole && out.a == out.b;
    forward = forward && out.a > seen;
    seen = out.a;
  };
  while (!writer_done) look();  // ends with the writer's bounded loop
  writer.join();
  look();  // the last value stays fresh until taken
  EXPECT_EQ(seen, kLast) << "the last value published is taken";
  EXPECT_TRUE(whole);
  EXPECT_TRUE(forward);
}

}  // namespace
}  // namespace rcpilot::fw
