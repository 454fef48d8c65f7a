// The onednn backend against OpenCV DNN on the same networks and inputs, its model contract
// errors, and its plugin.
#include "perception/onednn_engine.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <opencv2/core.hpp>

#include "perception/opencv_dnn_engine.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::model_path;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

OneDnnOptions fp32(int threads) { return {threads, OneDnnPrecision::kFp32}; }

// Whether the kernel lists a bfloat16 instruction set for this CPU (read independently of
// oneDNN, to check the engine's own choice).
bool cpuinfo_has_bf16() {
  std::ifstream in("/proc/cpuinfo");
  std::stringstream text;
  text << in.rdbuf();
  return contains(text.str(), " avx512_bf16") || contains(text.str(), " amx_bf16");
}

std::string load_error(const std::string& onnx, const std::string& yaml) {
  try {
    make_onednn_engine(onnx, load_model_metadata(yaml), fp32(1));
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

// A copy of test metadata `name` in `dir` with each (from, to) replaced once; returns its path.
std::string edited_metadata(const std::string& name,
                            const std::vector<std::pair<std::string, std::string>>& edits,
                            const testing::TempDir& dir) {
  std::ifstream in(model_path(name));
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const auto& [from, to] : edits) yaml.replace(yaml.find(from), from.size(), to);
  const std::string path = dir.str("edited_" + name);
  std::ofstream(path) << yaml;
  return path;
}

// Inputs with the structure of camera frames (smooth regions, edges) and plain noise.
std::vector<cv::Mat> inputs_for(const std::vector<int>& shape) {
  std::vector<cv::Mat> inputs;
  cv::RNG rng(42);
  for (int i = 0; i < 3; ++i) {
    cv::Mat noise(static_cast<int>(shape.size()), shape.data(), CV_32F);
    rng.fill(noise, cv::RNG::UNIFORM, 0.0, 1.0);
    inputs.push_back(noise);
  }
  cv::Mat ramp(static_cast<int>(shape.size()), shape.data(), CV_32F);
  float* p = ramp.ptr<float>();
  for (std::size_t i = 0; i < ramp.total(); ++i)
    p[i] = static_cast<float>((i * 7919) % 640) / 640.f;
  inputs.push_back(ramp);
  inputs.push_back(cv::Mat(static_cast<int>(shape.size()), shape.data(), CV_32F, cv::Scalar(0)));
  return inputs;
}

// Every output of both backends, input by input, within `tolerance` of the outputs' scale. In
// fp32 they differ only in the order of summation, so 1e-4 is a tight bound.
void expect_near_opencv(const std::string& onnx, const std::string& yaml,
                        const OneDnnOptions& options, double tolerance) {
  const ModelMetadata meta = load_model_metadata(yaml);
  OpenCvDnnEngine reference(onnx, meta, options.threads);
  const auto engine = make_onednn_engine(onnx, meta, options);
  EXPECT_EQ(engine->output_names(), reference.output_names());
  for (const cv::Mat& input : inputs_for(meta.input.shape)) {
    std::vector<cv::Mat> expected, actual;
    reference.run(input, expected);
    engine->run(input, actual);
    ASSERT_EQ(actual.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(actual[i].total(), expected[i].total()) << onnx << " output " << i;
      const double scale = std::max(1.0, cv::norm(expected[i], cv::NORM_INF));
      EXPECT_LE(cv::norm(actual[i].reshape(1, 1), expected[i].reshape(1, 1), cv::NORM_INF),
                tolerance * scale)
          << onnx << " output " << i;
    }
  }
}

void expect_same_as_opencv(const std::string& onnx, const std::string& yaml, int threads) {
  expect_near_opencv(onnx, yaml, fp32(threads), 1e-4);
}

TEST(OneDnnEngine, bundled_model_gives_opencvs_outputs) {
  expect_same_as_opencv(RCPILOT_SOURCE_DIR "/models/linear.onnx",
                        RCPILOT_SOURCE_DIR "/models/linear.yaml", 2);
}

TEST(OneDnnEngine, bundled_categorical_model_gives_opencvs_bin_scores) {
  expect_same_as_opencv(RCPILOT_SOURCE_DIR "/models/categorical.onnx",
                        RCPILOT_SOURCE_DIR "/models/categorical.yaml", 2);
}

TEST(OneDnnEngine, bin_count_that_does_not_match_the_model_is_rejected_at_load) {
  testing::TempDir dir;
  const std::string yaml =
      edited_metadata("tiny_categorical.yaml", {{"bins: 20", "bins: 21"}}, dir);
  const std::string e = load_error(model_path("tiny_categorical.onnx"), yaml);
  EXPECT_TRUE(contains(e, "'throttle' has 20 value(s)")) << e;
  EXPECT_TRUE(contains(e, "exactly 21")) << e;
}

TEST(OneDnnEngine, pytorch_export_with_gemm_heads_gives_opencvs_outputs) {
  expect_same_as_opencv(model_path("tiny_linear.onnx"), model_path("tiny_linear.yaml"), 1);
}

TEST(OneDnnEngine, keras_style_nhwc_export_gives_opencvs_outputs) {
  // Transpose in and out of NCHW, Reshape, MatMul + Add (folded into the bias).
  expect_same_as_opencv(model_path("keras_like.onnx"), model_path("keras_like.yaml"), 2);
}

TEST(OneDnnEngine, residual_network_with_pooling_gives_opencvs_outputs) {
  expect_same_as_opencv(model_path("residual.onnx"), model_path("residual.yaml"), 2);
}

// bf16 keeps 8 bits of mantissa in weights and activations (sums stay float32): outputs moved
// by 4e-4 to 9e-4 on these networks when written, far below what a servo resolves (1/500).
TEST(OneDnnEngine, bf16_stays_within_5e_3_of_fp32_on_every_test_network) {
  if (!cpuinfo_has_bf16()) GTEST_SKIP() << "this CPU has no bfloat16 instructions";
  const OneDnnOptions bf16{1, OneDnnPrecision::kBf16};
  expect_near_opencv(RCPILOT_SOURCE_DIR "/models/linear.onnx",
                     RCPILOT_SOURCE_DIR "/models/linear.yaml", bf16, 5e-3);
  for (const char* name : {"tiny_linear", "keras_like", "residual"}) {
    expect_near_opencv(model_path(std::string(name) + ".onnx"),
                       model_path(std::string(name) + ".yaml"), bf16, 5e-3);
  }
}

TEST(OneDnnEngine, auto_precision_is_bf16_exactly_where_the_cpu_computes_it) {
  const auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  const auto engine = make_onednn_engine(model_path("tiny_linear.onnx"), meta, {1});
  const std::string said = engine->describe();
  EXPECT_EQ(contains(said, "bf16 on "), cpuinfo_has_bf16()) << said;
  EXPECT_EQ(contains(said, "fp32"), !cpuinfo_has_bf16()) << said;
  const std::string fp32_said =
      make_onednn_engine(model_path("tiny_linear.onnx"), meta, fp32(1))->describe();
  EXPECT_TRUE(contains(fp32_said, "CPU, fp32, 1 thread")) << fp32_said;
}

TEST(OneDnnEngine, precision_names_parse_and_fp16_is_refused_naming_the_key) {
  EXPECT_EQ(parse_onednn_precision("auto"), OneDnnPrecision::kAuto);
  EXPECT_EQ(parse_onednn_precision("fp32"), OneDnnPrecision::kFp32);
  EXPECT_EQ(parse_onednn_precision("bf16"), OneDnnPrecision::kBf16);
  const std::string fp16 = testing::model_error_of([] { parse_onednn_precision("fp16"); });
  EXPECT_TRUE(contains(fp16, "model.precision fp16")) << fp16;
  EXPECT_TRUE(contains(fp16, "tensorrt")) << fp16;
}

TEST(OneDnnEngine, known_output_model_maps_channel_means_exactly) {
  const auto meta = load_model_metadata(model_path("known_output.yaml"));
  const auto engine = make_onednn_engine(model_path("known_output.onnx"), meta, fp32(1));
  const int shape[] = {1, 3, 224, 224};
  cv::Mat input(4, shape, CV_32F);
  const std::size_t plane = 224 * 224;
  for (std::size_t i = 0; i < 3 * plane; ++i) {
    input.ptr<float>()[i] = i < plane ? 0.75f : i < 2 * plane ? 0.1f : 0.25f;
  }
  std::vector<cv::Mat> outputs;
  engine->run(input, outputs);
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_NEAR(outputs[0].ptr<float>()[0], 2 * 0.75 - 1, 1e-5);
  EXPECT_NEAR(outputs[0].ptr<float>()[1], 0.25 - 0.5, 1e-5);
}

TEST(OneDnnEngine, unsupported_operator_is_its_own_error_naming_the_node) {
  try {
    make_onednn_engine(model_path("unsupported_op.onnx"),
                       load_model_metadata(model_path("unsupported_op.yaml")), fp32(1));
    FAIL() << "Sigmoid is not an operator the onednn backend runs";
  } catch (const UnsupportedModelError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "unsupported_op.onnx")) << what;
    EXPECT_TRUE(contains(what, "Sigmoid node")) << what;
    EXPECT_TRUE(contains(what, "model.backend: opencv")) << what;
  }
}

