#pragma once
// The control settings an operator may change while the car runs (the schema's `live` keys of
// section `control`). Plain values, so the loop can swap a new set in between two ticks without
// allocating; see ControlLoop::update_tunables.
#include "config/config.hpp"

namespace rcpilot::vehicle {

using config::ReverseMode;

struct Tunables {
  double steering_trim = 0;
  double steering_gain = 1;
  double steering_limit = 1;
  double steering_rate_limit = 0;  // norm/s; 0: unlimited
  double throttle_min = -1;
  double throttle_max = 1;
  double throttle_rate_limit = 0;  // norm/s; 0: unlimited
  double ai_throttle_mult = 1;
  double recovery_hold_off_ms = 500;
  ReverseMode reverse = ReverseMode::kDirect;
  double reverse_brake_ms = 150;
  double reverse_neutral_ms = 100;
  double operator_timeout_ms = 500;
};

// The tunables of a validated `control` section.
Tunables tunables_of(const config::ControlConfig& control);

}  // namespace rcpilot::vehicle
