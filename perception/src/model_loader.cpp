#include "perception/model_loader.hpp"

#include <filesystem>

#include "perception/opencv_dnn_engine.hpp"
#include "perception/tensorrt_engine.hpp"

namespace rcpilot::perception {
namespace {

// model.engine, or the cached engine of model.path for this TensorRT, GPU and precision.
std::string tensorrt_engine_path(const config::ModelConfig& model, const std::string& onnx_path,
                                 const std::string& configured_engine) {
  if (!model.engine.empty()) return configured_engine;
  const EnginePrecision precision = parse_engine_precision(model.precision);
  const std::string path = derived_engine_path(onnx_path, detect_engine_key(precision));
  if (!std::filesystem::exists(path)) {
    throw ModelError("no TensorRT engine for model '" + onnx_path + "' at " + path +
                     " (this TensorRT, GPU and model.precision: " + model.precision +
                     "): build it with scripts/build-trt-engine --onnx " + onnx_path +
                     " --precision " + model.precision +
                     " (minutes on a Nano; scripts/install does it), or set model.engine");
  }
  return path;
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
    options.precision = parse_engine_precision(model.precision);
    options.onnx_path = loaded.model_path;
    options.engine_path = tensorrt_engine_path(model, loaded.model_path, resolve(model.engine));
    loaded.metadata = load_model_metadata(metadata_path);
    loaded.engine = make_tensorrt_engine(options, loaded.metadata);
    return loaded;
  }
  if (model.backend != "opencv") {
    throw ModelError("model.backend '" + model.backend + "' is not one of opencv, tensorrt");
  }
  if (!fs::exists(loaded.model_path)) {
    throw ModelError("model file '" + loaded.model_path +
                     "' not found: train or copy a model, see docs/models.md");
  }
  const DnnTarget target = parse_dnn_target(model.target);
  loaded.metadata = load_model_metadata(metadata_path);
  loaded.engine = std::make_unique<OpenCvDnnEngine>(loaded.model_path, loaded.metadata,
                                                    model.threads, target);
  return loaded;
}

}  // namespace rcpilot::perception
