#include "sim/expert.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::sim {

ExpertParams ExpertParams::from(const config::SimConfig& sim) {
  ExpertParams p;
  p.lookahead_m = sim.expert_lookahead_m;
  p.throttle = sim.expert_throttle;
  p.wheelbase_m = sim.wheelbase_m;
  p.max_steer_rad = sim.max_steer_deg * 3.14159265358979323846 / 180.0;
  return p;
}

Expert::Expert(const Track& track, ExpertParams params) : track_(&track), params_(params) {}

ExpertCommand Expert::command(const CarState& car, const TrackProjection& where) const {
  // Target on the centreline one lookahead ahead of the car's projection, in the car frame.
  const TrackPoint target = track_->at(where.s_m + params_.lookahead_m);
  const double dx = target.x_m - car.x_m;
  const double dy = target.y_m - car.y_m;
  const double c = std::cos(car.yaw_rad), s = std::sin(car.yaw_rad);
  const double ahead = c * dx + s * dy;
  const double left = -s * dx + c * dy;
  const double dist_sq = std::max(ahead * ahead + left * left, 1e-6);
  // Pure pursuit: the arc from the rear axle through the target has curvature 2*left/d^2.
  const double curvature_left = 2.0 * left / dist_sq;
  const double wheel_left = std::atan(params_.wheelbase_m * curvature_left);
  ExpertCommand cmd;
  cmd.steering_norm =
      static_cast<float>(std::clamp(-wheel_left / params_.max_steer_rad, -1.0, 1.0));
  const double k = track_->max_abs_curvature(where.s_m, params_.preview_m);
  const double scale =
      std::clamp(1.0 - params_.slowdown_per_curvature * k, params_.min_throttle_scale, 1.0);
  cmd.throttle_norm = static_cast<float>(params_.throttle * scale);
  return cmd;
}

ExpertCommand Expert::command(const CarState& car, int hint) const {
  return command(car, track_->project(car.x_m, car.y_m, hint));
}

}  // namespace rcpilot::sim