TEST(OneDnnEngine, softmax_of_a_donkey_categorical_model_is_unsupported_so_auto_uses_opencv) {
  try {
    make_onednn_engine(model_path("tiny_categorical_softmax.onnx"),
                       load_model_metadata(model_path("tiny_categorical_softmax.yaml")), fp32(1));
    FAIL() << "Softmax is not an operator the onednn backend runs (docs/models.md says so)";
  } catch (const UnsupportedModelError& e) {
    EXPECT_TRUE(contains(e.what(), "Softmax node")) << e.what();
  }
}

TEST(OneDnnEngine, input_size_mismatch_error_names_both_shapes) {
  const std::string e =
      load_error(model_path("tiny_linear_120x160.onnx"), model_path("tiny_linear_120x160.yaml"));
  EXPECT_TRUE(contains(e, "[1, 3, 120, 160]")) << e;
  EXPECT_TRUE(contains(e, "[1, 3, 224, 224]")) << e;
  EXPECT_TRUE(contains(e, "tiny_linear_120x160.yaml")) << e;
}

TEST(OneDnnEngine, wrong_layout_error_names_both_shapes) {
  // keras_like's network takes NHWC; metadata claiming NCHW 1x3x224x224 must be refused.
  testing::TempDir dir;
  const std::string yaml = edited_metadata(
      "keras_like.yaml", {{"[1, 224, 224, 3]", "[1, 3, 224, 224]"}, {"NHWC", "NCHW"}}, dir);
  const std::string e = load_error(model_path("keras_like.onnx"), yaml);
  EXPECT_TRUE(contains(e, "[1, 224, 224, 3]")) << e;
  EXPECT_TRUE(contains(e, "[1, 3, 224, 224]")) << e;
}

