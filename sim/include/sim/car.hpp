#pragma once
// Kinematic bicycle model of a 1/10-scale car, referenced at the rear axle (like SIM_Rover).
#include "config/config.hpp"

namespace rcpilot::sim {

// Physical state of the car in the world frame.
struct CarState {
  double x_m = 0.0;  // rear axle centre
  double y_m = 0.0;
  double yaw_rad = 0.0;    // counter-clockwise from +x
  double speed_mps = 0.0;  // m/s along the heading; negative when reversing
  double steer_rad = 0.0;  // front wheel angle; positive = steering RIGHT (MotorLink convention)
};

struct CarParams {
  double wheelbase_m = 0.26;
  double max_steer_rad = 0.436;    // wheel angle at steering norm +-1
  double servo_rate_rad_s = 6.98;  // steering slew limit
  double max_speed_mps = 4.0;      // speed at throttle norm 1
  double speed_tau_s = 0.25;       // first-order lag of speed to throttle

  static CarParams from(const config::SimConfig& sim);
};

class Car {
 public:
  explicit Car(CarParams params, CarState state = {});

  // Advances by dt_s (any length; integrated in substeps of <= 5 ms).
  // steer_norm: -1 full left .. +1 full right; throttle_norm: -1 full reverse .. +1 full forward.
  // Inputs are clamped to [-1, 1]; NaN counts as 0.
  void step(double steer_norm, double throttle_norm, double dt_s);

  const CarState& state() const { return state_; }
  void set_state(const CarState& state) { state_ = state; }
  const CarParams& params() const { return params_; }

 private:
  void substep(double target_steer_rad, double target_speed_mps, double dt_s);

  CarParams params_;
  CarState state_;
};

}  // namespace rcpilot::sim
