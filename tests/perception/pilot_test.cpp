#include "perception/pilot.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "perception/opencv_dnn_engine.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;
using testing::FakeEngine;
using testing::model_path;
using testing::two_output_metadata;

struct FakePilot {
  explicit FakePilot(std::vector<std::vector<float>> values,
                     ModelMetadata meta = two_output_metadata()) {
    auto e = std::make_unique<FakeEngine>(meta.outputs.names(), std::move(values));
    engine = e.get();
    pilot = std::make_unique<Pilot>(std::move(e), meta);
  }
  FakeEngine* engine = nullptr;
  std::unique_ptr<Pilot> pilot;
};

Frame gray_frame(int rows = 12, int cols = 16, std::uint64_t sequence = 3) {
  Frame f;
  f.bgr = cv::Mat(rows, cols, CV_8UC3, cv::Scalar::all(128));
  f.sequence = sequence;
  f.captured_at = TimePoint(1s);
  return f;
}

TEST(Pilot, copies_outputs_and_frame_identity_into_the_prediction) {
  FakePilot fp({{0.25f}, {-0.5f}});
  ManualClock clock(TimePoint(2s));
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_TRUE(p.valid);
  EXPECT_FLOAT_EQ(p.steering_norm, 0.25f);
  EXPECT_FLOAT_EQ(p.throttle_norm, -0.5f);
  EXPECT_EQ(p.frame_sequence, 3u);
  EXPECT_EQ(p.captured_at, TimePoint(1s));
  EXPECT_EQ(p.predicted_at, TimePoint(2s));
}

TEST(Pilot, maps_output_range_to_norm_and_clamps) {
  ModelMetadata meta = two_output_metadata();
  meta.output_lo = 0.0;
  meta.output_hi = 2.0;
  FakePilot fp({{1.5f}, {7.0f}}, meta);
  ManualClock clock;
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_FLOAT_EQ(p.steering_norm, 0.5f);
  EXPECT_FLOAT_EQ(p.throttle_norm, 1.0f);
}

TEST(Pilot, reads_steering_and_throttle_from_vector_indices) {
  ModelMetadata meta = two_output_metadata();
  meta.outputs = ModelOutputs{};
  meta.outputs.single_vector = true;
  meta.outputs.vector_name = "pilot";
  meta.outputs.steering_index = 2;
  meta.outputs.throttle_index = 0;
  FakePilot fp({{0.1f, 0.9f, -0.3f}}, meta);
  ManualClock clock;
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_FLOAT_EQ(p.steering_norm, -0.3f);
  EXPECT_FLOAT_EQ(p.throttle_norm, 0.1f);
}

ModelMetadata categorical_metadata(BinDecode decode) {
  ModelMetadata meta = two_output_metadata();
  meta.outputs.steering_bins = {5, -1.0, 1.0};  // bins -1, -0.5, 0, 0.5, 1
  meta.outputs.throttle_bins = {3, 0.0, 0.5};   // bins 0, 0.25, 0.5
  meta.outputs.scores = BinScores::kProbabilities;
  meta.outputs.decode = decode;
  return meta;
}

TEST(Pilot, decodes_categorical_outputs_then_maps_the_output_range) {
  FakePilot argmax({{0.1f, 0.6f, 0.1f, 0.1f, 0.1f}, {0.2f, 0.3f, 0.5f}},
                   categorical_metadata(BinDecode::kArgmax));
  ManualClock clock;
  Prediction p = argmax.pilot->infer(gray_frame(), clock);
  ASSERT_TRUE(p.valid) << argmax.pilot->last_error();
  EXPECT_FLOAT_EQ(p.steering_norm, -0.5f);
  EXPECT_FLOAT_EQ(p.throttle_norm, 0.5f);

  ModelMetadata meta = categorical_metadata(BinDecode::kExpected);
  meta.output_lo = 0.0;  // network units [0, 2] -> [-1, 1]: 0.75 -> -0.25
  meta.output_hi = 2.0;
  FakePilot expected({{0.0f, 0.0f, 0.0f, 0.5f, 0.5f}, {0.0f, 1.0f, 1.0f}}, meta);
  p = expected.pilot->infer(gray_frame(), clock);
  ASSERT_TRUE(p.valid) << expected.pilot->last_error();
  EXPECT_FLOAT_EQ(p.steering_norm, -0.25f);
  EXPECT_FLOAT_EQ(p.throttle_norm, 0.375f * 2.0f / 2.0f - 1.0f);
}

