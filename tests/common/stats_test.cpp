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

TEST(Histogram, percentiles_over_every_sample_within_one_bin) {
  Histogram h(100.0, 0.01);
  for (int i = 1; i <= 10000; ++i) h.add(i * 0.001);  // 0.001 .. 10 ms
  const auto p = h.summary();
  EXPECT_EQ(p.count, 10000u);
  EXPECT_NEAR(p.p50, 5.0, 0.0101);
  EXPECT_NEAR(p.p99, 9.9, 0.0101);
  EXPECT_DOUBLE_EQ(p.max, 10.0);
  EXPECT_NEAR(p.mean, 5.0005, 1e-9);
}

TEST(Histogram, samples_beyond_the_range_land_in_the_top_bin_and_max_stays_exact) {
  Histogram h(10.0, 1.0);
  h.add(3.5);
  h.add(250.0);
  const auto p = h.summary();
  EXPECT_DOUBLE_EQ(p.max, 250.0);
  EXPECT_DOUBLE_EQ(p.p50, 4.0);
  EXPECT_GE(p.p99, 10.0);
}

}  // namespace
}  // namespace rcpilot
