#include "firmware_iface/pca9685.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::fw::pca9685 {

int prescale_for(double osc_hz, double freq_hz) {
  return static_cast<int>(std::lround(osc_hz / (kTicksPerPeriod * freq_hz))) - 1;
}

double frequency_hz(double osc_hz, int prescale) {
  return osc_hz / (kTicksPerPeriod * static_cast<double>(prescale + 1));
}

double tick_us(double osc_hz, int prescale) {
  return static_cast<double>(prescale + 1) * 1e6 / osc_hz;
}

std::array<std::uint8_t, 4> led_bytes(int off_ticks) {
  const int off = std::clamp(off_ticks, 0, kTicksPerPeriod - 1);
  return {0, 0, static_cast<std::uint8_t>(off & 0xff), static_cast<std::uint8_t>(off >> 8)};
}

std::uint16_t ticks_to_us(int ticks, double tick_us) {
  return static_cast<std::uint16_t>(std::lround(ticks * tick_us));
}

std::uint16_t us_to_ticks(double pulse_us, double tick_us) {
  const long t = std::lround(pulse_us / tick_us);
  return static_cast<std::uint16_t>(std::clamp<long>(t, 0, kTicksPerPeriod - 1));
}

std::uint16_t ticks_for(float norm, const Channel& ch, double tick_us) {
  if (!ch.ticks) return us_to_ticks(to_pulse_us(norm, ch.us), tick_us);
  float n = std::isfinite(norm) ? std::clamp(norm, -1.0f, 1.0f) : 0.0f;
  if (ch.us.inverted) n = -n;
  const TickCalibration& t = *ch.ticks;
  const int end = n >= 0.0f ? t.at_plus : t.at_minus;
  const float v =
      static_cast<float>(t.at_zero) + std::fabs(n) * static_cast<float>(end - t.at_zero);
  return static_cast<std::uint16_t>(std::clamp<long>(std::lround(v), 0, kTicksPerPeriod - 1));
}

}  // namespace rcpilot::fw::pca9685
