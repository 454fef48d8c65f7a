#pragma once
// One call for main(): config -> validated engine + metadata.
#include <memory>
#include <string>

#include "config/config.hpp"
#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"
#include "perception/pilot.hpp"

namespace rcpilot::perception {

struct LoadedModel {
  std::unique_ptr<InferenceEngine> engine;
  ModelMetadata metadata;
  std::string model_path;  // resolved ONNX path
};

// Resolves model.path and model.metadata (empty: beside the model) against `base_dir` (the
// config file's folder), loads the metadata and builds the `model.backend` engine, which checks
// the network against the metadata. Throws ModelError (unknown backend, missing or bad files).
LoadedModel load_model(const config::ModelConfig& model, const std::string& base_dir);

// The pilot of `cfg`: load_model() on cfg.model against the config's folder.
std::unique_ptr<Pilot> make_pilot(const config::Config& cfg);

}  // namespace rcpilot::perception
