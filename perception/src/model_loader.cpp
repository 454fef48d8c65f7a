#include "perception/model_loader.hpp"

#include <filesystem>

#include "perception/opencv_dnn_engine.hpp"

namespace rcpilot::perception {

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
  if (model.backend != "opencv") {
    throw ModelError("model.backend '" + model.backend + "' is not available; use 'opencv'");
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
