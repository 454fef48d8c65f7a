#include <gtest/gtest.h>

#include <fstream>

#include "perception/engine_cache.hpp"
#include "perception/model_loader.hpp"
#include "perception/tensorrt_engine.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::TempDir;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

EngineKey nano_fp16() {
  EngineKey key;
  key.trt = {8, 2, 1};
  key.sm_major = 5;
  key.sm_minor = 3;
  key.precision = EnginePrecision::kFp16;
  return key;
}

TEST(EngineCache, library_version_numbers_decode_for_tensorrt_8_and_10) {
  const auto text = [](std::int64_t v) { return format_trt_version(decode_trt_version(v)); };
  EXPECT_EQ(text(8201), "8.2.1");  // JetPack 4.6 (Nano)
  EXPECT_EQ(text(8601), "8.6.1");
  EXPECT_EQ(text(8502), "8.5.2");     // JetPack 5.1
  EXPECT_EQ(text(100300), "10.3.0");  // JetPack 6
  EXPECT_EQ(text(110100), "11.1.0");
}

TEST(EngineCache, fnv1a64_matches_the_published_test_vectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(EngineCache, file_name_carries_model_fingerprint_tensorrt_gpu_and_precision) {
  EXPECT_EQ(engine_file_name("linear", "0123456789abcdef", nano_fp16()),
            "linear.0123456789abcdef.trt8.2.1.sm53.fp16.engine");
  EngineKey orin = nano_fp16();
  orin.trt = {10, 3, 0};
  orin.sm_major = 8;
  orin.sm_minor = 7;
  orin.precision = EnginePrecision::kFp32;
  EXPECT_EQ(engine_file_name("resnet18", "ffffffffffffffff", orin),
            "resnet18.ffffffffffffffff.trt10.3.0.sm87.fp32.engine");
}

TEST(EngineCache, derived_path_is_in_engines_beside_the_model_and_follows_its_bytes) {
  TempDir dir;
  const std::string onnx = dir.str("linear.onnx");
  write_bytes(onnx, "a");
  EXPECT_EQ(derived_engine_path(onnx, nano_fp16()),
            dir.str("engines/linear.af63dc4c8601ec8c.trt8.2.1.sm53.fp16.engine"));
  write_bytes(onnx, "foobar");  // a retrained model must not reuse the old engine
  EXPECT_EQ(derived_engine_path(onnx, nano_fp16()),
            dir.str("engines/linear.85944171f73967e8.trt8.2.1.sm53.fp16.engine"));
}

TEST(EngineCache, a_missing_model_cannot_name_an_engine_and_says_model_engine) {
  TempDir dir;
  const std::string what =
      testing::model_error_of([&] { derived_engine_path(dir.str("gone.onnx"), nano_fp16()); });
  EXPECT_NE(what.find("gone.onnx"), std::string::npos) << what;
  EXPECT_NE(what.find("model.engine"), std::string::npos) << what;
}

TEST(EngineCache, precision_version_and_compute_capability_parse_or_name_their_key) {
  EXPECT_EQ(parse_engine_precision("fp16"), EnginePrecision::kFp16);
  EXPECT_EQ(parse_engine_precision("fp32"), EnginePrecision::kFp32);
  EXPECT_NE(testing::model_error_of([] { parse_engine_precision("int8"); }).find("model.precision"),
            std::string::npos);
  EXPECT_EQ(format_trt_version(parse_trt_version("10.3.0", "--trt-version")), "10.3.0");
  EXPECT_NE(testing::model_error_of([] {
              parse_trt_version("8.6", "--trt-version");
            }).find("--trt-version"),
            std::string::npos);
  EngineKey key;
  parse_compute_capability("8.7", "--sm", key);
  EXPECT_EQ(key.sm_major * 10 + key.sm_minor, 87);
  parse_compute_capability("53", "--sm", key);
  EXPECT_EQ(key.sm_major * 10 + key.sm_minor, 53);
  EXPECT_NE(
      testing::model_error_of([&] { parse_compute_capability("sm_53", "--sm", key); }).find("--sm"),
      std::string::npos);
}

TEST(TensorRtBackend, asking_for_it_without_tensorrt_names_model_backend_and_how_to_get_it) {
  if (tensorrt_built()) GTEST_SKIP() << "this rcpilot has the TensorRT backend";
  config::ModelConfig model;
  model.path = testing::model_path("tiny_linear.onnx");
  model.backend = "tensorrt";
  const std::string what = testing::model_error_of([&] { load_model(model, ""); });
  EXPECT_NE(what.find("model.backend: tensorrt"), std::string::npos) << what;
  EXPECT_NE(what.find("RCPILOT_TENSORRT=ON"), std::string::npos) << what;
  EXPECT_NE(what.find("model.backend: opencv"), std::string::npos) << what;
  // Also with an engine named and the model missing: the build is the first thing wrong.
  model.path = "/nonexistent/model.onnx";
  model.engine = "/nonexistent/model.engine";
  EXPECT_NE(testing::model_error_of([&] { load_model(model, ""); }).find("model.backend: tensorrt"),
            std::string::npos);
  EXPECT_NE(
      testing::model_error_of([] { detect_engine_key(EnginePrecision::kFp16); }).find("TensorRT"),
      std::string::npos);
}

TEST(TensorRtBackend, an_unknown_backend_names_the_choices) {
  config::ModelConfig model;
  model.path = testing::model_path("tiny_linear.onnx");
  model.backend = "onnxruntime";
  const std::string what = testing::model_error_of([&] { load_model(model, ""); });
  EXPECT_NE(what.find("auto, opencv, onednn, tensorrt"), std::string::npos) << what;
}

}  // namespace
}  // namespace rcpilot::perception
