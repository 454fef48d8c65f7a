#include "config/pca9685_rules.hpp"

#include <cmath>
#include <utility>

namespace rcpilot::config {

namespace {

using Problem = std::optional<MotorProblem>;

std::string text(int v) { return std::to_string(v); }

// A tick count must be a pulse a servo or ESC takes at the configured frequency.
Problem tick_pulse(const char* key, int ticks, const MotorConfig& m) {
  const double us = ticks * pca9685_tick_us(m);
  if (us >= 500 && us <= 2500) return std::nullopt;
  return MotorProblem{key, std::string(key) + " " + text(ticks) + " is a " +
                               text(static_cast<int>(us)) + " us pulse at " +
                               text(m.pwm_frequency_hz) +
                               " Hz, outside the 500..2500 us a servo or ESC takes: check "
                               "motor.pwm_frequency_hz (ticks are 1/4096 of its period)"};
}

Problem steering_ticks(const MotorConfig& m) {
  const int left = m.steering_left_ticks;
  const int right = m.steering_right_ticks;
  if (left == 0 && right == 0) return std::nullopt;
  if (left == 0 || right == 0 || left == right) {
    return MotorProblem{left != 0 ? "motor.steering_left_ticks" : "motor.steering_right_ticks",
                        "motor.steering_left_ticks and motor.steering_right_ticks must both be "
                        "set and differ (got " +
                            text(left) + ", " + text(right) +
                            "); set both to 0 to use the steering_*_us keys"};
  }
  if (auto p = tick_pulse("motor.steering_left_ticks", left, m)) return p;
  return tick_pulse("motor.steering_right_ticks", right, m);
}

Problem throttle_ticks(const MotorConfig& m) {
  const int fwd = m.throttle_forward_ticks;
  const int stop = m.throttle_stopped_ticks;
  const int rev = m.throttle_reverse_ticks;
  if (fwd == 0 && stop == 0 && rev == 0) return std::nullopt;
  const std::string got =
      "(got forward " + text(fwd) + ", stopped " + text(stop) + ", reverse " + text(rev) + ")";
  if (fwd == 0 || stop == 0 || rev == 0) {
    return MotorProblem{fwd != 0    ? "motor.throttle_forward_ticks"
                        : stop != 0 ? "motor.throttle_stopped_ticks"
                                    : "motor.throttle_reverse_ticks",
                        "motor.throttle_forward_ticks, motor.throttle_stopped_ticks and "
                        "motor.throttle_reverse_ticks must all be set " +
                            got + "; set all three to 0 to use the throttle_*_us keys"};
  }
  if (!((rev < stop && stop < fwd) || (fwd < stop && stop < rev))) {
    return MotorProblem{"motor.throttle_stopped_ticks",
                        "motor.throttle_stopped_ticks must lie strictly between "
                        "motor.throttle_reverse_ticks and motor.throttle_forward_ticks " +
                            got};
  }
  for (const auto& [key, ticks] : {std::make_pair("motor.throttle_forward_ticks", fwd),
                                   std::make_pair("motor.throttle_stopped_ticks", stop),
                                   std::make_pair("motor.throttle_reverse_ticks", rev)}) {
    if (auto p = tick_pulse(key, ticks, m)) return p;
  }
  return std::nullopt;
}

Problem pulses_fit_the_period(const MotorConfig& m) {
  const double period_us = 4096 * pca9685_tick_us(m);
  for (const auto& [key, us] : {std::make_pair("motor.steering_max_us", m.steering_max_us),
                                std::make_pair("motor.throttle_max_us", m.throttle_max_us)}) {
    if (us < period_us) continue;
    return MotorProblem{key, std::string(key) + " " + text(us) +
                                 " us does not fit in the PWM period at "
                                 "motor.pwm_frequency_hz " +
                                 text(m.pwm_frequency_hz) + ": lower the frequency"};
  }
  return std::nullopt;
}

}  // namespace

int pca9685_prescale(const MotorConfig& m) {
  return static_cast<int>(std::lround(m.pca9685_osc_hz / (4096.0 * m.pwm_frequency_hz))) - 1;
}

double pca9685_tick_us(const MotorConfig& m) {
  return (pca9685_prescale(m) + 1) * 1e6 / m.pca9685_osc_hz;
}

std::optional<MotorProblem> pca9685_problem(const MotorConfig& m) {
  if (m.i2c_address < 0x40 || m.i2c_address > 0x7f) {
    return MotorProblem{"motor.i2c_address",
                        "motor.i2c_address " + text(m.i2c_address) +
                            " is no PCA9685 address: its jumpers give 64..127 (0x40..0x7f; "
                            "Donkey's PCA9685.1:40 is 64); i2cdetect -y " +
                            text(m.i2c_bus) + " lists what answers"};
  }
  if (m.steering_channel == m.throttle_channel) {
    return MotorProblem{"motor.throttle_channel",
                        "motor.steering_channel and motor.throttle_channel are both " +
                            text(m.steering_channel) +
                            ": the servo and the ESC need a channel each"};
  }
  const int prescale = pca9685_prescale(m);
  if (prescale < 3 || prescale > 255) {
    return MotorProblem{"motor.pwm_frequency_hz",
                        "motor.pwm_frequency_hz " + text(m.pwm_frequency_hz) +
                            " needs a PCA9685 prescale of " + text(prescale) +
                            " at motor.pca9685_osc_hz " + text(m.pca9685_osc_hz) +
                            ", outside the chip's 3..255: use 50 or 60 Hz"};
  }
  if (auto p = steering_ticks(m)) return p;
  if (auto p = throttle_ticks(m)) return p;
  return pulses_fit_the_period(m);
}

}  // namespace rcpilot::config
