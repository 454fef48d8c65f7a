#pragma once
// The rules a motor section for motor.driver pca9685 must meet beyond the schema's ranges, in
// one place: the loader checks them (so rcpilot --check-config does, naming where the key was
// set) and the link factory again for a MotorConfig built in code.
#include <optional>
#include <string>

#include "config/config.hpp"

namespace rcpilot::config {

// One broken rule: the key to point at, and the message (naming the keys, saying what to do).
struct MotorProblem {
  std::string key;
  std::string message;
};

// PRESCALE for the configured frequency: round(osc / (4096 * f)) - 1; the chip takes 3..255.
int pca9685_prescale(const MotorConfig& m);
// Length of one of the 4096 ticks of a PWM period at that prescale, us.
double pca9685_tick_us(const MotorConfig& m);

// The first broken rule, if any: an address no PCA9685 has (0x40..0x7f), the two drivers on
// one channel, a frequency the prescale cannot give, tick keys set in part, not ordered
// (steering left != right, throttle stopped strictly between reverse and forward) or beyond
// 500..2500 us at the frequency, and a *_max_us pulse longer than the PWM period.
std::optional<MotorProblem> pca9685_problem(const MotorConfig& m);

}  // namespace rcpilot::config
