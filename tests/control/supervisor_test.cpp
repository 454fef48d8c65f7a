#include "control/supervisor.hpp"

#include <gtest/gtest.h>

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
const TimePoint kT0 = TimePoint{} + std::chrono::seconds(10);

perception::Prediction prediction(std::uint64_t seq, TimePoint captured) {
  perception::Prediction p;
  p.frame_sequence = seq;
  p.captured_at = captured;
  p.valid = true;
  return p;
}

TEST(RateMeter, counts_unique_frames_in_the_last_second) {
  RateMeter meter;
  for (int i = 0; i < 30; ++i) meter.observe(i + 1, kT0 + milliseconds(50 * i));
  // Frames every 50 ms from 0 to 1450 ms; the second back from 1450 ms holds 450..1450: 21.
  EXPECT_FLOAT_EQ(meter.rate_hz(kT0 + milliseconds(1450)), 21.0f);
}

TEST(RateMeter, ignores_repeated_sequences) {
  RateMeter meter;
  for (int i = 0; i < 10; ++i) meter.observe(7, kT0 + milliseconds(i));
  EXPECT_FLOAT_EQ(meter.rate_hz(kT0 + milliseconds(10)), 1.0f);
}

TEST(Supervisor, slow_pilot_is_refused_after_the_first_second) {
  config::PilotConfig cfg;
  cfg.min_rate_hz = 20;
  cfg.stale_after_ms = 1000;
  Supervisor sup(cfg);
  StopReason last = StopReason::kNone;
  // 10 Hz predictions, each checked right after it arrived.
  for (int i = 0; i < 25; ++i) {
    const TimePoint t = kT0 + milliseconds(100 * i);
    last = sup.check_prediction(prediction(i + 1, t), true, t);
    if (i < 10) {
      EXPECT_EQ(last, StopReason::kNone) << "no verdict before a full window, i=" << i;
    }
  }
  EXPECT_EQ(last, StopReason::kPilotRateLow);
}

TEST(Supervisor, a_fast_fresh_pilot_is_allowed) {
  config::PilotConfig cfg;
  Supervisor sup(cfg);
  StopReason last = StopReason::kNone;
  for (int i = 0; i < 100; ++i) {
    const TimePoint t = kT0 + milliseconds(33 * i);
    last = sup.check_prediction(prediction(i + 1, t), true, t + milliseconds(8));
  }
  EXPECT_EQ(last, StopReason::kNone);
}

TEST(LagDetector, flags_a_mean_period_over_the_nominal_divided_by_point_nine) {
  LagDetector lag(20.0);  // limit 22.2 ms
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(lag.add(22.0));
  bool lagging = false;
  for (int i = 0; i < 100; ++i) lagging = lag.add(23.0);
  EXPECT_TRUE(lagging);
  for (int i = 0; i < 100; ++i) lagging = lag.add(20.0);
  EXPECT_FALSE(lagging) << "only the last 100 periods count";
}

}  // namespace
}  // namespace rcpilot::vehicle
