#include "sim/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "sim/sim_world.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kRescueMarginM = 0.15;  // beyond the road edge: put the car back
constexpr double kRescueHeadingRad = 1.2;

class DatasetRun {
 public:
  DatasetRun(const config::SimConfig& sim, const config::CameraConfig& camera, const Track& track,
             const DatasetOptions& options, const std::function<void(const Sample&)>& sink)
      : sim_(sim),
        camera_(camera),
        tracks_{track, track.reversed()},
        opt_(options),
        sink_(sink),
        rng_(options.seed) {
    dt_ = seconds_to_duration(opt_.sample_dt_s);
  }

  void run() {
    for (int episode = 0; next_index_ < opt_.samples; ++episode) run_episode(episode);
  }

 private:
  double exponential(double mean) { return -mean * std::log(1.0 - rng_.uniform(0.0, 0.999)); }

  void start_episode(int episode) {
    const int every = std::max(1, opt_.texture_every_episodes);
    if (episode % every == 0) {
      config::SimConfig sim = sim_;
      sim.seed = opt_.seed * 7919u + static_cast<unsigned>(episode / every);
      sim.texture_variation = opt_.texture_variation;
      sim.lighting_variation = 0.0;
      for (int i = 0; i < 2; ++i)
        worlds_[i] = std::make_unique<SimWorld>(sim, camera_, tracks_[i], now_);
    }
    reversed_ = rng_.uniform(0.0, 1.0) < opt_.reverse_fraction;
    world_ = worlds_[reversed_ ? 1 : 0].get();
    world_->advance_to(now_);  // catch up the idle world before teleporting its car
    world_->set_lighting(opt_.seed * 104729u + static_cast<unsigned>(episode),
                         opt_.lighting_variation);
    throttle_factor_ = 1.0 + opt_.throttle_jitter * rng_.uniform(-1.0, 1.0);
    const double half = tracks_[0].road_width_m() / 2;
    const double speed = sim_.expert_throttle * sim_.max_speed_mps * rng_.uniform(0.5, 1.0);
    world_->reset_pose(rng_.uniform(0.0, tracks_[0].length_m()),
                       0.3 * half * rng_.uniform(-1.0, 1.0),
                       5.0 * kDegToRad * rng_.uniform(-1.0, 1.0), speed);
    next_recovery_s_ = exponential(opt_.recovery_interval_s);
    next_drift_s_ = exponential(opt_.drift_interval_s);
    drift_left_s_ = 0.0;
  }

  void run_episode(int episode) {
    start_episode(episode);
    const int steps = std::max(1, static_cast<int>(opt_.episode_s / opt_.sample_dt_s));
    for (int i = 0; i < steps && next_index_ < opt_.samples; ++i) {
      now_ += dt_;
      world_->advance_to(now_);
      perturb_pose();
      emit(episode);
    }
  }

  // Recovery data: occasionally (and whenever the car has left the road) jump off-centre.
  void perturb_pose() {
    const Progress p = world_->progress();
    const bool lost = std::fabs(p.cte_m) > tracks_[0].road_width_m() / 2 + kRescueMarginM ||
                      std::fabs(p.heading_error_rad) > kRescueHeadingRad;
    next_recovery_s_ -= opt_.sample_dt_s;
    if (!lost && next_recovery_s_ > 0) return;
    next_recovery_s_ = exponential(opt_.recovery_interval_s);
    drift_left_s_ = 0.0;
    const double lateral = opt_.max_lateral_fraction * tracks_[0].road_width_m() / 2;
    world_->reset_pose(p.s_m, lateral * rng_.uniform(-1.0, 1.0),
                       opt_.max_heading_deg * kDegToRad * rng_.uniform(-1.0, 1.0),
                       world_->car().speed_mps);
  }

  // Applied steering: the label plus noise and, now and then, a drift the label corrects.
  double applied_steering(double label) {
    next_drift_s_ -= opt_.sample_dt_s;
    if (drift_left_s_ <= 0 && next_drift_s_ <= 0) {
      drift_left_s_ = opt_.drift_duration_s * rng_.uniform(0.5, 1.5);
      drift_bias_ = opt_.drift_max * rng_.uniform(-1.0, 1.0);
      next_drift_s_ = exponential(opt_.drift_interval_s);
    }
    double steer = label + rng_.gaussian(opt_.steer_noise);
    if (drift_left_s_ > 0) {
      steer += drift_bias_;
      drift_left_s_ -= opt_.sample_dt_s;
    }
    return std::clamp(steer, -1.0, 1.0);
  }

  void emit(int episode) {
    world_->render(sample_.bgr);
    const ExpertCommand label = world_->expert_command();
    const Progress p = world_->progress();
    sample_.steering_norm = label.steering_norm;
    sample_.throttle_norm = label.throttle_norm;
    sample_.index = next_index_++;
    sample_.episode = episode;
    sample_.reversed = reversed_;
    sample_.s_m = p.s_m;
    sample_.cte_m = p.cte_m;
    sample_.heading_error_rad = p.heading_error_rad;
    sample_.speed_mps = world_->car().speed_mps;
    const double steer = applied_steering(label.steering_norm);
    sample_.applied_steering_norm = static_cast<float>(steer);
    sink_(sample_);
    world_->set_command(steer, label.throttle_norm * throttle_factor_, now_);
  }

  const config::SimConfig& sim_;
  const config::CameraConfig& camera_;
  const Track tracks_[2];  // forward and reversed; same road, so the same geometry numbers
  const DatasetOptions& opt_;
  const std::function<void(const Sample&)>& sink_;
  cv::RNG rng_;
  Duration dt_{};
  TimePoint now_{};
  std::unique_ptr<SimWorld> worlds_[2];
  SimWorld* world_ = nullptr;
  bool reversed_ = false;
  Sample sample_;
  std::size_t next_index_ = 0;
  double throttle_factor_ = 1.0;
  double next_recovery_s_ = 0.0;
  double next_drift_s_ = 0.0;
  double drift_left_s_ = 0.0;
  double drift_bias_ = 0.0;
};

}  // namespace

void generate_dataset(const config::SimConfig& sim, const config::CameraConfig& camera,
                      const Track& track, const DatasetOptions& options,
                      const std::function<void(const Sample&)>& sink) {
  DatasetRun(sim, camera, track, options, sink).run();
}

}  // namespace rcpilot::sim
