#include "perception/replay_eval.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include <opencv2/core.hpp>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::FakeEngine;
using testing::two_output_metadata;
using testing::TempDir;

// A pilot that always predicts steering 0.5, throttle 0.25.
std::unique_ptr<Pilot> constant_pilot() {
  const ModelMetadata meta = two_output_metadata();
  auto engine = std::make_unique<FakeEngine>(meta.outputs.names(),
                                             std::vector<std::vector<float>>{{0.5f}, {0.25f}});
  return std::make_unique<Pilot>(std::move(engine), meta);
}

cv::Mat gray() { return cv::Mat(12, 16, CV_8UC3, cv::Scalar::all(90)); }

TEST(ReplayEval, mean_absolute_errors_compare_predictions_with_the_recorded_labels) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(gray(), 0.0f, 0.25f, "user", 1);          // errors: steering 0.5, throttle 0
    writer.write(gray(), 1.0f, -0.25f, "user", 2);         // errors: steering 0.5, throttle 0.5
    writer.write(gray(), std::nanf(""), 0.0f, "user", 3);  // no angle: skipped
  }
  auto pilot = constant_pilot();
  SteadyClock clock;
  const EvalResult r = evaluate_tub(*pilot, TubReader(dir.str("tub")), clock);
  ASSERT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.invalid, 0u);
  EXPECT_NEAR(r.steering_mae, 0.5, 1e-6);
  EXPECT_NEAR(r.throttle_mae, 0.25, 1e-6);
  EXPECT_EQ(r.inference_ms.count, 2u);
  EXPECT_EQ(r.samples[1].index, 1);
  EXPECT_FLOAT_EQ(r.samples[1].predicted_steering, 0.5f);
  EXPECT_NE(format_eval(r).find("steering MAE: 0.5000"), std::string::npos) << format_eval(r);
}

TEST(ReplayEval, a_tub_without_user_labels_is_an_error_naming_the_tub_and_the_labels) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(gray(), std::nanf(""), std::nanf(""), "local", 1);  // autopilot, no operator
  }
  auto pilot = constant_pilot();
  SteadyClock clock;
  try {
    evaluate_tub(*pilot, TubReader(dir.str("tub")), clock);
    FAIL() << "no TubError";
  } catch (const TubError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.str("tub")), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("user/angle"), std::string::npos) << e.what();
  }
}

TEST(ReplayEval, limit_stops_after_that_many_records_and_plot_writes_a_png) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    for (int i = 0; i < 5; ++i) writer.write(gray(), 0.1f * i, 0.2f, "user", i);
  }
  auto pilot = constant_pilot();
  SteadyClock clock;
  const EvalResult r = evaluate_tub(*pilot, TubReader(dir.str("tub")), clock, 3);
  EXPECT_EQ(r.samples.size(), 3u);
  const cv::Mat plot = plot_steering(r, 200, 100);
  EXPECT_EQ(plot.size(), cv::Size(200, 100));
  cv::Mat not_white;
  cv::inRange(plot, cv::Scalar(255, 255, 255), cv::Scalar(255, 255, 255), not_white);
  EXPECT_LT(cv::countNonZero(not_white), 200 * 100);  // the curves were drawn
}

TEST(ReplayEval, an_engine_failure_counts_as_invalid_and_keeps_the_reason) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(gray(), 0.0f, 0.0f, "user", 1);
  }
  const ModelMetadata meta = two_output_metadata();
  auto engine = std::make_unique<FakeEngine>(meta.outputs.names(),
                                             std::vector<std::vector<float>>{{0.5f}, {0.25f}});
  FakeEngine* raw = engine.get();
  Pilot pilot(std::move(engine), meta);
  raw->throw_message = "engine exploded";
  SteadyClock clock;
  const EvalResult r = evaluate_tub(pilot, TubReader(dir.str("tub")), clock);
  EXPECT_EQ(r.samples.size(), 0u);
  EXPECT_EQ(r.invalid, 1u);
  EXPECT_NE(r.last_error.find("engine exploded"), std::string::npos) << r.last_error;
}

}  // namespace
}  // namespace rcpilot::perception
