#include "perception/preprocessor.hpp"

#include <opencv2/imgproc.hpp>

namespace rcpilot::perception {
namespace {

int to_cv_interpolation(Interpolation interpolation) {
  switch (interpolation) {
    case Interpolation::kNearest:
      return cv::INTER_NEAREST;
    case Interpolation::kLinear:
      return cv::INTER_LINEAR;
    case Interpolation::kCubic:
      return cv::INTER_CUBIC;
    case Interpolation::kArea:
      break;
  }
  return cv::INTER_AREA;
}

}  // namespace

Preprocessor::Preprocessor(const ModelInput& input) : input_(input) {
  for (int k = 0; k < 3; ++k) {
    // Tensor channel k is colour k of `color`; in a BGR frame, R is channel 2.
    src_channel_[k] = input_.color == ColorOrder::kRgb ? 2 - k : k;
    for (int v = 0; v < 256; ++v) {
      lut_[k][v] = static_cast<float>((v * input_.scale - input_.mean[k]) / input_.stddev[k]);
    }
  }
  tensor_.create(static_cast<int>(input_.shape.size()), input_.shape.data(), CV_32F);
}

const cv::Mat& Preprocessor::run(const cv::Mat& bgr) {
  if (bgr.empty() || bgr.type() != CV_8UC3) {
    throw ModelError("preprocessor: expected a non-empty 8-bit BGR frame (CV_8UC3)");
  }
  const cv::Mat src = resized_view(bgr);
  if (input_.layout == TensorLayout::kNchw) {
    fill_nchw(src);
  } else {
    fill_nhwc(src);
  }
  return tensor_;
}

cv::Mat Preprocessor::resized_view(const cv::Mat& bgr) {
  const int rows = bgr.rows - input_.crop_top - input_.crop_bottom;
  if (rows <= 0) {
    throw ModelError("preprocessor: crop (top " + std::to_string(input_.crop_top) + ", bottom " +
                     std::to_string(input_.crop_bottom) + ") leaves nothing of a " +
                     std::to_string(bgr.rows) + "-row frame; fix input.crop in the metadata");
  }
  const cv::Mat roi = bgr.rowRange(input_.crop_top, input_.crop_top + rows);
  if (roi.rows == input_.height() && roi.cols == input_.width()) return roi;  // header only
  // resized_ is only ever a resize target, so after the first frame cv::resize reuses it.
  cv::resize(roi, resized_, cv::Size(input_.width(), input_.height()), 0, 0,
             to_cv_interpolation(input_.interpolation));
  return resized_;
}

void Preprocessor::fill_nchw(const cv::Mat& src) {
  const int h = input_.height();
  const int w = input_.width();
  float* planes[3];
  for (int k = 0; k < 3; ++k)
    planes[k] = tensor_.ptr<float>() + static_cast<std::size_t>(k) * h * w;
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* row = src.ptr<std::uint8_t>(y);
    const std::size_t offset = static_cast<std::size_t>(y) * w;
    for (int k = 0; k < 3; ++k) {
      const auto& lut = lut_[k];
      const int c = src_channel_[k];
      float* out = planes[k] + offset;
      for (int x = 0; x < w; ++x) out[x] = lut[row[3 * x + c]];
    }
  }
}

void Preprocessor::fill_nhwc(const cv::Mat& src) {
  const int h = input_.height();
  const int w = input_.width();
  float* out = tensor_.ptr<float>();
  for (int y = 0; y < h; ++y) {
    const std::uint8_t* row = src.ptr<std::uint8_t>(y);
    for (int x = 0; x < w; ++x, out += 3) {
      const std::uint8_t* px = row + 3 * x;
      out[0] = lut_[0][px[src_channel_[0]]];
      out[1] = lut_[1][px[src_channel_[1]]];
      out[2] = lut_[2][px[src_channel_[2]]];
    }
  }
}

}  // namespace rcpilot::perception
