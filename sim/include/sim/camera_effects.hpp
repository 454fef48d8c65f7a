#pragma once
// What a real camera does to the image after the optics: auto exposure and white balance that
// follow the scene with a lag, sensor noise, and JPEG compression (docs/simulator.md).
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

#include "common/clock.hpp"
#include "config/config.hpp"

namespace rcpilot::sim {

class CameraEffects {
 public:
  // From sim.auto_exposure, auto_exposure_tau_s, noise_std, jpeg_quality and sim.seed.
  explicit CameraEffects(const config::SimConfig& sim);

  // True when apply() changes anything; false leaves every frame bit-identical.
  bool active() const { return auto_exposure_ || noise_std_ > 0 || jpeg_quality_ > 0; }
  // Applies the effects in sensor order (gains, noise, compression) to the frame captured at
  // `captured_at`. The gains react to the time between frames, not to how often this is
  // called; the noise is deterministic for sim.seed and the frame's number. Not thread-safe.
  void apply(cv::Mat& bgr, TimePoint captured_at);
  // Forgets the gains (a new scene, e.g. after a teleport): the next frame sets them afresh.
  void reset() { has_gains_ = false; }

  // The current per-channel gains (B, G, R), 1 when auto exposure is off.
  cv::Vec3d gains() const { return gains_; }

 private:
  void auto_expose(cv::Mat& bgr, TimePoint captured_at);
  void add_noise(cv::Mat& bgr);
  void compress(cv::Mat& bgr);

  bool auto_exposure_ = false;
  double tau_s_ = 0.5;
  double noise_std_ = 0.0;
  int jpeg_quality_ = 0;
  unsigned seed_ = 1;
  bool has_gains_ = false;
  cv::Vec3d gains_{1, 1, 1};
  TimePoint last_frame_{};
  std::uint64_t frame_ = 0;
  cv::Mat noise_up_, noise_down_;  // 2x the frame: |noise| where it is > 0, and where < 0
  std::vector<unsigned char> jpeg_;
};

// `base` with every camera realism effect on at the strengths of the `all-on` set of
// scripts/render-sim-effects (the evaluation suite's conditions, bench_render); the seed, mount
// pitch offset and road width stay as `base` has them.
config::SimConfig with_all_effects(config::SimConfig base);

}  // namespace rcpilot::sim
