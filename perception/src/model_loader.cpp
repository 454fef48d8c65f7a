#include "perception/model_loader.hpp"

#include <filesystem>

#include <spdlog/spdlog.h>

#include "perception/onednn_engine.hpp"
#include "perception/opencv_dnn_engine.hpp"
#include "perception/tensorrt_engine.hpp"

namespace rcpilot::perception {
namespace {

// model.precision for TensorRT: auto means fp16, which every Jetson GPU runs at twice fp32's speed.
EnginePrecision tensorrt_precision(const config::ModelConfig& model) {
  return parse_engine_precision(model.precision == "auto" ? "fp16" : model.precision);
}

// model.engine, or the cached engine of model.path for this TensorRT, GPU and precision.
std::string tensorrt_engine_path(const config::ModelConfig& model, const std::string& onnx_path,
                                 const std::string& configured_engine) {
  if (!model.engine.empty()) return configured_engine;
  const EnginePrecision precision = tensorrt_precision(model);
  const std::string path = derived_engine_path(onnx_path, detect_engine_key(precision));
  if (!std::filesystem::exists(path)) {
    const std::string name = precision_name(precision);
    throw ModelError("no TensorRT engine for model '" + onnx_path + "' at " + path +
                     " (this TensorRT, GPU and model.precision: " + name +
                     "): build it with scripts/build-trt-engine --onnx " + onnx_path +
                     " --precision " + name +
                     " (minutes on a Nano; scripts/install does it), or set model.engine");
  }
  return path;
}

// auto: oneDNN for the CPU when its plugin is installed; OpenCV DNN for its CUDA targets.
bool prefer_onednn(const config::ModelConfig& model) {
  return model.target == "cpu" && onednn_plugin_installed();
}

// The oneDNN engine; for model.backend auto, null (use OpenCV DNN) when the network has an
// operator oneDNN's backend does not run.
std::unique_ptr<InferenceEngine> onednn_engine_or_fallback(const config::ModelConfig& model,
                                                           const LoadedModel& loaded) {
  if (model.backend == "onednn" && model.target != "cpu") {
    throw ModelError("model.target: " + model.target +
                     " is an OpenCV DNN target; model.backend onednn runs on the CPU: set "
                     "model.target: cpu or model.backend: opencv");
  }
  try {
    const OneDnnOptions options{model.threads, parse_onednn_precision(model.precision)};
    return load_onednn_plugin()(loaded.model_path, loaded.metadata, options);
  } catch (const UnsupportedModelError& e) {
    if (model.backend == "onednn") throw;
    spdlog::warn("model.backend auto: {}; using OpenCV DNN (fp32)", e.what());
    return nullptr;
  }
}

// OpenCV DNN computes fp32 on the CPU (half precision on a GPU is model.target cuda_fp16).
// Asked for by name, a reduced precision is refused; reached through model.backend auto, it is
// a warning.
void check_opencv_precision(const config::ModelConfig& model) {
  if (model.precision == "auto" || model.precision == "fp32") return;
  const std::string what = "model.precision " + model.precision +
                           ": OpenCV DNN computes fp32 (on a GPU, model.target cuda_fp16 gives "
                           "half precision)";
  if (model.backend == "opencv") {
    throw ModelError(what + "; set model.precision: auto or fp32, or model.backend: onednn");
  }
  spdlog::warn("{}; running fp32", what);
}

// model.path as written, and where it points when that is elsewhere, for errors.
std::string model_path_text(const config::ModelConfig& model, const std::string& resolved,
                            const std::string& base_dir) {
  std::string text = "model.path '" + model.path + "'";
  if (model.path == config::ModelConfig{}.path) text += " (the default)";
  if (resolved != model.path) {
    text += ", relative to the config file's folder " + base_dir + ", is '" + resolved + "'";
  }
  return text;
}

// The ONNX file must exist and be a file (OpenCV reports a folder as "protobuf parse failed").
void require_model_file(const config::ModelConfig& model, const std::string& resolved,
                        const std::string& base_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(resolved, ec);
  const std::string fix =
      "; set model.path to your .onnx model (relative paths start at the config file's folder), "
      "or train or copy one (docs/models.md)";
  if (!fs::exists(status)) {
    throw ModelError(model_path_text(model, resolved, base_dir) + ": not found" + fix);
  }
  if (!fs::is_regular_file(status)) {
    throw ModelError(model_path_text(model, resolved, base_dir) + ": is " +
                     (fs::is_directory(status) ? "a folder" : "not a regular file") +
                     ", not a model file" + fix);
  }
}

}  // namespace

LoadedModel load_model(const config::ModelConfig& model, const std::string& base_dir) {
  namespace fs = std::filesystem;
  const auto resolve = [&](const std::string& p) {
    return fs::path(p).is_absolute() || base_dir.empty()
               ? p
               : (fs::path(base_dir) / p).lexically_normal().string();
  };
  LoadedModel loaded;
  loaded.model_path = resolve(model.path);
  const std::string metadata_path =
      model.metadata.empty() ? default_metadata_path(loaded.model_path) : resolve(model.metadata);
  if (model.backend == "tensorrt") {
    require_tensorrt_build();
    TensorRtOptions options;
    options.precision = tensorrt_precision(model);
    options.onnx_path = loaded.model_path;
    options.engine_path = tensorrt_engine_path(model, loaded.model_path, resolve(model.engine));
    loaded.metadata = load_model_metadata(metadata_path);
    loaded.engine = make_tensorrt_engine(options, loaded.metadata);
    return loaded;
  }
  require_model_file(model, loaded.model_path, base_dir);
  loaded.metadata = load_model_metadata(metadata_path);
  if (model.backend == "onednn" || (model.backend == "auto" && prefer_onednn(model))) {
    loaded.engine = onednn_engine_or_fallback(model, loaded);
    if (loaded.engine) return loaded;
  } else if (model.backend != "opencv" && model.backend != "auto") {
    throw ModelError("model.backend '" + model.backend +
                     "' is not one of auto, opencv, onednn, tensorrt");
  }
  check_opencv_precision(model);
  const DnnTarget target = parse_dnn_target(model.target);
  loaded.engine =
      std::make_unique<OpenCvDnnEngine>(loaded.model_path, loaded.metadata, model.threads, target);
  return loaded;
}

std::unique_ptr<Pilot> make_pilot(const config::Config& cfg) {
  auto model = load_model(cfg.model, cfg.base_dir);
  return std::make_unique<Pilot>(std::move(model.engine), std::move(model.metadata));
}

}  // namespace rcpilot::perception
