#include "firmware_iface/calibration.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::fw {

std::uint16_t to_pulse_us(float norm, const PulseChannel& ch) {
  float n = std::isfinite(norm) ? std::clamp(norm, -1.0f, 1.0f) : 0.0f;
  if (ch.inverted) n = -n;
  const float span = n >= 0.0f ? static_cast<float>(ch.max_us - ch.center_us)
                               : static_cast<float>(ch.center_us - ch.min_us);
  const long us = std::lround(static_cast<float>(ch.center_us) + n * span);
  return static_cast<std::uint16_t>(std::clamp<long>(us, ch.min_us, ch.max_us));
}

float from_pulse_us(int pulse_us, const PulseChannel& ch) {
  const int d = pulse_us - ch.center_us;
  const int span = d >= 0 ? ch.max_us - ch.center_us : ch.center_us - ch.min_us;
  float n = span > 0 ? static_cast<float>(d) / static_cast<float>(span) : 0.0f;
  n = std::clamp(n, -1.0f, 1.0f);
  return ch.inverted ? -n : n;
}

bool is_valid(const PulseChannel& ch) {
  return ch.min_us >= 500 && ch.max_us <= 2500 && ch.min_us < ch.center_us &&
         ch.center_us < ch.max_us;
}

}  // namespace rcpilot::fw
