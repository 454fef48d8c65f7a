#pragma once
// Start-up checks every inference engine runs against the model metadata, so each backend
// rejects a mismatched model with the same message. Private to the perception library and
// its plugins.
#include <map>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "perception/model_metadata.hpp"

namespace rcpilot::perception::detail {

// "'a', 'b'" or "(none)".
std::string join_names(const std::vector<std::string>& names);

// The network's declared inputs (name -> dims, -1 for a symbolic dim) must contain the
// metadata's input with a matching shape. An empty map skips the check (an unreadable header:
// the probe still checks the shape). Throws ModelError naming both files and both shapes.
void check_declared_input(const std::string& model_path, const ModelMetadata& metadata,
                          const std::map<std::string, std::vector<int>>& declared);

// A zero tensor of the metadata's input shape, for the start-up probe.
cv::Mat zero_input(const ModelMetadata& metadata);

// The probe's outputs (metadata.outputs.names() order) must be float32 and hold the values the
// metadata promises. Throws ModelError naming the output and what to fix.
void check_probe_outputs(const std::string& model_path, const ModelMetadata& metadata,
                         const std::vector<cv::Mat>& outputs);

}  // namespace rcpilot::perception::detail
