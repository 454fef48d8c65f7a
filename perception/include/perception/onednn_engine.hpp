#pragma once
// InferenceEngine on oneDNN (Intel's deep-learning primitives, Debian's libdnnl): the ONNX graph
// read with the ONNX project's protobuf classes and run as oneDNN convolution, inner-product,
// pooling, eltwise and reorder primitives with ReLU and bias-add fused. On this project's x86
// machines it runs the bundled model about 3x faster than OpenCV DNN (bench/RESULTS.md).
//
// It lives in a plugin, librcpilot-onednn.so, loaded only when model.backend asks for it:
// oneDNN runs its threads on OpenMP, and libgomp reads its wait policy once, when it is loaded.
// Its default (spin ~20 ms after every parallel region) would burn a core between frames, so
// the loader sets OMP_WAIT_POLICY=PASSIVE (unless the environment sets it) before loading.
#include <cstddef>
#include <memory>
#include <string>

#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

// The network uses an ONNX operator or attribute the oneDNN backend does not run.
// model.backend auto falls back to OpenCV DNN on this error (and only on this one).
class UnsupportedModelError : public ModelError {
 public:
  using ModelError::ModelError;
};

// Numbers the network computes in (model.precision). bf16 halves the weights' memory traffic
// and, on CPUs that compute bfloat16 natively (AVX512-BF16, AMX), roughly doubles the speed;
// outputs move by about 1e-3 (bench/RESULTS.md, tests). Accumulation stays float32.
enum class OneDnnPrecision {
  kAuto,  // bf16 where the CPU computes it natively, else fp32
  kFp32,
  kBf16,  // refused (ModelError) on a CPU without native bfloat16
};

struct OneDnnOptions {
  int threads = 1;  // OpenMP threads for inference (>= 1)
  OneDnnPrecision precision = OneDnnPrecision::kAuto;
};

// model.precision as the onednn backend reads it: auto, fp32 or bf16. Throws ModelError naming
// the key for anything else (fp16 is TensorRT's).
OneDnnPrecision parse_onednn_precision(const std::string& name);

// Loads the model and checks it against its metadata before anything moves, like
// OpenCvDnnEngine: file, input name and shape, output names, and a probe forward of a zero
// tensor. The threads are set on the calling thread and again on the thread that calls run().
// Throws ModelError (UnsupportedModelError for an operator it cannot run). Defined in the
// plugin and in the static library rcpilot_onednn.
std::unique_ptr<InferenceEngine> make_onednn_engine(const std::string& model_path,
                                                    const ModelMetadata& metadata,
                                                    const OneDnnOptions& options);

using OneDnnFactory = std::unique_ptr<InferenceEngine> (*)(const std::string& model_path,
                                                           const ModelMetadata& metadata,
                                                           const OneDnnOptions& options);

// The plugin's one exported function: it sets `factory` and reports the plugin's
// kOneDnnPluginAbi and sizeof(ModelMetadata), so a plugin from another build is refused.
inline constexpr const char* kOneDnnPluginFile = "librcpilot-onednn.so";
inline constexpr const char* kOneDnnPluginEntry = "rcpilot_onednn_plugin";
inline constexpr int kOneDnnPluginAbi = 2;
using OneDnnPluginEntry = int (*)(OneDnnFactory* factory, std::size_t* metadata_size);

// Whether the plugin is installed beside this executable (<bin>/../lib/rcpilot/).
bool onednn_plugin_installed();

// Loads the plugin (once per process; `path` defaults to the installed one) and returns its
// factory. Throws ModelError naming model.backend and the plugin file when it is missing or
// from another build.
OneDnnFactory load_onednn_plugin(const std::string& path = "");

}  // namespace rcpilot::perception
