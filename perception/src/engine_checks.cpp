#include "engine_checks.hpp"

#include <algorithm>
#include <sstream>

namespace rcpilot::perception::detail {
namespace {

// True when the declared dims agree with `expected`; -1 (symbolic) matches anything.
bool dims_match(const std::vector<int>& declared, const std::vector<int>& expected) {
  if (declared.size() != expected.size()) return false;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    if (declared[i] >= 0 && declared[i] != expected[i]) return false;
  }
  return true;
}

}  // namespace

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out.empty() ? "(none)" : out;
}

void check_declared_input(const std::string& model_path, const ModelMetadata& metadata,
                          const std::map<std::string, std::vector<int>>& declared) {
  if (declared.empty()) return;
  const auto it = declared.find(metadata.input.name);
  if (it == declared.end()) {
    std::vector<std::string> names;
    for (const auto& kv : declared) names.push_back(kv.first);
    throw ModelError("model '" + model_path + "' has no input '" + metadata.input.name +
                     "' (named in " + metadata.source_path + "); its inputs: " + join_names(names) +
                     "; fix input.name in the metadata");
  }
  if (!dims_match(it->second, metadata.input.shape)) {
    throw ModelError("model '" + model_path + "' expects input shape " + format_shape(it->second) +
                     " but its metadata " + metadata.source_path + " says " +
                     format_shape(metadata.input.shape) +
                     "; use the metadata written with this model or re-export the model");
  }
}

cv::Mat zero_input(const ModelMetadata& metadata) {
  const auto& shape = metadata.input.shape;
  return cv::Mat(static_cast<int>(shape.size()), shape.data(), CV_32F, cv::Scalar(0));
}

void check_probe_outputs(const std::string& model_path, const ModelMetadata& metadata,
                         const std::vector<cv::Mat>& outputs) {
  const ModelOutputs& out = metadata.outputs;
  const std::vector<std::string> names = out.names();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::size_t needed = out.values_needed(i);
    const bool fits =
        out.single_vector ? outputs[i].total() >= needed : outputs[i].total() == needed;
    if (fits && outputs[i].type() == CV_32F) continue;
    std::ostringstream msg;
    msg << "model '" << model_path << "' output '" << names.at(i) << "' has " << outputs[i].total()
        << " value(s) of OpenCV type " << outputs[i].type() << ", but " << metadata.source_path
        << " needs " << out.describe_needed(i)
        << "; fix outputs in the metadata (outputs.categorical for bin scores) or re-export the "
           "model";
    throw ModelError(msg.str());
  }
}

}  // namespace rcpilot::perception::detail
