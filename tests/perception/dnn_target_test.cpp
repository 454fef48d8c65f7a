#include <gtest/gtest.h>

#include "perception/model_loader.hpp"
#include "perception/opencv_dnn_engine.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::model_path;

TEST(DnnTarget, names_parse_to_targets_and_unknown_names_name_the_key) {
  EXPECT_EQ(parse_dnn_target("cpu"), DnnTarget::kCpu);
  EXPECT_EQ(parse_dnn_target("cuda"), DnnTarget::kCuda);
  EXPECT_EQ(parse_dnn_target("cuda_fp16"), DnnTarget::kCudaFp16);
  EXPECT_NE(testing::model_error_of([] { parse_dnn_target("tpu"); }).find("model.target"),
            std::string::npos);
}

TEST(DnnTarget, cpu_is_always_available) { EXPECT_TRUE(dnn_target_available(DnnTarget::kCpu)); }

TEST(DnnTarget, asking_for_cuda_without_it_is_an_error_naming_model_target) {
  if (dnn_target_available(DnnTarget::kCuda)) GTEST_SKIP() << "this OpenCV has CUDA";
  config::ModelConfig model;
  model.path = model_path("tiny_linear.onnx");
  for (const char* target : {"cuda", "cuda_fp16"}) {
    model.target = target;
    try {
      load_model(model, "");
      FAIL() << target;
    } catch (const ModelError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::string("model.target: ") + target), std::string::npos) << what;
      EXPECT_NE(what.find("CUDA"), std::string::npos) << what;
      EXPECT_NE(what.find("model.target: cpu"), std::string::npos) << what;
    }
  }
}

TEST(DnnTarget, the_cpu_target_loads_and_says_so) {
  config::ModelConfig model;
  model.path = model_path("tiny_linear.onnx");
  model.target = "cpu";
  const LoadedModel loaded = load_model(model, "");
  EXPECT_NE(loaded.engine->describe().find("CPU"), std::string::npos);
}

}  // namespace
}  // namespace rcpilot::perception
