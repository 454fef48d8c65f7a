#pragma once
// Reads the declared input shapes of an ONNX file without protobuf, so start-up validation can
// name the network's real input shape. Private to the perception library.
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rcpilot::perception::detail {

// Graph inputs (initializers excluded) and their dims; -1 for a symbolic or unknown dim.
// Returns an empty map when the file cannot be read or parsed (cv::dnn reports those).
std::map<std::string, std::vector<int>> read_onnx_input_shapes(const std::string& path);

}  // namespace rcpilot::perception::detail
