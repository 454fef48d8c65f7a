#include "firmware_iface/link_factory.hpp"

#include <optional>
#include <stdexcept>
#include <string>

#include "config/pca9685_rules.hpp"
#include "firmware_iface/serial_transport.hpp"

namespace rcpilot::fw {

namespace {

PulseChannel channel(const char* name, int min_us, int center_us, int max_us, bool inverted) {
  const PulseChannel ch{min_us, center_us, max_us, inverted};
  if (!is_valid(ch)) {
    const std::string n = name;
    throw std::invalid_argument("motor." + n + "_min_us < motor." + n + "_center_us < motor." + n +
                                "_max_us must hold (got " + std::to_string(min_us) + ", " +
                                std::to_string(center_us) + ", " + std::to_string(max_us) + ")");
  }
  return ch;
}

PulseChannel steering(const config::MotorConfig& m) {
  return channel("steering", m.steering_min_us, m.steering_center_us, m.steering_max_us,
                 m.steering_inverted);
}

PulseChannel throttle(const config::MotorConfig& m) {
  return channel("throttle", m.throttle_min_us, m.throttle_center_us, m.throttle_max_us,
                 m.throttle_inverted);
}

// The config loader refuses these pulses first (config::pulse_range); both name one fact.
static_assert(config::kMm1PulseRange.min_us == kMm1MinPulseUs &&
                  config::kMm1PulseRange.max_us == kMm1MaxPulseUs,
              "the MM1's pulse range differs between config/enums.hpp and mm1_link.hpp");

// The MM1's script reads exactly four digits per value: a pulse outside 1000..2000 us cannot
// be sent, so a calibration asking for one is refused instead of being clamped in silence.
void check_mm1_pulses(const config::MotorConfig& m) {
  const std::pair<const char*, int> keys[] = {
      {"steering_min_us", m.steering_min_us},       {"steering_center_us", m.steering_center_us},
      {"steering_max_us", m.steering_max_us},       {"throttle_min_us", m.throttle_min_us},
      {"throttle_center_us", m.throttle_center_us}, {"throttle_max_us", m.throttle_max_us}};
  for (const auto& [key, us] : keys) {
    if (us >= kMm1MinPulseUs && us <= kMm1MaxPulseUs) continue;
    throw std::invalid_argument("motor." + std::string(key) + " is " + std::to_string(us) +
                                " us, but the Robo HAT MM1 (motor.driver mm1) can only output " +
                                std::to_string(kMm1MinPulseUs) + ".." +
                                std::to_string(kMm1MaxPulseUs) + " us: set it within that range");
  }
}

// Donkey's tick calibration, when its keys are set (config::pca9685_problem checked them).
std::optional<pca9685::TickCalibration> steering_ticks(const config::MotorConfig& m) {
  if (m.steering_left_ticks == 0) return std::nullopt;
  return pca9685::TickCalibration{m.steering_left_ticks,
                                  (m.steering_left_ticks + m.steering_right_ticks + 1) / 2,
                                  m.steering_right_ticks};
}

std::optional<pca9685::TickCalibration> throttle_ticks(const config::MotorConfig& m) {
  if (m.throttle_stopped_ticks == 0) return std::nullopt;
  return pca9685::TickCalibration{m.throttle_reverse_ticks, m.throttle_stopped_ticks,
                                  m.throttle_forward_ticks};
}

board::ChannelLimits limits(const PulseChannel& ch) {
  return {static_cast<std::uint16_t>(ch.min_us), static_cast<std::uint16_t>(ch.center_us),
          static_cast<std::uint16_t>(ch.max_us)};
}

}  // namespace

LinkTiming link_timing(const config::MotorConfig& m) {
  LinkTiming t;
  t.period_ms = m.heartbeat_ms;
  t.alive_timeout_ms = m.alive_timeout_ms;
  t.command_timeout_ms = m.command_timeout_ms;
  t.reconnect_min_ms = m.reconnect_min_ms;
  t.reconnect_max_ms = m.reconnect_max_ms;
  t.io_rt_priority = m.io_rt_priority;
  return t;
}

NativeLinkConfig native_link_config(const config::MotorConfig& m) {
  return {steering(m), throttle(m), link_timing(m)};
}

Mm1LinkConfig mm1_link_config(const config::MotorConfig& m) {
  check_mm1_pulses(m);
  Mm1LinkConfig c;
  c.steering = steering(m);
  c.throttle = throttle(m);
  c.require_reports = m.mm1_require_reports;
  c.timing = Mm1LinkConfig::timing_for_rate(m.mm1_rate_hz, link_timing(m));
  return c;
}

VescLinkConfig vesc_link_config(const config::MotorConfig& m) {
  if (!(m.vesc_servo_min < m.vesc_servo_center && m.vesc_servo_center < m.vesc_servo_max)) {
    throw std::invalid_argument(
        "motor.vesc_servo_min < motor.vesc_servo_center < motor.vesc_servo_max must hold");
  }
  VescLinkConfig c;
  c.throttle_mode = m.vesc_throttle_mode == config::VescThrottle::kRpm       ? VescThrottleMode::kRpm
                    : m.vesc_throttle_mode == config::VescThrottle::kCurrent ? VescThrottleMode::kCurrent
                                                        : VescThrottleMode::kDuty;
  c.max_duty = static_cast<float>(m.vesc_max_duty);
  c.max_erpm = static_cast<float>(m.vesc_max_erpm);
  c.max_current_a = static_cast<float>(m.vesc_max_current_a);
  c.brake_current_a = static_cast<float>(m.vesc_brake_current_a);
  c.servo_center = static_cast<float>(m.vesc_servo_center);
  c.servo_gain = static_cast<float>(m.vesc_servo_gain);
  c.servo_min = static_cast<float>(m.vesc_servo_min);
  c.servo_max = static_cast<float>(m.vesc_servo_max);
  c.values_period_ms = m.vesc_values_period_ms;
  c.timing = link_timing(m);
  return c;
}

Pca9685LinkConfig pca9685_link_config(const config::MotorConfig& m) {
  if (const auto problem = config::pca9685_problem(m)) {
    throw std::invalid_argument(problem->message);
  }
  Pca9685LinkConfig c;
  c.osc_hz = m.pca9685_osc_hz;
  c.frequency_hz = m.pwm_frequency_hz;
  c.steering = {m.steering_channel, steering(m), steering_ticks(m)};
  c.throttle = {m.throttle_channel, throttle(m), throttle_ticks(m)};
  c.timing = link_timing(m);
  return c;
}

std::unique_ptr<MotorLink> make_pca9685_link(const config::MotorConfig& m, const Clock& clock,
                                             std::chrono::milliseconds ready) {
  auto link = std::make_unique<Pca9685Link>(
      std::make_unique<LinuxI2cDevice>(m.i2c_bus, m.i2c_address), clock, pca9685_link_config(m));
  if (!link->wait_ready(ready)) {
    const std::string why = link->last_error();
    link->stop();
    throw std::runtime_error("motor.driver pca9685: the board was not initialised within " +
                             std::to_string(ready.count()) + " ms: " +
                             (why.empty() ? "no answer" : why));
  }
  return link;
}

board::FirmwareConfig firmware_config(const config::MotorConfig& m) {
  board::FirmwareConfig f;
  f.steering = limits(steering(m));
  f.throttle = limits(throttle(m));
  return f;
}

std::unique_ptr<MotorLink> make_serial_link(const config::MotorConfig& m, const Clock& clock,
                                            std::chrono::milliseconds handshake) {
  if (m.driver == config::MotorDriver::kPca9685) return make_pca9685_link(m, clock, handshake);
  auto port = std::make_unique<SerialTransport>(m.device, m.baud);
  std::unique_ptr<MotorLink> link;
  const std::string driver(config::to_string(m.driver));
  if (m.driver == config::MotorDriver::kNative) {
    link = std::make_unique<NativeLink>(std::move(port), clock, native_link_config(m));
  } else if (m.driver == config::MotorDriver::kMm1) {
    link = std::make_unique<Mm1Link>(std::move(port), clock, mm1_link_config(m));
  } else if (m.driver == config::MotorDriver::kVesc) {
    link = std::make_unique<VescLink>(std::move(port), clock, vesc_link_config(m));
  } else {
    throw std::invalid_argument("motor.driver " + driver + " is not a serial driver");
  }
  if (!link->wait_ready(handshake)) {
    link->stop();
    throw std::runtime_error("motor.device " + m.device + ": the " + driver +
                             " board did not answer within " +
                             std::to_string(handshake.count()) +
                             " ms: check the cable, power, motor.baud and motor.driver");
  }
  return link;
}

}  // namespace rcpilot::fw
