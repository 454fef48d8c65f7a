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

// Loads the model and checks it against its metadata before anything moves, like
// OpenCvDnnEngine: file, input name and shape, output names, and a probe forward of a zero
// tensor. `threads`: OpenMP threads for inference (>= 1), set on the calling thread and again
// on the thread that calls run(). Throws ModelError (UnsupportedModelError for an operator it
// cannot run). Defined in the plugin and in the static library rcpilot_onednn.
std::unique_ptr<InferenceEngine> make_onednn_engine(const std::string& model_path,
                                                    const ModelMetadata& metadata, int threads);

using OneDnnFactory = std::unique_ptr<InferenceEngine> (*)(const std::string& model_path,
                                                           const ModelMetadata& metadata,
                                                           int threads);

// The plugin's one exported function: it sets `factory` and reports the plugin's
// kOneDnnPluginAbi and sizeof(ModelMetadata), so a plugin from another build is refused.
inline constexpr const char* kOneDnnPluginFile = "librcpilot-onednn.so";
inline constexpr const char* kOneDnnPluginEntry = "rcpilot_onednn_plugin";
inline constexpr int kOneDnnPluginAbi = 1;
using OneDnnPluginEntry = int (*)(OneDnnFactory* factory, std::size_t* metadata_size);

// Whether the plugin is installed beside this executable (<bin>/../lib/rcpilot/).
bool onednn_plugin_installed();

// Loads the plugin (once per process; `path` defaults to the installed one) and returns its
// factory. Throws ModelError naming model.backend and the plugin file when it is missing or
// from another build.
OneDnnFactory load_onednn_plugin(const std::string& path = "");

}  // namespace rcpilot::perception
