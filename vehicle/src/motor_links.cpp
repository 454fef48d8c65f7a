#include "vehicle/motor_links.hpp"

#include <stdexcept>
#include <string>

#include "firmware_iface/fd_transport.hpp"
#include "sim/sim_motor_link.hpp"

namespace rcpilot::vehicle {

namespace {

fw::PulseChannel channel(const char* name, int min_us, int center_us, int max_us, bool inverted) {
  const fw::PulseChannel ch{min_us, center_us, max_us, inverted};
  if (!fw::is_valid(ch)) {
    const std::string n = name;
    throw std::invalid_argument("motor." + n + "_min_us < motor." + n + "_center_us < motor." + n +
                                "_max_us must hold (got " + std::to_string(min_us) + ", " +
                                std::to_string(center_us) + ", " + std::to_string(max_us) + ")");
  }
  return ch;
}

fw::PulseChannel steering(const config::MotorConfig& m) {
  return channel("steering", m.steering_min_us, m.steering_center_us, m.steering_max_us,
                 m.steering_inverted);
}

fw::PulseChannel throttle(const config::MotorConfig& m) {
  return channel("throttle", m.throttle_min_us, m.throttle_center_us, m.throttle_max_us,
                 m.throttle_inverted);
}

board::ChannelLimits limits(const fw::PulseChannel& ch) {
  return {static_cast<std::uint16_t>(ch.min_us), static_cast<std::uint16_t>(ch.center_us),
          static_cast<std::uint16_t>(ch.max_us)};
}

}  // namespace

fw::LinkTiming link_timing(const config::MotorConfig& m) {
  fw::LinkTiming t;
  t.period_ms = m.heartbeat_ms;
  t.alive_timeout_ms = m.alive_timeout_ms;
  t.command_timeout_ms = m.command_timeout_ms;
  t.reconnect_min_ms = m.reconnect_min_ms;
  t.reconnect_max_ms = m.reconnect_max_ms;
  return t;
}

fw::NativeLinkConfig native_link_config(const config::MotorConfig& m) {
  return {steering(m), throttle(m), link_timing(m)};
}

fw::Mm1LinkConfig mm1_link_config(const config::MotorConfig& m) {
  fw::Mm1LinkConfig c;
  c.steering = steering(m);
  c.throttle = throttle(m);
  c.require_reports = m.mm1_require_reports;
  c.timing = link_timing(m);
  c.timing.min_interval_ms = 25;  // the board takes one message per 25 ms pass
  return c;
}

fw::VescLinkConfig vesc_link_config(const config::MotorConfig& m) {
  if (!(m.vesc_servo_min < m.vesc_servo_center && m.vesc_servo_center < m.vesc_servo_max)) {
    throw std::invalid_argument(
        "motor.vesc_servo_min < motor.vesc_servo_center < motor.vesc_servo_max must hold");
  }
  fw::VescLinkConfig c;
  c.throttle_mode = m.vesc_throttle_mode == "rpm"       ? fw::VescThrottleMode::kRpm
                    : m.vesc_throttle_mode == "current" ? fw::VescThrottleMode::kCurrent
                                                        : fw::VescThrottleMode::kDuty;
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

board::FirmwareConfig firmware_config(const config::MotorConfig& m) {
  board::FirmwareConfig f;
  f.steering = limits(steering(m));
  f.throttle = limits(throttle(m));
  return f;
}

SimBoardLink::SimBoardLink(const config::MotorConfig& motor, sim::SimWorld& world,
                           const Clock& clock, bool threaded)
    : board_(std::make_unique<sim::SimBoard>(world, clock, firmware_config(motor), threaded)),
      link_(std::make_unique<fw::NativeLink>(
          std::make_unique<fw::SerialTransport>(board_->device(), motor.baud), clock,
          native_link_config(motor))) {}

SimBoardLink::~SimBoardLink() { stop(); }

void SimBoardLink::stop() {
  link_->stop();
  board_->stop();
  board_->pump();  // the firmware applies the final neutral + disarm
}

std::string SimBoardLink::describe() const {
  return link_->describe() + " over " + board_->device() + " to the simulated firmware board";
}

bool SimBoardLink::pump_until_alive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!link_->status().alive && std::chrono::steady_clock::now() < deadline) {
    board_->pump(std::chrono::milliseconds(1));
  }
  return link_->status().alive;
}

bool SimBoardLink::send_and_apply(const fw::DriveCommand& cmd, std::chrono::milliseconds timeout) {
  const std::uint32_t before = board_->last_seq();
  if (!link_->send(cmd)) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (board_->last_seq() == before && std::chrono::steady_clock::now() < deadline) {
    board_->pump(std::chrono::milliseconds(1));
  }
  return board_->last_seq() != before;
}

LockstepMotor::LockstepMotor(const config::MotorConfig& motor, sim::SimWorld& world,
                             const Clock& clock) {
  if (motor.driver == "sim") {
    link_ = std::make_unique<sim::SimMotorLink>(world, clock);
    return;
  }
  if (motor.driver != "native_sim") {
    throw std::invalid_argument("lockstep drives motor.driver sim or native_sim, not " +
                                motor.driver);
  }
  auto link = std::make_unique<SimBoardLink>(motor, world, clock, /*threaded=*/false);
  board_link_ = link.get();
  link_ = std::move(link);
  if (!board_link_->pump_until_alive(std::chrono::seconds(2))) {
    throw std::runtime_error("lockstep: the simulated firmware board did not answer");
  }
}

void LockstepMotor::send(const fw::DriveCommand& cmd) {
  if (board_link_ == nullptr) {
    link_->send(cmd);
    return;
  }
  board_link_->send_and_apply(cmd, std::chrono::milliseconds(500));
}

bool wait_motor_link(const fw::MotorLink& link, std::chrono::milliseconds timeout) {
  if (const auto* s = dynamic_cast<const fw::StreamLink*>(&link)) return s->wait_alive(timeout);
  if (const auto* b = dynamic_cast<const SimBoardLink*>(&link)) return b->wait_alive(timeout);
  return true;
}

}  // namespace rcpilot::vehicle
