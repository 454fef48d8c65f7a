#pragma once
// Training data from the simulator: camera frames labelled with the expert's command, with
// recovery situations (off-centre and off-heading poses, steering drift) and varied looks.
#include <cstddef>
#include <functional>

#include <opencv2/core.hpp>

#include "config/config.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {

struct DatasetOptions {
  std::size_t samples = 10000;        // records to produce
  unsigned seed = 1;                  // everything below is deterministic for a seed
  double sample_dt_s = 0.05;          // s of simulated driving between samples
  double episode_s = 15.0;            // s per episode: new start point and lighting
  int texture_every_episodes = 8;     // new ground texture every N episodes (~0.5-1 s to build)
  double lighting_variation = 0.8;    // 0..1, per-episode lighting strength
  double texture_variation = 0.8;     // 0..1, per-texture colour/noise strength
  double recovery_interval_s = 3.0;   // s, mean time between off-centre/off-heading resets
  double max_lateral_fraction = 0.6;  // reset offset up to this fraction of half the road width
  double max_heading_deg = 22.0;      // reset heading error up to this, either side
  double steer_noise = 0.08;          // norm, std dev of noise on the APPLIED steering
  double drift_interval_s = 4.0;      // s, mean time between drift episodes
  double drift_duration_s = 1.0;      // s, how long a drift lasts (+-50%)
  double drift_max = 0.35;            // norm, largest steering bias applied during a drift
  double throttle_jitter = 0.15;      // per-episode relative change of the applied throttle
  double reverse_fraction = 0.5;      // share of episodes driven the other way round (balances
                                      // left/right curves)
};

// One training record. Labels are always the expert's command at the pose of the frame.
struct Sample {
  cv::Mat bgr;                 // camera frame; the buffer is re-used: copy it to keep it
  float steering_norm = 0.0f;  // label: expert steering, -1 left .. +1 right
  float throttle_norm = 0.0f;  // label: expert throttle
  std::size_t index = 0;       // 0-based record number
  int episode = 0;
  bool reversed = false;  // driven on the reversed track (s, cte refer to it)
  double s_m = 0.0;       // arc length along the track
  double cte_m = 0.0;     // signed cross-track error, + = left
  double heading_error_rad = 0.0;
  double speed_mps = 0.0;
  float applied_steering_norm = 0.0f;  // what was actually sent to the car after this frame
};

// Drives the expert around `track` and hands `options.samples` records to `sink` in order.
void generate_dataset(const config::SimConfig& sim, const config::CameraConfig& camera,
                      const Track& track, const DatasetOptions& options,
                      const std::function<void(const Sample&)>& sink);

}  // namespace rcpilot::sim