TEST(Pilot, categorical_output_of_the_wrong_size_or_sign_gives_an_invalid_prediction) {
  FakePilot short_output({{0.1f, 0.6f, 0.3f}, {0.2f, 0.3f, 0.5f}},
                         categorical_metadata(BinDecode::kArgmax));
  ManualClock clock;
  EXPECT_FALSE(short_output.pilot->infer(gray_frame(), clock).valid);
  EXPECT_NE(short_output.pilot->last_error().find("one score per bin"), std::string::npos);
  FakePilot negative({{0.1f, 0.6f, -0.3f, 0.3f, 0.3f}, {0.2f, 0.3f, 0.5f}},
                     categorical_metadata(BinDecode::kExpected));
  EXPECT_FALSE(negative.pilot->infer(gray_frame(), clock).valid);
  EXPECT_NE(negative.pilot->last_error().find("scores: logits"), std::string::npos);
}

TEST(Pilot, warm_up_refuses_categorical_scores_of_the_other_kind_naming_file_and_output) {
  ModelMetadata meta = categorical_metadata(BinDecode::kExpected);
  meta.source_path = "models/cat.yaml";
  meta.outputs.scores = BinScores::kLogits;  // but the engine returns probabilities
  FakePilot softmax({{0.1f, 0.2f, 0.4f, 0.2f, 0.1f}, {2.0f, -1.0f, 0.5f}}, meta);
  try {
    softmax.pilot->warm_up(1);
    FAIL() << "probabilities declared as logits were accepted";
  } catch (const ModelError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("models/cat.yaml: output 'angle'"), std::string::npos) << what;
    EXPECT_NE(what.find("scores: probabilities"), std::string::npos) << what;
  }
  meta.outputs.scores = BinScores::kProbabilities;
  FakePilot logits({{0.1f, 0.2f, 0.4f, 0.2f, 0.1f}, {2.0f, -1.0f, 0.5f}}, meta);
  EXPECT_THROW(logits.pilot->warm_up(1), ModelError);  // throttle's are logits
  FakePilot right({{0.1f, 0.2f, 0.4f, 0.2f, 0.1f}, {0.2f, 0.3f, 0.5f}}, meta);
  EXPECT_NO_THROW(right.pilot->warm_up(1));
}

TEST(Pilot, nan_output_gives_an_invalid_prediction) {
  FakePilot fp({{std::numeric_limits<float>::quiet_NaN()}, {0.2f}});
  ManualClock clock;
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_FALSE(p.valid);
  EXPECT_EQ(p.steering_norm, 0.0f);
  EXPECT_NE(fp.pilot->last_error().find("NaN"), std::string::npos);
}

TEST(Pilot, engine_exception_gives_an_invalid_prediction_with_the_reason) {
  FakePilot fp({{0.0f}, {0.0f}});
  fp.engine->throw_message = "device lost";
  ManualClock clock;
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_FALSE(p.valid);
  EXPECT_EQ(fp.pilot->last_error(), "device lost");
}

TEST(Pilot, empty_frame_gives_an_invalid_prediction) {
  FakePilot fp({{0.0f}, {0.0f}});
  ManualClock clock;
  EXPECT_FALSE(fp.pilot->infer(Frame{}, clock).valid);
}

TEST(Pilot, times_inference_with_the_injected_clock) {
  FakePilot fp({{0.0f}, {0.0f}});
  ManualClock clock(TimePoint(10s));
  fp.engine->on_run = [&] { clock.advance(7ms); };
  const Prediction p = fp.pilot->infer(gray_frame(), clock);
  EXPECT_FLOAT_EQ(p.inference_ms, 7.0f);
  EXPECT_FLOAT_EQ(p.preprocess_ms, 0.0f);
  EXPECT_EQ(p.predicted_at, TimePoint(10s) + 7ms);
}

TEST(Pilot, construction_fails_when_the_engine_lacks_a_named_output) {
  auto engine = std::make_unique<FakeEngine>(std::vector<std::string>{"angle"},
                                             std::vector<std::vector<float>>{{0.0f}});
  EXPECT_THROW(Pilot(std::move(engine), two_output_metadata()), ModelError);
}

