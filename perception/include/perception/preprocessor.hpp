#pragma once
// Turns a camera frame into the float32 tensor a model expects (see ModelInput).
#include <array>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

// Crop, resize, colour order, scale/mean/std and layout in one pass over the (resized) pixels.
// Buffers are allocated once; after the first frame of a given size, run() does not allocate.
// Not thread-safe: one instance per pilot thread.
class Preprocessor {
 public:
  explicit Preprocessor(const ModelInput& input);

  // Converts an 8-bit BGR frame; returns the tensor (valid until the next call), shaped like
  // input.shape. Throws ModelError for an empty/non-BGR frame or a crop larger than the frame.
  const cv::Mat& run(const cv::Mat& bgr);

  const ModelInput& input() const { return input_; }

 private:
  cv::Mat resized_view(const cv::Mat& bgr);  // a header: the cropped frame or resized_
  void fill_nchw(const cv::Mat& src);
  void fill_nhwc(const cv::Mat& src);

  ModelInput input_;
  // lut_[k][v]: value of tensor channel k for uint8 value v; one table lookup per element
  // replaces scale, mean and std (exact, because the input is uint8).
  std::array<std::array<float, 256>, 3> lut_{};
  std::array<int, 3> src_channel_{};  // BGR channel feeding tensor channel k
  cv::Mat resized_;                   // reused resize target (never aliases a frame)
  cv::Mat tensor_;                    // reused output, float32, input.shape
};

}  // namespace rcpilot::perception
