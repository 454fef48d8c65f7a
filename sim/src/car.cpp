#include "sim/car.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::sim {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kMaxSubstepS = 0.005;

double clamp_norm(double v) { return std::isnan(v) ? 0.0 : std::clamp(v, -1.0, 1.0); }

}  // namespace

CarParams CarParams::from(const config::SimConfig& sim) {
  CarParams p;
  p.wheelbase_m = sim.wheelbase_m;
  p.max_steer_rad = sim.max_steer_deg * kDegToRad;
  p.servo_rate_rad_s = sim.servo_rate_deg_s * kDegToRad;
  p.max_speed_mps = sim.max_speed_mps;
  p.speed_tau_s = sim.speed_tau_s;
  return p;
}

Car::Car(CarParams params, CarState state) : params_(params), state_(state) {}

void Car::step(double steer_norm, double throttle_norm, double dt_s) {
  if (!(dt_s > 0)) return;
  const double target_steer = clamp_norm(steer_norm) * params_.max_steer_rad;
  const double target_speed = clamp_norm(throttle_norm) * params_.max_speed_mps;
  const int n = std::max(1, static_cast<int>(std::ceil(dt_s / kMaxSubstepS - 1e-9)));
  for (int i = 0; i < n; ++i) substep(target_steer, target_speed, dt_s / n);
}

void Car::substep(double target_steer_rad, double target_speed_mps, double dt_s) {
  const double max_delta = params_.servo_rate_rad_s * dt_s;
  state_.steer_rad += std::clamp(target_steer_rad - state_.steer_rad, -max_delta, max_delta);
  // Exact first-order lag over the substep, stable for any dt.
  const double alpha = params_.speed_tau_s > 0 ? 1.0 - std::exp(-dt_s / params_.speed_tau_s) : 1.0;
  const double v0 = state_.speed_mps;
  state_.speed_mps += alpha * (target_speed_mps - v0);
  const double v = 0.5 * (v0 + state_.speed_mps);
  // Positive steer turns right, i.e. yaw decreases.
  const double yaw_rate = -v * std::tan(state_.steer_rad) / params_.wheelbase_m;
  const double mid_yaw = state_.yaw_rad + 0.5 * yaw_rate * dt_s;
  state_.x_m += v * std::cos(mid_yaw) * dt_s;
  state_.y_m += v * std::sin(mid_yaw) * dt_s;
  state_.yaw_rad = std::remainder(state_.yaw_rad + yaw_rate * dt_s, 2.0 * 3.14159265358979323846);
}

}  // namespace rcpilot::sim
