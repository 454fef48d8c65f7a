// The TensorRT backend's entry points in a build without TensorRT: each says how to get it.
#include "perception/tensorrt_engine.hpp"

namespace rcpilot::perception {

bool tensorrt_built() { return false; }

void require_tensorrt_build() {
  throw ModelError(
      "model.backend: tensorrt, but this rcpilot was built without TensorRT (CMake found no "
      "NvInfer.h / libnvinfer and CUDA runtime). Install TensorRT (JetPack ships it; elsewhere "
      "the libnvinfer-dev and CUDA toolkit packages), rebuild with scripts/build "
      "-DRCPILOT_TENSORRT=ON (add -DTensorRT_ROOT=DIR when it is not under /usr), or set "
      "model.backend: opencv");
}

EngineKey detect_engine_key(EnginePrecision /*precision*/) {
  require_tensorrt_build();
  return {};
}

std::unique_ptr<InferenceEngine> make_tensorrt_engine(const TensorRtOptions& /*options*/,
                                                      const ModelMetadata& /*metadata*/) {
  require_tensorrt_build();
  return nullptr;
}

}  // namespace rcpilot::perception
