#include "firmware_iface/native_link.hpp"

namespace rcpilot::fw {

NativeLink::NativeLink(std::unique_ptr<ByteTransport> transport, const Clock& clock,
                       NativeLinkConfig config)
    : StreamLink(std::move(transport), clock, config.timing),
      config_(config),
      description_("rcpilot native protocol v" + std::to_string(proto::kProtocolVersion)) {
  start();
}

NativeLink::~NativeLink() { stop(); }

std::string NativeLink::describe() const { return description_; }

proto::HelloReply NativeLink::board_info() const {
  std::lock_guard<std::mutex> lock(info_mutex_);
  return info_;
}

void NativeLink::on_connect(TimePoint now) {
  decoder_ = proto::FrameDecoder();
  hello_answered_ = false;
  seq_ = 0;
  const std::uint8_t resync = proto::kDelimiter;  // ends whatever half frame the board holds
  write_bytes(&resync, 1);
  on_handshake_retry(now);
}

void NativeLink::on_handshake_retry(TimePoint) {
  write_message(hello_answered_ ? proto::MsgType::kArm : proto::MsgType::kHello);
}

void NativeLink::on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) {
  for (std::size_t i = 0; i < size; ++i) {
    const proto::FrameResult r = decoder_.push(data[i]);
    if (r == proto::FrameResult::kPending) continue;
    proto::BoardMessage msg;
    if (r != proto::FrameResult::kFrame ||
        proto::parse_board(decoder_.body(), decoder_.body_size(), msg) != proto::ParseResult::kOk) {
      count_rx_error();
      continue;
    }
    board_heard(now);
    handle(msg, now);
  }
}

void NativeLink::handle(const proto::BoardMessage& msg, TimePoint now) {
  switch (msg.type) {
    case proto::MsgType::kHelloReply: {
      {
        std::lock_guard<std::mutex> lock(info_mutex_);
        info_ = msg.hello;
      }
      if (!hello_answered_) {
        hello_answered_ = true;
        write_message(proto::MsgType::kArm);
      }
      return;
    }
    case proto::MsgType::kStatus: {
      const proto::Status& s = msg.status;
      const bool armed = s.flags & proto::kFlagArmed;
      update_status([&](LinkStatus& st) {
        st.board.received_at = now;
        st.board.armed = armed;
        st.board.failsafe = s.flags & proto::kFlagFailsafe;
        st.board.battery_v = static_cast<float>(s.battery_mv) / 1000.0f;
        st.board.wheel_ticks = s.wheel_ticks;
        if (s.flags & proto::kFlagRcValid) {
          st.rc.valid = true;
          st.rc.received_at = now;
          st.rc.steering_us = s.rc_steering_us;
          st.rc.throttle_us = s.rc_throttle_us;
          st.rc.steering_norm = from_pulse_us(s.rc_steering_us, config_.steering);
          st.rc.throttle_norm = from_pulse_us(s.rc_throttle_us, config_.throttle);
        } else {
          st.rc.valid = false;
        }
      });
      if (!handshake_done() && hello_answered_ && armed) set_handshake_done(true);
      if (handshake_done() && !armed) {
        // The board lost the session (reset, another host): start over before commanding.
        set_handshake_done(false);
        on_connect(now);
      }
      return;
    }
    case proto::MsgType::kError:
      if (handshake_done() &&
          (msg.error.code == static_cast<std::uint8_t>(proto::ErrorCode::kNoSession) ||
           msg.error.code == static_cast<std::uint8_t>(proto::ErrorCode::kNotArmed))) {
        set_handshake_done(false);
        on_connect(now);
      }
      return;
    default:
      return;
  }
}

SentSetpoint NativeLink::write_setpoint(const DriveCommand& cmd, TimePoint) {
  proto::HostMessage m;
  m.type = proto::MsgType::kCommand;
  m.command.seq = ++seq_;
  m.command.steering_us = to_pulse_us(cmd.steering_norm, config_.steering);
  m.command.throttle_us = to_pulse_us(cmd.throttle_norm, config_.throttle);
  std::uint8_t wire[proto::kMaxWire];
  write_bytes(wire, proto::encode_host(m, wire, sizeof(wire)));
  SentSetpoint sent{cmd, {}};
  sent.wire.steering_us = m.command.steering_us;
  sent.wire.throttle_us = m.command.throttle_us;
  return sent;
}

std::optional<SentSetpoint> NativeLink::write_idle(const DriveCommand&, TimePoint) {
  write_message(proto::MsgType::kHeartbeat);  // the firmware keeps the last COMMAND
  return std::nullopt;
}

void NativeLink::write_message(proto::MsgType type) {
  proto::HostMessage m;
  m.type = type;
  std::uint8_t wire[proto::kMaxWire];
  write_bytes(wire, proto::encode_host(m, wire, sizeof(wire)));
}

}  // namespace rcpilot::fw
