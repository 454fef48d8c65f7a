#pragma once
// Messages of the perception component.
#include <cstdint>

#include <opencv2/core/mat.hpp>

#include "common/clock.hpp"

namespace rcpilot::perception {

// One camera image.
struct Frame {
  cv::Mat bgr;                  // 8-bit BGR pixels, camera.width x camera.height
  std::uint64_t sequence = 0;   // 1, 2, ... per camera; 0 means "no frame"
  TimePoint captured_at{};      // CLOCK_MONOTONIC time the frame was pulled from the camera
};

// The pilot's output for one frame.
struct Prediction {
  float steering_norm = 0.0f;      // -1 (left) .. +1 (right)
  float throttle_norm = 0.0f;      // -1 .. +1
  std::uint64_t frame_sequence = 0;  // sequence of the frame it was computed from
  TimePoint captured_at{};         // capture time of that frame
  TimePoint predicted_at{};        // time the prediction was published
  float preprocess_ms = 0.0f;      // ms spent preprocessing
  float inference_ms = 0.0f;       // ms spent in the inference engine
  bool valid = false;              // false: no usable output (never act on it)
};

}  // namespace rcpilot::perception
