#include "perception/opencv_dnn_engine.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::model_path;

std::string load_error(const std::string& onnx, const ModelMetadata& meta) {
  try {
    OpenCvDnnEngine engine(onnx, meta, 1);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(OpenCvDnnEngine, runs_a_donkey_shaped_model_and_returns_one_value_per_output) {
  const auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  OpenCvDnnEngine engine(model_path("tiny_linear.onnx"), meta, 2);
  EXPECT_EQ(engine.output_names(), (std::vector<std::string>{"angle", "throttle"}));
  const int shape[] = {1, 3, 224, 224};
  const cv::Mat input(4, shape, CV_32F, cv::Scalar(0.5));
  std::vector<cv::Mat> outputs;
  engine.run(input, outputs);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].total(), 1u);
  EXPECT_EQ(outputs[1].total(), 1u);
  EXPECT_TRUE(contains(engine.describe(), "tiny_linear.onnx"));
}

TEST(OpenCvDnnEngine, missing_model_error_names_the_file_and_how_to_get_one) {
  const auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  const std::string e = load_error("/nonexistent/linear.onnx", meta);
  EXPECT_TRUE(contains(e, "/nonexistent/linear.onnx")) << e;
  EXPECT_TRUE(contains(e, "train or copy a model, see docs/models.md")) << e;
}

TEST(OpenCvDnnEngine, corrupt_model_error_names_the_file_and_opencvs_message) {
  testing::TempDir dir;
  const std::string bad = dir.str("garbage.onnx");
  std::ofstream(bad) << "this is not a protobuf \x01\x02\x03\xff\xfe garbage";
  const auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  const std::string e = load_error(bad, meta);
  EXPECT_TRUE(contains(e, bad)) << e;
  EXPECT_TRUE(contains(e, "OpenCV")) << e;
}

TEST(OpenCvDnnEngine, input_size_mismatch_error_names_both_shapes) {
  const auto meta = load_model_metadata(model_path("tiny_linear_120x160.yaml"));
  const std::string e = load_error(model_path("tiny_linear_120x160.onnx"), meta);
  EXPECT_TRUE(contains(e, "[1, 3, 120, 160]")) << e;
  EXPECT_TRUE(contains(e, "[1, 3, 224, 224]")) << e;
  EXPECT_TRUE(contains(e, "tiny_linear_120x160.yaml")) << e;
}

TEST(OpenCvDnnEngine, unknown_output_name_error_lists_the_real_outputs) {
  auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  meta.outputs.steering = "steer";
  const std::string e = load_error(model_path("tiny_linear.onnx"), meta);
  EXPECT_TRUE(contains(e, "'steer'")) << e;
  EXPECT_TRUE(contains(e, "'angle', 'throttle'")) << e;
}

TEST(OpenCvDnnEngine, unknown_input_name_error_lists_the_real_inputs) {
  auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  meta.input.name = "image";
  const std::string e = load_error(model_path("tiny_linear.onnx"), meta);
  EXPECT_TRUE(contains(e, "'image'")) << e;
  EXPECT_TRUE(contains(e, "'input'")) << e;
}

TEST(OpenCvDnnEngine, vector_output_too_short_for_the_indices_is_rejected) {
  auto meta = load_model_metadata(model_path("known_output.yaml"));
  meta.outputs.throttle_index = 5;
  const std::string e = load_error(model_path("known_output.onnx"), meta);
  EXPECT_TRUE(contains(e, "'pilot' has 2 value(s)")) << e;
  EXPECT_TRUE(contains(e, "at least 6")) << e;
}

TEST(OpenCvDnnEngine, two_output_contract_rejects_a_vector_output) {
  auto meta = load_model_metadata(model_path("known_output.yaml"));
  meta.outputs = ModelOutputs{};
  meta.outputs.steering = "pilot";
  meta.outputs.throttle = "pilot";  // nonsense on purpose: the sizes must be checked
  const std::string e = load_error(model_path("known_output.onnx"), meta);
  EXPECT_TRUE(contains(e, "exactly 1")) << e;
}

TEST(OpenCvDnnEngine, categorical_model_returns_one_score_per_bin) {
  const auto meta = load_model_metadata(model_path("tiny_categorical.yaml"));
  OpenCvDnnEngine engine(model_path("tiny_categorical.onnx"), meta, 1);
  const int shape[] = {1, 3, 224, 224};
  std::vector<cv::Mat> outputs;
  engine.run(cv::Mat(4, shape, CV_32F, cv::Scalar(0.5)), outputs);
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[0].total(), 15u);
  EXPECT_EQ(outputs[1].total(), 20u);
}

TEST(OpenCvDnnEngine, bin_count_that_does_not_match_the_model_is_rejected_at_load) {
  auto meta = load_model_metadata(model_path("tiny_categorical.yaml"));
  meta.outputs.steering_bins.bins = 16;
  const std::string e = load_error(model_path("tiny_categorical.onnx"), meta);
  EXPECT_TRUE(contains(e, "output 'angle' has 15 value(s)")) << e;
  EXPECT_TRUE(contains(e, "exactly 16")) << e;
  EXPECT_TRUE(contains(e, "tiny_categorical.yaml")) << e;
}

TEST(OpenCvDnnEngine, scalar_outputs_described_as_categorical_are_rejected_at_load) {
  auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  meta.outputs.throttle_bins = {20, 0.0, 0.5};
  const std::string e = load_error(model_path("tiny_linear.onnx"), meta);
  EXPECT_TRUE(contains(e, "output 'throttle' has 1 value(s)")) << e;
  EXPECT_TRUE(contains(e, "exactly 20")) << e;
}

TEST(OpenCvDnnEngine, categorical_outputs_described_as_scalars_are_rejected_at_load) {
  auto meta = load_model_metadata(model_path("tiny_categorical.yaml"));
  meta.outputs.steering_bins = BinnedOutput{};
  const std::string e = load_error(model_path("tiny_categorical.onnx"), meta);
  EXPECT_TRUE(contains(e, "output 'angle' has 15 value(s)")) << e;
  EXPECT_TRUE(contains(e, "exactly 1 ")) << e;
}

}  // namespace
}  // namespace rcpilot::perception
