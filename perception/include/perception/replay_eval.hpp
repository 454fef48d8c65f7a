#pragma once
// Offline evaluation: runs the pilot over a recorded tub and compares its predictions with the
// recorded human (or expert) commands.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/stats.hpp"
#include "perception/pilot.hpp"
#include "perception/tub_reader.hpp"

namespace rcpilot::perception {

// One evaluated record.
struct EvalSample {
  std::int64_t index = 0;           // tub record _index
  float recorded_steering = 0.0f;   // user/angle, -1..1
  float recorded_throttle = 0.0f;   // user/throttle, -1..1
  float predicted_steering = 0.0f;  // pilot steering_norm, -1..1
  float predicted_throttle = 0.0f;  // pilot throttle_norm, -1..1
  float inference_ms = 0.0f;        // ms in the inference engine for this record
};

struct EvalResult {
  std::vector<EvalSample> samples;  // records evaluated, in index order
  std::size_t skipped = 0;          // records without an image, angle or throttle
  std::size_t invalid = 0;          // records whose prediction was invalid (not in samples)
  std::string last_error;           // why the last invalid prediction was invalid
  double steering_mae = 0.0;        // mean |predicted - recorded| steering, norm
  double throttle_mae = 0.0;        // mean |predicted - recorded| throttle, norm
  Percentiles inference_ms;         // inference time over the samples, ms
};

// Runs `pilot` on every record of `tub` (or the first `limit`, 0: all) with both labels and an
// image. Throws TubError naming the tub when no record has both labels and an image (nothing to
// compare with), or when an image cannot be read.
EvalResult evaluate_tub(Pilot& pilot, const TubReader& tub, const Clock& clock,
                        std::size_t limit = 0);

// The result as a short human-readable report (MAE, inference p50/p99, counts).
std::string format_eval(const EvalResult& result);

// Draws recorded vs predicted steering over the records as a `width` x `height` px BGR image
// (rcpilot-eval writes it as PNG; encoding stays out of perception, see jpeg_codec.hpp).
cv::Mat plot_steering(const EvalResult& result, int width = 1000, int height = 400);

}  // namespace rcpilot::perception
