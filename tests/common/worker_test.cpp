// Worker and Backoff: how the node's background threads start, stop and retry. Real time is
// only a hang guard here; nothing checks how long a wait took.
#include "common/worker.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>

namespace rcpilot {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, doubles_per_failure_up_to_the_cap_and_reset_starts_again) {
  Backoff backoff(milliseconds(100), milliseconds(500));
  EXPECT_EQ(backoff.next(), milliseconds(100));
  EXPECT_EQ(backoff.next(), milliseconds(200));
  EXPECT_EQ(backoff.next(), milliseconds(400));
  EXPECT_EQ(backoff.next(), milliseconds(500));
  EXPECT_EQ(backoff.next(), milliseconds(500));
  backoff.reset();
  EXPECT_EQ(backoff.next(), milliseconds(100));
}

TEST(Worker, stop_wakes_a_body_waiting_for_an_hour_and_joins_it) {
  Worker worker;
  std::promise<void> waiting;
  std::atomic<bool> wait_result{true};
  worker.start([&] {
    waiting.set_value();
    wait_result = worker.wait_for(std::chrono::hours(1));
  });
  ASSERT_EQ(waiting.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(worker.running());
  worker.stop();  // would take an hour if stop did not wake the wait
  EXPECT_FALSE(wait_result) << "wait_for says false when stopping";
  EXPECT_FALSE(worker.running());
  EXPECT_TRUE(worker.stopping());
}

TEST(Worker, stop_runs_the_hook_that_unblocks_the_body) {
  Worker worker;
  std::promise<void> unblock;
  std::shared_future<void> released = unblock.get_future().share();
  worker.start([released] { released.wait(); });  // blocked on something wait_for cannot wake
  worker.stop([&unblock] { unblock.set_value(); });
  EXPECT_FALSE(worker.running());
}

TEST(Worker, stop_before_start_and_twice_is_harmless_and_a_worker_can_start_again) {
  Worker worker;
  worker.stop();
  EXPECT_FALSE(worker.running());
  std::atomic<int> runs{0};
  worker.start([&] { ++runs; });
  worker.stop();
  worker.stop();
  worker.start([&] { ++runs; });
  worker.stop();
  EXPECT_EQ(runs, 2);
}

}  // namespace
}  // namespace rcpilot
