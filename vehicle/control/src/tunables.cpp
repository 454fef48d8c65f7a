#include "control/tunables.hpp"

namespace rcpilot::vehicle {

Tunables tunables_of(const config::ControlConfig& c) {
  Tunables t;
  t.steering_trim = c.steering_trim;
  t.steering_gain = c.steering_gain;
  t.steering_limit = c.steering_limit;
  t.steering_rate_limit = c.steering_rate_limit;
  t.throttle_min = c.throttle_min;
  t.throttle_max = c.throttle_max;
  t.throttle_rate_limit = c.throttle_rate_limit;
  t.ai_throttle_mult = c.ai_throttle_mult;
  t.recovery_hold_off_ms = c.recovery_hold_off_ms;
  t.reverse = c.reverse;
  t.reverse_brake_ms = c.reverse_brake_ms;
  t.reverse_neutral_ms = c.reverse_neutral_ms;
  t.operator_timeout_ms = c.operator_timeout_ms;
  return t;
}

}  // namespace rcpilot::vehicle
