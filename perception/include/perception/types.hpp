#pragma once
// Messages of the perception component.
#include <cstdint>

#include <opencv2/core/mat.hpp>

#include "common/clock.hpp"
#include "perception/prediction.hpp"

namespace rcpilot::perception {

// One camera image.
struct Frame {
  cv::Mat bgr;                 // 8-bit BGR pixels, camera.width x camera.height
  std::uint64_t sequence = 0;  // 1, 2, ... per camera; 0 means "no frame"
  // CLOCK_MONOTONIC time of capture as the source stamps it (live GStreamer sources: the
  // buffer's timestamp; sim: the rendered instant), else when it was pulled (docs/cameras.md).
  TimePoint captured_at{};
};

}  // namespace rcpilot::perception
