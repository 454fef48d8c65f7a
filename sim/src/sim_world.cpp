#include "sim/sim_world.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::sim {
namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kLapFraction = 0.75;     // forward progress needed before a line crossing counts
constexpr double kSuspensionTauS = 0.08;  // s, how fast the body settles to its pitch
constexpr double kMaxBodyPitchDeg = 6.0;  // deg, the suspension's travel limits the pitch
constexpr int kBlurSamples = 3;           // views averaged over the exposure

// Whether the view changed enough during an exposure to blur (a parked car renders once).
bool moved(const SimWorld::PastPose& a, const SimWorld::PastPose& b) {
  constexpr double kStillM = 0.002, kStillRad = 0.002, kStillPitchDeg = 0.05;
  return std::hypot(a.pose.x_m - b.pose.x_m, a.pose.y_m - b.pose.y_m) > kStillM ||
         std::fabs(std::remainder(a.pose.yaw_rad - b.pose.yaw_rad, kTwoPi)) > kStillRad ||
         std::fabs(a.nose_up_deg - b.nose_up_deg) > kStillPitchDeg;
}

CarState state_at(const Pose2& p, double speed_mps) {
  CarState s;
  s.x_m = p.x_m;
  s.y_m = p.y_m;
  s.yaw_rad = p.yaw_rad;
  s.speed_mps = speed_mps;
  return s;
}

}  // namespace

SimWorld::SimWorld(const config::SimConfig& sim, const config::CameraConfig& camera, Track track,
                   TimePoint start)
    : track_(std::move(track)),
      renderer_(sim, camera, track_),
      expert_(track_, ExpertParams::from(sim)),
      car_(CarParams::from(sim), state_at(track_.start(), 0.0)),
      now_(start),
      tick_(seconds_to_duration(kPhysicsDtS)),
      start_(start),
      latency_(seconds_to_duration(sim.latency_ms / 1000.0)),
      exposure_(seconds_to_duration(sim.exposure_ms / 1000.0)),
      accel_pitch_deg_per_mps2_(sim.accel_pitch_deg_per_mps2),
      effects_(sim) {
  history_.resize(static_cast<std::size_t>((latency_ + exposure_) / tick_) + 2);
  remember_pose_locked();
  progress_.track_length_m = track_.length_m();
  where_ = track_.project(car_.state().x_m, car_.state().y_m);
  update_progress_locked();
}

void SimWorld::set_command(double steering_norm, double throttle_norm, TimePoint now) {
  std::lock_guard<PiMutex> lock(mutex_);
  while (now_ + tick_ <= now) step_locked();
  steer_cmd_ = std::isnan(steering_norm) ? 0.0 : steering_norm;
  throttle_cmd_ = std::isnan(throttle_norm) ? 0.0 : throttle_norm;
}

void SimWorld::advance_to(TimePoint now) {
  std::lock_guard<PiMutex> lock(mutex_);
  while (now_ + tick_ <= now) step_locked();
}

void SimWorld::step_locked() {
  const CarState before = car_.state();
  car_.step(steer_cmd_, throttle_cmd_, kPhysicsDtS);
  now_ += tick_;
  const CarState& after = car_.state();
  if (accel_pitch_deg_per_mps2_ > 0) {
    const double accel_mps2 = (after.speed_mps - before.speed_mps) / kPhysicsDtS;
    const double target =
        std::clamp(accel_pitch_deg_per_mps2_ * accel_mps2, -kMaxBodyPitchDeg, kMaxBodyPitchDeg);
    nose_up_deg_ += (target - nose_up_deg_) * kPhysicsDtS / (kSuspensionTauS + kPhysicsDtS);
  }
  remember_pose_locked();
  const double moved = std::hypot(after.x_m - before.x_m, after.y_m - before.y_m);
  progress_.distance_m += moved;
  const double prev_s = where_.s_m;
  where_ = track_.project(after.x_m, after.y_m, where_.index);
  double ds = where_.s_m - prev_s;
  if (ds < -track_.length_m() / 2) {
    ds += track_.length_m();  // crossed the start line going forward
    lap_progress_m_ += ds;
    if (lap_progress_m_ >= kLapFraction * track_.length_m()) {
      count_lap_locked();
      lap_progress_m_ = where_.s_m;
    }
  } else {
    if (ds > track_.length_m() / 2) ds -= track_.length_m();  // backwards over the line
    lap_progress_m_ += ds;
  }
  abs_cte_integral_ += std::fabs(where_.cte_m) * moved;
  cte_integral_ += where_.cte_m * moved;
  update_progress_locked();
  if (!progress_.on_track) progress_.off_track_s += kPhysicsDtS;
}

