#include "common/stats.hpp"

#include <gtest/gtest.h>

namespace rcpilot {
namespace {

TEST(SampleWindow, summary_of_an_empty_window_is_zero) {
  SampleWindow w(10);
  const auto p = w.summary();
  EXPECT_EQ(p.count, 0u);
  EXPECT_EQ(p.max, 0.0);
}

TEST(SampleWindow, keeps_only_the_newest_samples) {
  SampleWindow w(4);
  for (int i = 1; i <= 10; ++i) w.add(i);
  const auto p = w.summary();
  EXPECT_EQ(p.count, 4u);
  EXPECT_EQ(p.max, 10.0);
  EXPECT_DOUBLE_EQ(p.mean, 8.5);
}

TEST(Summarize, p50_and_p99_follow_the_nearest_rank_rule) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  const auto p = summarize(v);
  EXPECT_EQ(p.p50, 50.0);
  EXPECT_EQ(p.p99, 99.0);
  EXPECT_EQ(p.max, 100.0);
}

}  // namespace
}  // namespace rcpilot
