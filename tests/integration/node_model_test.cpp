// A broken model stops the real rcpilot binary at start-up: the message names the file and
// the mismatch, the exit code is 3 and the car never gets a non-neutral command.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {
namespace {

namespace fs = std::filesystem;
const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
const std::string kModels = RCPILOT_SOURCE_DIR "/models";
constexpr int kStartupError = 3;

struct NodeModelTest : ::testing::Test {
  std::string dir = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string endpoint = private_endpoint("model");

  // Runs the node with model.path = `model` for up to 60 s and checks the refusal.
  void expect_refused(const std::string& model, const std::vector<std::string>& fragments) {
    TelemetryClient client(endpoint);
    const auto [code, out] = run(kRcpilot,
                                 {"--set", "model.path=" + model, "--set",
                                  "telemetry.endpoint=" + endpoint, "--duration", "2"},
                                 60);
    EXPECT_EQ(code, kStartupError) << out;
    for (const auto& f : fragments) EXPECT_NE(out.find(f), std::string::npos) << f << "\n" << out;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    for (const auto& s : client.of("state")) {
      EXPECT_EQ(s["steering"].get<double>(), 0.0);
      EXPECT_EQ(s["throttle"].get<double>(), 0.0);
    }
  }
};

TEST_F(NodeModelTest, a_missing_model_file_is_named) {
  expect_refused(dir + "/missing.onnx", {dir + "/missing.onnx"});
}

TEST_F(NodeModelTest, a_corrupt_onnx_is_named) {
  const std::string model = dir + "/corrupt.onnx";
  fs::copy_file(kModels + "/linear.yaml", dir + "/corrupt.yaml");
  std::ofstream(model) << "this is not a protobuf";
  expect_refused(model, {model});
}

TEST_F(NodeModelTest, a_model_whose_input_shape_differs_from_its_metadata_is_refused) {
  // The real network takes 224x224; metadata that promises 120x160 must not be believed.
  const std::string model = dir + "/linear.onnx";
  fs::copy_file(kModels + "/linear.onnx", model);
  std::ifstream in(kModels + "/linear.yaml");
  std::string meta((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto pos = meta.find("[1, 3, 224, 224]");
  ASSERT_NE(pos, std::string::npos) << meta;
  meta.replace(pos, 16, "[1, 3, 120, 160]");
  write_file(dir + "/linear.yaml", meta);
  expect_refused(model, {model, "[1, 3, 120, 160]"});
}

#ifdef RCPILOT_TEST_MODELS_DIR
// model.backend auto (the sim profile's) picks the oneDNN plugin that the build put beside
// the binary, and falls back to OpenCV DNN for a network oneDNN's backend does not run.
TEST_F(NodeModelTest, auto_backend_runs_the_bundled_model_on_onednn) {
  const auto [code, out] = run(kRcpilot,
                               {"--set", "telemetry.endpoint=" + endpoint, "--set",
                                "control_api.enabled=false", "--duration", "2"},
                               60);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("model onednn"), std::string::npos) << out;
}

TEST_F(NodeModelTest, auto_backend_falls_back_to_opencv_for_an_operator_onednn_cannot_run) {
  const std::string model = RCPILOT_TEST_MODELS_DIR "/unsupported_op.onnx";
  const auto [code, out] =
      run(kRcpilot,
          {"--set", "model.path=" + model, "--set", "telemetry.endpoint=" + endpoint, "--set",
           "control_api.enabled=false", "--duration", "2"},
          60);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("Sigmoid node"), std::string::npos) << out;
  EXPECT_NE(out.find("using OpenCV DNN"), std::string::npos) << out;
  EXPECT_NE(out.find("model opencv-dnn"), std::string::npos) << out;
}

TEST_F(NodeModelTest, onednn_backend_refuses_a_model_it_cannot_run) {
  const std::string model = RCPILOT_TEST_MODELS_DIR "/unsupported_op.onnx";
  TelemetryClient client(endpoint);
  const auto [code, out] = run(kRcpilot,
                               {"--set", "model.path=" + model, "--set", "model.backend=onednn",
                                "--set", "telemetry.endpoint=" + endpoint, "--duration", "2"},
                               60);
  EXPECT_EQ(code, kStartupError) << out;
  EXPECT_NE(out.find("Sigmoid node"), std::string::npos) << out;
  EXPECT_NE(out.find("model.backend: opencv"), std::string::npos) << out;
}

// ONEDNN_MAX_CPU_ISA=AVX512_CORE hides bfloat16 instructions from oneDNN, as on a CPU without
// them: auto precision then runs fp32, and bf16 asked for by name is refused before anything
// moves.
TEST_F(NodeModelTest, without_bf16_instructions_auto_runs_fp32_and_bf16_is_refused) {
  const std::vector<std::string> node = {"ONEDNN_MAX_CPU_ISA=AVX512_CORE",
                                         kRcpilot,
                                         "--set",
                                         "telemetry.endpoint=" + endpoint,
                                         "--set",
                                         "control_api.enabled=false",
                                         "--duration",
                                         "2"};
  const auto [code, out] = run("/usr/bin/env", node, 60);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("model onednn"), std::string::npos) << out;
  EXPECT_NE(out.find("(CPU, fp32, 1 thread)"), std::string::npos) << out;

  std::vector<std::string> bf16 = node;
  bf16.insert(bf16.end(), {"--set", "model.precision=bf16"});
  const auto [refused, why] = run("/usr/bin/env", bf16, 60);
  EXPECT_EQ(refused, kStartupError) << why;
  EXPECT_NE(why.find("model.precision bf16 needs a CPU that computes bfloat16"), std::string::npos)
      << why;
}
#endif

TEST_F(NodeModelTest, opencv_backend_refuses_a_reduced_precision_naming_the_key) {
  const auto [code, out] = run(kRcpilot,
                               {"--set", "model.backend=opencv", "--set", "model.precision=bf16",
                                "--set", "telemetry.endpoint=" + endpoint, "--duration", "2"},
                               60);
  EXPECT_EQ(code, kStartupError) << out;
  EXPECT_NE(out.find("model.precision bf16: OpenCV DNN computes fp32"), std::string::npos) << out;
}

}  // namespace
}  // namespace rcpilot::testing
