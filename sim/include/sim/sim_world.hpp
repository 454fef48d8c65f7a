#pragma once
// The simulated world: one car on one track, advanced lazily and deterministically in fixed
// physics ticks up to whatever time the caller names. Thread-safe.
#include <mutex>
#include <vector>

#include <opencv2/core.hpp>

#include "common/clock.hpp"
#include "common/pi_mutex.hpp"
#include "config/config.hpp"
#include "sim/camera_effects.hpp"
#include "sim/car.hpp"
#include "sim/expert.hpp"
#include "sim/renderer.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {

// How the car is doing on the track.
struct Progress {
  int laps = 0;                    // forward laps completed (see SimWorld)
  double s_m = 0.0;                // arc length along the track, [0, track_length_m)
  double cte_m = 0.0;              // signed cross-track error now, + = left of the centreline
  double heading_error_rad = 0.0;  // car yaw minus track heading, (-pi, pi]
  double mean_abs_cte_m = 0.0;     // distance-weighted mean |cte| since start
  double max_abs_cte_m = 0.0;      // largest |cte| since start
  double mean_cte_m = 0.0;         // distance-weighted mean signed cte since start (+ left)
  int off_track_events = 0;        // on -> off track transitions (|cte| > road_width / 2)
  double off_track_s = 0.0;        // simulated s spent off the road since start
  double laps_end_s = 0.0;         // simulated s from the start to the last counted lap
  double best_lap_s = 0.0;         // shortest lap, simulated s (the first from the start); 0: none
  bool on_track = true;
  double distance_m = 0.0;  // path length driven (either direction)
  double track_length_m = 0.0;
};

class SimWorld {
 public:
  // Where the car was, and its body pitch, at one physics tick (motion blur, latency).
  struct PastPose {
    Pose2 pose;
    double nose_up_deg = 0.0;  // deg, + nose up
  };

  // Physics tick: commands take effect at the next tick boundary.
  static constexpr double kPhysicsDtS = 0.002;

  // The car starts at the track's start pose, at rest. Builds the renderer (~0.1-0.3 s).
  SimWorld(const config::SimConfig& sim, const config::CameraConfig& camera, Track track,
           TimePoint start);

  // Advances to `now` with the previous command, then holds (steer, throttle) norm from now on.
  void set_command(double steering_norm, double throttle_norm, TimePoint now);
  // Steps physics up to `now` (no-op when `now` is not later than the world's time).
  void advance_to(TimePoint now);
  // Renders the camera view into `bgr` (re-used when already sized): the world as it was
  // sim.latency_ms ago (capture_latency()), averaged over sim.exposure_ms before that (motion
  // blur), then sim's camera effects (auto exposure, noise, JPEG). With none of them set, the
  // view at the current pose.
  void render(cv::Mat& bgr) const;
  // How long before delivery a rendered frame was captured (sim.latency_ms).
  Duration capture_latency() const { return latency_; }
  // Re-rolls image-space lighting (seed, 0..1 strength).
  void set_lighting(unsigned seed, double variation);

  CarState car() const;
  Progress progress() const;
  TimePoint time() const;
  // What the expert would command at the current pose (the training label).
  ExpertCommand expert_command() const;
  // Teleports the car to s along the track, `lateral_offset_m` left of the centreline, heading
  // `heading_offset_rad` CCW from the track, at `speed_mps` with wheels straight. Keeps laps and
  // statistics; the jump itself counts as neither progress nor distance.
  void reset_pose(double s_m, double lateral_offset_m, double heading_offset_rad, double speed_mps);

  const Track& track() const { return track_; }

 private:
  void step_locked();
  void update_progress_locked();
  void count_lap_locked();  // a lap ended now: lap count and lap times
  void remember_pose_locked();
  // The pose `ago` before the world's time (the oldest remembered when further back).
  PastPose pose_ago_locked(Duration ago) const;

  // car, command, progress, time; the control loop takes it through SimMotorLink::send, so
  // priority inheritance keeps a preempted camera thread from holding the loop up.
  mutable PiMutex mutex_;
  mutable std::mutex render_mutex_;  // renderer lighting vs render()
  Track track_;
  Renderer renderer_;
  Expert expert_;
  Car car_;
  double steer_cmd_ = 0.0;
  double throttle_cmd_ = 0.0;
  TimePoint now_;
  Duration tick_;
  Progress progress_;
  TrackProjection where_;
  double lap_progress_m_ = 0.0;    // net forward progress since the last counted lap
  double abs_cte_integral_ = 0.0;  // |cte| * distance, for the mean
  double cte_integral_ = 0.0;      // signed cte * distance, for the bias
  TimePoint start_;                // when the world started (lap times count from here)
  // Camera realism (docs/simulator.md).
  Duration latency_{};
  Duration exposure_{};
  double accel_pitch_deg_per_mps2_ = 0.0;
  double nose_up_deg_ = 0.0;               // body pitch now, deg (+ nose up), suspension-filtered
  std::vector<PastPose> history_;          // ring, one entry per physics tick
  std::size_t history_next_ = 0;           // slot the next tick writes
  std::size_t history_size_ = 0;           // valid entries
  mutable CameraEffects effects_;          // under render_mutex_
  mutable cv::Mat blur_sum_, blur_frame_;  // under render_mutex_
};

}  // namespace rcpilot::sim