TEST(OneDnnEngine, missing_output_error_lists_the_real_outputs) {
  testing::TempDir dir;
  const std::string yaml =
      edited_metadata("tiny_linear.yaml", {{"steering: angle", "steering: steer"}}, dir);
  const std::string e = load_error(model_path("tiny_linear.onnx"), yaml);
  EXPECT_TRUE(contains(e, "no output 'steer'")) << e;
  EXPECT_TRUE(contains(e, "'angle', 'throttle'")) << e;
}

TEST(OneDnnEngine, missing_and_corrupt_files_name_the_file) {
  const std::string missing =
      load_error("/nonexistent/linear.onnx", model_path("tiny_linear.yaml"));
  EXPECT_TRUE(contains(missing, "/nonexistent/linear.onnx")) << missing;
  EXPECT_TRUE(contains(missing, "not found")) << missing;
  testing::TempDir dir;
  std::ofstream(dir.str("garbage.onnx")) << "this is not a protobuf \x01\x02\x03\xff\xfe";
  const std::string corrupt = load_error(dir.str("garbage.onnx"), model_path("tiny_linear.yaml"));
  EXPECT_TRUE(contains(corrupt, dir.str("garbage.onnx"))) << corrupt;
  EXPECT_TRUE(contains(corrupt, "not a loadable ONNX model")) << corrupt;
}

TEST(OneDnnEngine, rejects_an_input_of_the_wrong_size_at_run_time) {
  const auto meta = load_model_metadata(model_path("tiny_linear.yaml"));
  const auto engine = make_onednn_engine(model_path("tiny_linear.onnx"), meta, fp32(1));
  const int shape[] = {1, 3, 120, 160};
  const cv::Mat small(4, shape, CV_32F, cv::Scalar(0));
  std::vector<cv::Mat> outputs;
  EXPECT_THROW(engine->run(small, outputs), std::runtime_error);
}

TEST(OneDnnPlugin, loads_and_builds_an_engine_that_says_what_it_is) {
  const OneDnnFactory factory = load_onednn_plugin(RCPILOT_ONEDNN_PLUGIN);
  const auto engine = factory(model_path("tiny_linear.onnx"),
                              load_model_metadata(model_path("tiny_linear.yaml")), {2});
  EXPECT_TRUE(contains(engine->describe(), "onednn")) << engine->describe();
  EXPECT_TRUE(contains(engine->describe(), "2 threads")) << engine->describe();
  // Loading set OpenMP's wait policy before libgomp read it (onednn_engine.hpp says why).
  ASSERT_NE(std::getenv("OMP_WAIT_POLICY"), nullptr);
}

TEST(OneDnnPlugin, missing_plugin_error_names_the_file_and_the_key) {
  try {
    load_onednn_plugin("/nonexistent/librcpilot-onednn.so");
    FAIL() << "no plugin there";
  } catch (const ModelError& e) {
    const std::string what = e.what();
    EXPECT_TRUE(contains(what, "/nonexistent/librcpilot-onednn.so")) << what;
    EXPECT_TRUE(contains(what, "model.backend")) << what;
  }
}

}  // namespace
}  // namespace rcpilot::perception
