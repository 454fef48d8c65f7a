#pragma once
// Where TensorRT engines are cached, and under which name. This is the one place the rule is
// written: the node derives the engine it loads from it, and scripts/build-trt-engine asks
// rcpilot-engine-name (which calls it) where to build, so the two can never disagree.
//
// An engine only loads on the TensorRT version and GPU it was built on, and it is built from
// one exact ONNX file at one precision. All four are in the name:
//
//   <model folder>/engines/<model stem>.<onnx fingerprint>.trt<M.m.p>.sm<CC>.<precision>.engine
//   models/engines/linear.3f9c0e1a2b4d6f80.trt8.2.1.sm53.fp16.engine
//
// fingerprint: FNV-1a 64 of the ONNX file's bytes, 16 lowercase hex digits (a retrained or
// re-exported model gets a new engine, never a stale one); M.m.p: the TensorRT library
// version; CC: the GPU's compute capability, major and minor digits (53 Nano, 62 TX2,
// 72 Xavier, 87 Orin); precision: fp16 or fp32.
#include <cstdint>
#include <string>

namespace rcpilot::perception {

enum class EnginePrecision { kFp32, kFp16 };

struct TrtVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;
};

// What an engine is tied to besides its model.
struct EngineKey {
  TrtVersion trt;              // TensorRT library version
  int sm_major = 0;            // GPU compute capability, e.g. 5 on a Nano
  int sm_minor = 0;            // e.g. 3 on a Nano
  EnginePrecision precision = EnginePrecision::kFp16;
};

// "fp16" / "fp32" -> EnginePrecision; throws ModelError naming model.precision otherwise.
EnginePrecision parse_engine_precision(const std::string& name);
const char* precision_name(EnginePrecision precision);

// getInferLibVersion()'s number -> version. TensorRT 8 encodes major*1000 + minor*100 + patch
// (8201 is 8.2.1); TensorRT 9 and later major*10000 + minor*100 + patch (100300 is 10.3.0).
TrtVersion decode_trt_version(std::int64_t lib_version);
// "8.6.1" -> version; throws ModelError naming `what` when it is not three numbers.
TrtVersion parse_trt_version(const std::string& text, const std::string& what);
// "53" or "5.3" -> compute capability; throws ModelError naming `what` otherwise.
void parse_compute_capability(const std::string& text, const std::string& what, EngineKey& key);

std::string format_trt_version(const TrtVersion& version);  // "8.6.1"

// FNV-1a 64 of the file's bytes as 16 hex digits; throws ModelError when it cannot be read.
std::string model_fingerprint(const std::string& onnx_path);
// FNV-1a 64 of `bytes` (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
std::uint64_t fnv1a64(const std::string& bytes);

// "<stem>.<fingerprint>.trt<M.m.p>.sm<CC>.<precision>.engine"
std::string engine_file_name(const std::string& model_stem, const std::string& fingerprint,
                             const EngineKey& key);
// The cached engine for an ONNX model: <model folder>/engines/<engine_file_name>. Reads the
// model to fingerprint it; throws ModelError naming the file when it cannot.
std::string derived_engine_path(const std::string& onnx_path, const EngineKey& key);

}  // namespace rcpilot::perception
