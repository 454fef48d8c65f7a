#pragma once
// Mapping between normalised commands and servo/ESC pulse widths.
#include <cstdint>

namespace rcpilot::fw {

// One PWM channel: -1 -> min_us (max_us when inverted), 0 -> center_us, +1 -> max_us.
// Piecewise linear, so an off-centre neutral (the trim) keeps full travel on both sides.
struct PulseChannel {
  int min_us = 1000;      // us, pulse at -1 (the lower endpoint)
  int center_us = 1500;   // us, pulse at 0: neutral; moving it trims the channel
  int max_us = 2000;      // us, pulse at +1 (the upper endpoint)
  bool inverted = false;  // +1 maps to min_us instead of max_us
};

// Pulse for `norm` (clamped to [-1, 1]; NaN -> centre), rounded to the nearest us.
std::uint16_t to_pulse_us(float norm, const PulseChannel& ch);
// The inverse: normalised value of a pulse, clamped to [-1, 1].
float from_pulse_us(int pulse_us, const PulseChannel& ch);
// True when min_us < center_us < max_us and all lie in [500, 2500].
bool is_valid(const PulseChannel& ch);

}  // namespace rcpilot::fw
