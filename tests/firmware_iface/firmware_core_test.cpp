#include "rcp_firmware.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace rcpilot::board {
namespace {

using proto::BoardMessage;
using proto::HostMessage;
using proto::MsgType;

// Collects and parses what the firmware writes.
class CapturingSink final : public TxSink {
 public:
  void write(const uint8_t* data, size_t size) override {
    for (size_t i = 0; i < size; ++i) {
      if (decoder_.push(data[i]) != proto::FrameResult::kFrame) continue;
      BoardMessage m;
      if (proto::parse_board(decoder_.body(), decoder_.body_size(), m) == proto::ParseResult::kOk) {
        messages.push_back(m);
      }
    }
  }
  const BoardMessage& last() const { return messages.back(); }
  std::vector<BoardMessage> messages;

 private:
  proto::FrameDecoder decoder_;
};

class FirmwareCoreTest : public ::testing::Test {
 protected:
  FirmwareCoreTest() : core_(make_config(), tx_) {}

  static FirmwareConfig make_config() {
    FirmwareConfig c;
    c.steering = {1100, 1500, 1900};
    c.throttle = {1200, 1520, 1800};
    c.failsafe_ms = 100;
    c.fw_major = 2;
    c.capabilities = proto::kCapRcInput;
    return c;
  }

  void host(MsgType type, uint32_t now_ms) {
    HostMessage m;
    m.type = type;
    feed(m, now_ms);
  }
  void command(uint32_t seq, uint16_t steering_us, uint16_t throttle_us, uint32_t now_ms) {
    HostMessage m;
    m.type = MsgType::kCommand;
    m.command = {seq, steering_us, throttle_us};
    feed(m, now_ms);
  }
  void feed(const HostMessage& m, uint32_t now_ms) {
    uint8_t wire[proto::kMaxWire];
    const size_t n = proto::encode_host(m, wire, sizeof(wire));
    core_.feed(wire, n, now_ms);
  }
  void open_armed(uint32_t now_ms) {
    host(MsgType::kHello, now_ms);
    host(MsgType::kArm, now_ms);
  }
  bool at_neutral() const { return core_.steering_us() == 1500 && core_.throttle_us() == 1520; }

