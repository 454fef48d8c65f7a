#pragma once
// InferenceEngine on a serialized TensorRT engine (TensorRT 8.x bindings API or 10.x named
// tensors). Compiled in only when CMake found TensorRT (option RCPILOT_TENSORRT); otherwise
// every function here but tensorrt_built() throws a ModelError saying how to get it.
#include <memory>
#include <string>

#include "perception/engine_cache.hpp"
#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

// Whether this rcpilot was built with the TensorRT backend.
bool tensorrt_built();

// Throws ModelError naming model.backend when TensorRT is not built in.
void require_tensorrt_build();

// The running TensorRT library's version and the current GPU's compute capability, for the
// engine cache name. Throws ModelError when TensorRT is not built in or no GPU is visible.
EngineKey detect_engine_key(EnginePrecision precision);

struct TensorRtOptions {
  std::string engine_path;  // serialized engine (trtexec --saveEngine)
  std::string onnx_path;    // the model it was built from, named in rebuild advice
  EnginePrecision precision = EnginePrecision::kFp16;  // named in rebuild advice
};

// Deserializes the engine and checks it against the metadata before anything moves: the
// input name, shape and float32 type, and every metadata output's name, size and type. A
// mismatch is a ModelError naming the engine, the metadata file and both values. Buffers
// (pinned host, device) and the CUDA stream are allocated here once.
std::unique_ptr<InferenceEngine> make_tensorrt_engine(const TensorRtOptions& options,
                                                      const ModelMetadata& metadata);

}  // namespace rcpilot::perception
