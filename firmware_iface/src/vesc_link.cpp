#include "firmware_iface/vesc_link.hpp"

#include <algorithm>
#include <cmath>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::fw {

float vesc_servo_position(float steering_norm, const VescLinkConfig& config) {
  const float s = std::isfinite(steering_norm) ? std::clamp(steering_norm, -1.0f, 1.0f) : 0.0f;
  return std::clamp(config.servo_center + config.servo_gain * s, config.servo_min,
                    config.servo_max);
}

VescLink::VescLink(std::unique_ptr<ByteTransport> transport, const Clock& clock,
                   VescLinkConfig config)
    : StreamLink(std::move(transport), clock, config.timing), config_(config) {
  start();
}

VescLink::~VescLink() { stop(); }

std::string VescLink::firmware_version() const {
  std::lock_guard<std::mutex> lock(info_mutex_);
  return fw_version_;
}

void VescLink::on_connect(TimePoint now) {
  decoder_ = vesc::Decoder();
  board_fault_ = false;
  last_poll_ = TimePoint{};
  on_handshake_retry(now);
}

void VescLink::on_handshake_retry(TimePoint) {
  write_frame(vesc::request(vesc::CommId::kFwVersion));
}

void VescLink::on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) {
  const std::uint64_t dropped_before = decoder_.dropped_bytes();
  decoder_.push(data, size);
  while (auto payload = decoder_.next()) handle(*payload, now);
  if (decoder_.dropped_bytes() != dropped_before) count_rx_error();
}

void VescLink::handle(const std::vector<std::uint8_t>& payload, TimePoint now) {
  const auto id = static_cast<vesc::CommId>(payload[0]);
  if (id == vesc::CommId::kFwVersion && payload.size() >= 3) {
    board_heard(now);
    {
      std::lock_guard<std::mutex> lock(info_mutex_);
      fw_version_ = std::to_string(payload[1]) + "." + std::to_string(payload[2]);
    }
    if (!handshake_done()) set_handshake_done(true);
    return;
  }
  if (id != vesc::CommId::kGetValues) return;  // the VESC answers nothing else rcpilot sends
  const auto values = vesc::parse_values(payload);
  if (!values) {
    count_rx_error();
    return;
  }
  board_heard(now);
  board_fault_ = values->fault_code != 0;
  update_status([&](LinkStatus& s) {
    s.board.received_at = now;
    s.board.armed = handshake_done();
    s.board.battery_v = values->input_v;
    s.board.motor_erpm = values->erpm;
    s.board.temp_fet_c = values->temp_fet_c;
    s.board.temp_motor_c = values->temp_motor_c;
    s.board.fault_code = values->fault_code;
    s.board.wheel_ticks = values->tachometer;
  });
}

SentSetpoint VescLink::write_setpoint(const DriveCommand& cmd, TimePoint now) {
  // A board in fault gets neutral until its fault code clears.
  SentSetpoint sent{board_fault_ ? neutral_command(cmd.tick, now) : cmd, {}};
  sent.wire.servo_position = vesc_servo_position(sent.command.steering_norm, config_);
  write_frame(vesc::set_servo_pos(sent.wire.servo_position));
  sent.wire.throttle_value = write_throttle(sent.command.throttle_norm);
  if (now - last_poll_ >= std::chrono::milliseconds(config_.values_period_ms)) {
    write_frame(vesc::request(vesc::CommId::kGetValues));
    last_poll_ = now;
  }
  return sent;
}

float VescLink::write_throttle(float throttle_norm) {
  const float t = std::isfinite(throttle_norm) ? std::clamp(throttle_norm, -1.0f, 1.0f) : 0.0f;
  if (t == 0.0f) {
    const bool brake = config_.brake_current_a > 0.0f;
    write_frame(brake ? vesc::set_current_brake(config_.brake_current_a) : vesc::set_current(0.0f));
    return brake ? config_.brake_current_a : 0.0f;
  }
  switch (config_.throttle_mode) {
    case VescThrottleMode::kDuty:
      write_frame(vesc::set_duty(t * config_.max_duty));
      return t * config_.max_duty;
    case VescThrottleMode::kRpm:
      write_frame(vesc::set_rpm(t * config_.max_erpm));
      return t * config_.max_erpm;
    case VescThrottleMode::kCurrent:
      write_frame(vesc::set_current(t * config_.max_current_a));
      return t * config_.max_current_a;
  }
  return 0.0f;
}

void VescLink::write_frame(const std::vector<std::uint8_t>& frame) {
  write_bytes(frame.data(), frame.size());
}

}  // namespace rcpilot::fw