  CapturingSink tx_;
  FirmwareCore core_;
};

TEST_F(FirmwareCoreTest, boots_disarmed_and_neutral) {
  EXPECT_FALSE(core_.armed());
  EXPECT_TRUE(at_neutral());
  EXPECT_TRUE(tx_.messages.empty());
}

TEST_F(FirmwareCoreTest, hello_is_answered_with_version_capabilities_and_failsafe) {
  host(MsgType::kHello, 0);
  ASSERT_EQ(tx_.messages.size(), 1u);
  EXPECT_EQ(tx_.last().type, MsgType::kHelloReply);
  EXPECT_EQ(tx_.last().hello.fw_major, 2);
  EXPECT_EQ(tx_.last().hello.capabilities, proto::kCapRcInput);
  EXPECT_EQ(tx_.last().hello.failsafe_ms, 100);
}

TEST_F(FirmwareCoreTest, arm_before_hello_is_refused) {
  host(MsgType::kArm, 0);
  EXPECT_FALSE(core_.armed());
  EXPECT_EQ(tx_.last().type, MsgType::kError);
  EXPECT_EQ(tx_.last().error.code, static_cast<uint8_t>(proto::ErrorCode::kNoSession));
}

TEST_F(FirmwareCoreTest, command_while_disarmed_is_refused_and_outputs_stay_neutral) {
  host(MsgType::kHello, 0);
  command(1, 1800, 1700, 1);
  EXPECT_TRUE(at_neutral());
  EXPECT_EQ(tx_.last().error.code, static_cast<uint8_t>(proto::ErrorCode::kNotArmed));
}

TEST_F(FirmwareCoreTest, armed_command_is_applied_and_acknowledged_in_status) {
  open_armed(0);
  command(1, 1600, 1650, 5);
  EXPECT_EQ(core_.steering_us(), 1600);
  EXPECT_EQ(core_.throttle_us(), 1650);
  ASSERT_EQ(tx_.last().type, MsgType::kStatus);
  EXPECT_EQ(tx_.last().status.last_seq, 1u);
  EXPECT_EQ(tx_.last().status.steering_out_us, 1600);
  EXPECT_TRUE(tx_.last().status.flags & proto::kFlagArmed);
  EXPECT_FALSE(tx_.last().status.flags & proto::kFlagFailsafe);
}

TEST_F(FirmwareCoreTest, commands_are_clamped_to_the_configured_limits) {
  open_armed(0);
  command(1, 500, 2500, 1);
  EXPECT_EQ(core_.steering_us(), 1100);
  EXPECT_EQ(core_.throttle_us(), 1800);
}

TEST_F(FirmwareCoreTest, out_of_order_and_repeated_seq_are_rejected) {
  open_armed(0);
  command(5, 1600, 1600, 1);
  command(5, 1700, 1700, 2);
  command(3, 1800, 1700, 3);
  EXPECT_EQ(core_.steering_us(), 1600);
  EXPECT_EQ(tx_.last().error.code, static_cast<uint8_t>(proto::ErrorCode::kStaleSeq));
  command(6, 1650, 1600, 4);
  EXPECT_EQ(core_.steering_us(), 1650);
}

TEST_F(FirmwareCoreTest, goes_neutral_exactly_failsafe_ms_after_the_last_valid_command) {
  open_armed(0);
  command(1, 1700, 1700, 1000);
  core_.tick(1099);
  EXPECT_FALSE(at_neutral());
  core_.tick(1100);
  EXPECT_TRUE(at_neutral());
  EXPECT_TRUE(core_.failsafe_active());
  EXPECT_TRUE(core_.armed());
  EXPECT_EQ(tx_.last().type, MsgType::kStatus);
  EXPECT_TRUE(tx_.last().status.flags & proto::kFlagFailsafe);
  command(2, 1650, 1600, 1200);
  EXPECT_FALSE(core_.failsafe_active());
  EXPECT_EQ(core_.steering_us(), 1650);
}

TEST_F(FirmwareCoreTest, heartbeat_and_rejected_commands_do_not_refresh_the_failsafe) {
  open_armed(0);
  command(1, 1700, 1700, 0);
  host(MsgType::kHeartbeat, 50);
  command(1, 1700, 1700, 60);  // stale seq
  core_.tick(100);
  EXPECT_TRUE(at_neutral());
}

TEST_F(FirmwareCoreTest, failsafe_survives_millis_wrap_around) {
  open_armed(0);
  command(1, 1700, 1700, 0xFFFFFFF0u);
  core_.tick(0x00000010u);  // 32 ms later
  EXPECT_FALSE(at_neutral());
  core_.tick(0x00000054u);  // 100 ms later
  EXPECT_TRUE(at_neutral());
}

TEST_F(FirmwareCoreTest, disarm_goes_neutral_at_once) {
  open_armed(0);
  command(1, 1700, 1700, 0);
  host(MsgType::kDisarm, 1);
  EXPECT_TRUE(at_neutral());
  EXPECT_FALSE(core_.armed());
  command(2, 1700, 1700, 2);
  EXPECT_TRUE(at_neutral());
}

TEST_F(FirmwareCoreTest, new_hello_disarms_and_restarts_the_sequence_window) {
  open_armed(0);
  command(40, 1700, 1700, 0);
  host(MsgType::kHello, 10);
  EXPECT_FALSE(core_.armed());
  EXPECT_TRUE(at_neutral());
  host(MsgType::kArm, 11);
  command(1, 1600, 1600, 12);
  EXPECT_EQ(core_.steering_us(), 1600);
}

TEST_F(FirmwareCoreTest, corrupted_frame_is_counted_and_never_applied) {
  open_armed(0);
  HostMessage m;
  m.type = MsgType::kCommand;
  m.command = {1, 1800, 1800};
  uint8_t wire[proto::kMaxWire];
  const size_t n = proto::encode_host(m, wire, sizeof(wire));
  wire[7] ^= 0x01;  // a steering byte: the frame stays one frame, its CRC fails
  core_.feed(wire, n, 1);
  EXPECT_TRUE(at_neutral());
  EXPECT_EQ(core_.rx_errors(), 1);
}

TEST_F(FirmwareCoreTest, status_reports_fresh_rc_pulses_and_sensors) {
  host(MsgType::kHello, 0);
  core_.set_rc_pulses(1400, 1600, 10);
  core_.set_battery_mv(7600);
  core_.set_wheel_ticks(-12);
  host(MsgType::kHeartbeat, 50);
  EXPECT_EQ(tx_.last().status.rc_steering_us, 1400);
  EXPECT_TRUE(tx_.last().status.flags & proto::kFlagRcValid);
  EXPECT_EQ(tx_.last().status.battery_mv, 7600);
  EXPECT_EQ(tx_.last().status.wheel_ticks, -12);
  host(MsgType::kHeartbeat, 200);  // rc pulses 190 ms old: stale
  EXPECT_EQ(tx_.last().status.rc_steering_us, 0);
  EXPECT_FALSE(tx_.last().status.flags & proto::kFlagRcValid);
}

TEST_F(FirmwareCoreTest, wrong_protocol_version_is_answered_with_an_error) {
  uint8_t body[] = {9, 0x01, 0, 0};
  const uint16_t crc = proto::crc16_ccitt(body, 2, proto::kCrcInit);
  body[2] = static_cast<uint8_t>(crc & 0xFF);
  body[3] = static_cast<uint8_t>(crc >> 8);
  uint8_t wire[8];
  size_t n = proto::cobs_encode(body, sizeof(body), wire, sizeof(wire));
  wire[n++] = 0;
  core_.feed(wire, n, 0);
  ASSERT_EQ(tx_.last().type, MsgType::kError);
  EXPECT_EQ(tx_.last().error.code, static_cast<uint8_t>(proto::ErrorCode::kUnsupportedVersion));
}

}  // namespace
}  // namespace rcpilot::board
