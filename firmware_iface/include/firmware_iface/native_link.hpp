#pragma once
// MotorLink for rcpilot's own firmware (docs/protocol.md): HELLO -> HELLO_REPLY, ARM -> STATUS
// armed, then one COMMAND per setpoint and HEARTBEATs when idle; every COMMAND/HEARTBEAT is
// answered with STATUS, which keeps the link alive.
#include <memory>

#include "firmware_iface/calibration.hpp"
#include "firmware_iface/stream_link.hpp"
#include "rcp_protocol.hpp"

namespace rcpilot::fw {

struct NativeLinkConfig {
  PulseChannel steering;  // servo pulses; the firmware clamps to its own limits as well
  PulseChannel throttle;  // ESC pulses
  LinkTiming timing;      // period_ms = heartbeat period
};

class NativeLink final : public StreamLink {
 public:
  // Starts the I/O thread, which opens the session and arms; send() works once alive.
  NativeLink(std::unique_ptr<ByteTransport> transport, const Clock& clock, NativeLinkConfig config);
  ~NativeLink() override;
  std::string describe() const override;
  // Firmware version and capabilities from the last HELLO_REPLY (zeros before it).
  proto::HelloReply board_info() const;

 private:
  void on_connect(TimePoint now) override;
  void on_handshake_retry(TimePoint now) override;
  void on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) override;
  SentSetpoint write_setpoint(const DriveCommand& cmd, TimePoint now) override;
  std::optional<SentSetpoint> write_idle(const DriveCommand& last, TimePoint now) override;
  void write_disarm() override { write_message(proto::MsgType::kDisarm); }

  void handle(const proto::BoardMessage& msg, TimePoint now);
  void write_message(proto::MsgType type);

  NativeLinkConfig config_;
  std::string description_;
  proto::FrameDecoder decoder_;
  std::uint32_t seq_ = 0;        // last COMMAND seq sent in this session
  bool hello_answered_ = false;  // I/O thread only
  mutable std::mutex info_mutex_;
  proto::HelloReply info_;
};

}  // namespace rcpilot::fw
