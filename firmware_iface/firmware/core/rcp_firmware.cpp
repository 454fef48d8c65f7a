#include "rcp_firmware.hpp"

namespace rcpilot {
namespace board {

namespace {

uint16_t clamp_pulse(uint16_t us, const ChannelLimits& limits) {
  if (us < limits.min_us) return limits.min_us;
  if (us > limits.max_us) return limits.max_us;
  return us;
}

}  // namespace

FirmwareCore::FirmwareCore(const FirmwareConfig& config, TxSink& tx)
    : config_(config),
      tx_(tx),
      steering_us_(config.steering.neutral_us),
      throttle_us_(config.throttle.neutral_us) {}

void FirmwareCore::feed(const uint8_t* data, size_t size, uint32_t now_ms) {
  for (size_t i = 0; i < size; ++i) {
    const proto::FrameResult r = decoder_.push(data[i]);
    if (r == proto::FrameResult::kFrame) {
      handle_frame(now_ms);
    } else if (r != proto::FrameResult::kPending) {
      ++rx_errors_;
    }
  }
}

void FirmwareCore::tick(uint32_t now_ms) {
  if (command_fresh_ && static_cast<uint32_t>(now_ms - last_command_ms_) >= config_.failsafe_ms) {
    command_fresh_ = false;
    go_neutral();
    if (armed_) send_status(now_ms);  // tell the host at once that the failsafe tripped
  }
}

void FirmwareCore::set_rc_pulses(uint16_t steering_us, uint16_t throttle_us, uint32_t now_ms) {
  rc_steering_us_ = steering_us;
  rc_throttle_us_ = throttle_us;
  rc_at_ms_ = now_ms;
}

void FirmwareCore::handle_frame(uint32_t now_ms) {
  proto::HostMessage msg;
  const uint8_t type = decoder_.body_size() > 1 ? decoder_.body()[1] : 0;
  const proto::ParseResult r = proto::parse_host(decoder_.body(), decoder_.body_size(), msg);
  if (r != proto::ParseResult::kOk) {
    ++rx_errors_;
    const proto::ErrorCode code = r == proto::ParseResult::kBadVersion
                                      ? proto::ErrorCode::kUnsupportedVersion
                                      : r == proto::ParseResult::kUnknownType
                                            ? proto::ErrorCode::kUnknownType
                                            : proto::ErrorCode::kBadLength;
    send_error(code, type);
    return;
  }
  switch (msg.type) {
    case proto::MsgType::kHello:
      // A new session (the host restarted or reconnected) starts disarmed and neutral.
      session_open_ = true;
      armed_ = false;
      command_fresh_ = false;
      last_seq_ = 0;
      go_neutral();
      send_hello_reply();
      return;
    case proto::MsgType::kArm:
      if (!session_open_) return send_error(proto::ErrorCode::kNoSession, type);
      armed_ = true;
      break;
    case proto::MsgType::kDisarm:
      armed_ = false;
      command_fresh_ = false;
      go_neutral();
      break;
    case proto::MsgType::kCommand:
      return handle_command(msg.command, now_ms);
    default:
      break;
  }
  send_status(now_ms);
}

void FirmwareCore::handle_command(const proto::Command& cmd, uint32_t now_ms) {
  const uint8_t type = static_cast<uint8_t>(proto::MsgType::kCommand);
  if (!session_open_) return send_error(proto::ErrorCode::kNoSession, type);
  if (!armed_) return send_error(proto::ErrorCode::kNotArmed, type);
  if (cmd.seq <= last_seq_) return send_error(proto::ErrorCode::kStaleSeq, type);
  last_seq_ = cmd.seq;
  last_command_ms_ = now_ms;
  command_fresh_ = true;
  steering_us_ = clamp_pulse(cmd.steering_us, config_.steering);
  throttle_us_ = clamp_pulse(cmd.throttle_us, config_.throttle);
  send_status(now_ms);
}

void FirmwareCore::go_neutral() {
  steering_us_ = config_.steering.neutral_us;
  throttle_us_ = config_.throttle.neutral_us;
}

void FirmwareCore::send_status(uint32_t now_ms) {
  proto::BoardMessage msg;
  msg.type = proto::MsgType::kStatus;
  proto::Status& s = msg.status;
  const bool rc_fresh = rc_steering_us_ != 0 &&
                        static_cast<uint32_t>(now_ms - rc_at_ms_) < config_.rc_stale_ms;
  s.flags = static_cast<uint8_t>((armed_ ? proto::kFlagArmed : 0) |
                                 (failsafe_active() ? proto::kFlagFailsafe : 0) |
                                 (rc_fresh ? proto::kFlagRcValid : 0));
  s.last_seq = last_seq_;
  s.steering_out_us = steering_us_;
  s.throttle_out_us = throttle_us_;
  s.rc_steering_us = rc_fresh ? rc_steering_us_ : 0;
  s.rc_throttle_us = rc_fresh ? rc_throttle_us_ : 0;
  s.battery_mv = battery_mv_;
  s.wheel_ticks = wheel_ticks_;
  s.rx_errors = rx_errors_;
  send(msg);
}

void FirmwareCore::send_hello_reply() {
  proto::BoardMessage msg;
  msg.type = proto::MsgType::kHelloReply;
  msg.hello.fw_major = config_.fw_major;
  msg.hello.fw_minor = config_.fw_minor;
  msg.hello.fw_patch = config_.fw_patch;
  msg.hello.capabilities = config_.capabilities;
  msg.hello.failsafe_ms = config_.failsafe_ms;
  send(msg);
}

void FirmwareCore::send_error(proto::ErrorCode code, uint8_t msg_type) {
  proto::BoardMessage msg;
  msg.type = proto::MsgType::kError;
  msg.error.code = static_cast<uint8_t>(code);
  msg.error.msg_type = msg_type;
  send(msg);
}

void FirmwareCore::send(const proto::BoardMessage& msg) {
  uint8_t wire[proto::kMaxWire];
  const size_t n = proto::encode_board(msg, wire, sizeof(wire));
  if (n > 0) tx_.write(wire, n);
}

}  // namespace board
}  // namespace rcpilot