void SimWorld::count_lap_locked() {
  const double end_s = std::chrono::duration<double>(now_ - start_).count();
  const double lap_s = end_s - progress_.laps_end_s;
  progress_.best_lap_s = progress_.laps == 0 ? lap_s : std::min(progress_.best_lap_s, lap_s);
  progress_.laps_end_s = end_s;
  ++progress_.laps;
}

void SimWorld::update_progress_locked() {
  Progress& p = progress_;
  p.s_m = where_.s_m;
  p.cte_m = where_.cte_m;
  p.heading_error_rad = std::remainder(car_.state().yaw_rad - where_.heading_rad, kTwoPi);
  const double abs_cte = std::fabs(p.cte_m);
  p.max_abs_cte_m = std::max(p.max_abs_cte_m, abs_cte);
  p.mean_abs_cte_m = p.distance_m > 0 ? abs_cte_integral_ / p.distance_m : abs_cte;
  p.mean_cte_m = p.distance_m > 0 ? cte_integral_ / p.distance_m : p.cte_m;
  const bool on = abs_cte <= track_.road_width_m() / 2;
  if (p.on_track && !on) ++p.off_track_events;
  p.on_track = on;
}

void SimWorld::remember_pose_locked() {
  const CarState& c = car_.state();
  history_[history_next_] = {{c.x_m, c.y_m, c.yaw_rad}, nose_up_deg_};
  history_next_ = (history_next_ + 1) % history_.size();
  history_size_ = std::min(history_size_ + 1, history_.size());
}

SimWorld::PastPose SimWorld::pose_ago_locked(Duration ago) const {
  const auto ticks = static_cast<std::size_t>(std::max<long long>(
      0, static_cast<long long>(std::llround(static_cast<double>(ago.count()) / tick_.count()))));
  const std::size_t back = std::min(ticks, history_size_ - 1);
  const std::size_t n = history_.size();
  return history_[(history_next_ + n - 1 - back) % n];
}

void SimWorld::render(cv::Mat& bgr) const {
  PastPose views[kBlurSamples];
  int count = 1;
  TimePoint captured;
  {
    std::lock_guard<PiMutex> lock(mutex_);
    captured = now_ - latency_;
    if (exposure_ > Duration::zero() &&
        moved(pose_ago_locked(latency_), pose_ago_locked(latency_ + exposure_))) {
      count = kBlurSamples;
    }
    for (int k = 0; k < count; ++k) {
      const Duration into_exposure = count > 1 ? exposure_ * k / (count - 1) : Duration::zero();
      views[k] = pose_ago_locked(latency_ + into_exposure);
    }
  }
  std::lock_guard<std::mutex> lock(render_mutex_);
  if (count == 1) {
    renderer_.render(views[0].pose, bgr, views[0].nose_up_deg);
  } else {  // the sensor integrates the light over the exposure: average views across it
    for (int k = 0; k < count; ++k) {
      renderer_.render(views[k].pose, blur_frame_, views[k].nose_up_deg);
      if (k == 0) {
        blur_frame_.convertTo(blur_sum_, CV_16U);
      } else {
        cv::add(blur_sum_, blur_frame_, blur_sum_, cv::noArray(), CV_16U);
      }
    }
    blur_sum_.convertTo(bgr, CV_8U, 1.0 / count);
  }
  if (effects_.active()) effects_.apply(bgr, captured);
}

void SimWorld::set_lighting(unsigned seed, double variation) {
  std::lock_guard<std::mutex> lock(render_mutex_);
  renderer_.set_lighting(seed, variation);
}

CarState SimWorld::car() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return car_.state();
}

Progress SimWorld::progress() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return progress_;
}

TimePoint SimWorld::time() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return now_;
}

ExpertCommand SimWorld::expert_command() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return expert_.command(car_.state(), where_);
}

void SimWorld::reset_pose(double s_m, double lateral_offset_m, double heading_offset_rad,
                          double speed_mps) {
  std::lock_guard<PiMutex> lock(mutex_);
  Pose2 p = track_.pose_at(s_m, lateral_offset_m);
  p.yaw_rad = std::remainder(p.yaw_rad + heading_offset_rad, kTwoPi);
  car_.set_state(state_at(p, speed_mps));
  history_size_ = 0;  // no motion blur across the jump
  nose_up_deg_ = 0.0;
  remember_pose_locked();
  // A fresh global search; the teleport itself adds nothing to lap progress.
  where_ = track_.project(p.x_m, p.y_m);
  update_progress_locked();
}

}  // namespace rcpilot::sim