TEST(Pilot, measure_reports_inference_percentiles_and_fails_on_invalid_output) {
  FakePilot fp({{0.0f}, {0.0f}});
  ManualClock clock;
  fp.engine->on_run = [&] { clock.advance(4ms); };
  const Percentiles p = fp.pilot->measure(10, gray_frame().bgr, clock);
  EXPECT_EQ(p.count, 10u);
  EXPECT_DOUBLE_EQ(p.p50, 4.0);
  fp.engine->set_values({{std::nanf("")}, {0.0f}});
  EXPECT_THROW(fp.pilot->measure(3, gray_frame().bgr, clock), ModelError);
}

TEST(Pilot, warm_up_runs_the_engine_on_a_model_sized_tensor) {
  FakePilot fp({{0.0f}, {0.0f}});
  fp.pilot->warm_up(3);
  EXPECT_EQ(fp.engine->runs, 3);
  EXPECT_EQ(fp.engine->last_input.size[3], 16);
}

// The real known-output model: pilot = [2 * mean(R) - 1, mean(B) - 0.5] after RGB scaling,
// so swapped colours or a wrong scale would show up in the numbers.
TEST(Pilot, real_model_sees_rgb_scaled_pixels_and_maps_vector_outputs) {
  auto meta = load_model_metadata(model_path("known_output.yaml"));
  Pilot pilot(std::make_unique<OpenCvDnnEngine>(model_path("known_output.onnx"), meta, 1), meta);
  Frame frame;
  frame.bgr = cv::Mat(224, 224, CV_8UC3, cv::Scalar(51, 0, 191));  // B, G, R
  ManualClock clock;
  Prediction p = pilot.infer(frame, clock);
  ASSERT_TRUE(p.valid) << pilot.last_error();
  // OpenCV's float32 global average over 50176 pixels drifts by ~1e-4 relative; swapped
  // colours or a wrong scale would be off by far more than kPool.
  constexpr double kPool = 2e-3;
  EXPECT_NEAR(p.steering_norm, 2.0 * 191 / 255 - 1, kPool);
  EXPECT_NEAR(p.throttle_norm, 51.0 / 255 - 0.5, kPool);
  // A camera-sized frame is resized first; INTER_AREA may move a pixel by one level.
  frame.bgr = cv::Mat(240, 320, CV_8UC3, cv::Scalar(51, 0, 191));
  p = pilot.infer(frame, clock);
  ASSERT_TRUE(p.valid) << pilot.last_error();
  EXPECT_NEAR(p.steering_norm, 2.0 * 191 / 255 - 1, 2.0 / 255 + kPool);
  EXPECT_NEAR(p.throttle_norm, 51.0 / 255 - 0.5, 1.0 / 255 + kPool);
}

TEST(Pilot, real_model_runs_end_to_end_on_a_donkey_shaped_network) {
  auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  Pilot pilot(std::make_unique<OpenCvDnnEngine>(model_path("tiny_linear.onnx"), meta, 2), meta);
  pilot.warm_up(2);
  const Percentiles timing = pilot.measure(5, gray_frame(224, 224).bgr);
  EXPECT_EQ(timing.count, 5u);
  EXPECT_GT(timing.p50, 0.0);
}

TEST(Pilot, donkey_style_softmax_model_decodes_with_argmax_to_one_of_donkeys_bin_values) {
  const auto meta = load_model_metadata(model_path("tiny_categorical_softmax.yaml"));
  Pilot pilot(
      std::make_unique<OpenCvDnnEngine>(model_path("tiny_categorical_softmax.onnx"), meta, 1),
      meta);
  pilot.warm_up(1);
  ManualClock clock;
  const Prediction p = pilot.infer(gray_frame(224, 224), clock);
  ASSERT_TRUE(p.valid) << pilot.last_error();
  const double steering_bin = (p.steering_norm + 1.0) * 14 / 2;  // b * 2 / 14 - 1
  EXPECT_NEAR(steering_bin, std::round(steering_bin), 1e-4);
  const double throttle_bin = p.throttle_norm * 20 / 0.5;  // b * 0.5 / 20
  EXPECT_NEAR(throttle_bin, std::round(throttle_bin), 1e-4);
}

TEST(Pilot, softmax_model_declared_as_logits_is_refused_at_warm_up) {
  auto meta = load_model_metadata(model_path("tiny_categorical_softmax.yaml"));
  meta.outputs.scores = BinScores::kLogits;
  Pilot pilot(
      std::make_unique<OpenCvDnnEngine>(model_path("tiny_categorical_softmax.onnx"), meta, 1),
      meta);
  EXPECT_THROW(pilot.warm_up(1), ModelError);
}

}  // namespace
}  // namespace rcpilot::perception
