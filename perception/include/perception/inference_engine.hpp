#pragma once
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace rcpilot::perception {

// Runs a network on one preprocessed input tensor.
class InferenceEngine {
 public:
  virtual ~InferenceEngine() = default;
  // Runs the network on `input` (float32 blob in the model's layout) and fills `outputs` in
  // the order of output_names(). Throws std::runtime_error on failure (start-up and pilot
  // thread only; never called from the control loop).
  virtual void run(const cv::Mat& input, std::vector<cv::Mat>& outputs) = 0;
  virtual std::vector<std::string> output_names() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace rcpilot::perception
