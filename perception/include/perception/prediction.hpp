#pragma once
// The pilot's message to the control loop. Free of OpenCV, so the real-time core can take it
// without linking the vision stack.
#include <cstdint>

#include "common/clock.hpp"

namespace rcpilot::perception {

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
