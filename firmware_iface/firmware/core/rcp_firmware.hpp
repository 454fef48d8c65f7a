#pragma once
// The board side of the rcpilot native protocol as a portable class: bytes and time in, two
// pulse widths out. No heap, no exceptions, no clock reads: the caller passes now_ms (a wrapping
// millisecond counter such as Arduino's millis()). Compiles with an Arduino toolchain.
#include "rcp_protocol.hpp"

namespace rcpilot {
namespace board {

// Pulse limits of one PWM output, us. The output never leaves [min_us, max_us].
struct ChannelLimits {
  uint16_t min_us;
  uint16_t neutral_us;
  uint16_t max_us;
};

struct FirmwareConfig {
  ChannelLimits steering = {1000, 1500, 2000};  // servo output
  ChannelLimits throttle = {1000, 1500, 2000};  // ESC output
  uint16_t failsafe_ms = 100;  // outputs go neutral this long after the last valid command
  uint16_t rc_stale_ms = 100;  // RC pulses older than this are reported as absent
  uint8_t fw_major = 1;
  uint8_t fw_minor = 0;
  uint8_t fw_patch = 0;
  uint16_t capabilities = 0;   // proto::Capability bits the board wiring supports
};

// Where the firmware sends its replies (the UART, a pty, a test buffer).
class TxSink {
 public:
  virtual ~TxSink() {}
  virtual void write(const uint8_t* data, size_t size) = 0;
};

class FirmwareCore {
 public:
  // Boots disarmed with both outputs at neutral.
  FirmwareCore(const FirmwareConfig& config, TxSink& tx);

  // Feeds received bytes; complete frames are handled at once and replies written to tx.
  void feed(const uint8_t* data, size_t size, uint32_t now_ms);
  // Runs the failsafe; call at least every few ms. Outputs go neutral when now_ms is
  // failsafe_ms or more past the last valid command.
  void tick(uint32_t now_ms);

  // Sensor inputs, reported in STATUS.
  void set_rc_pulses(uint16_t steering_us, uint16_t throttle_us, uint32_t now_ms);
  void set_battery_mv(uint16_t mv) { battery_mv_ = mv; }
  void set_wheel_ticks(int32_t ticks) { wheel_ticks_ = ticks; }

  uint16_t steering_us() const { return steering_us_; }  // servo pulse to drive now, us
  uint16_t throttle_us() const { return throttle_us_; }  // ESC pulse to drive now, us
  bool armed() const { return armed_; }
  bool failsafe_active() const { return armed_ && !command_fresh_; }
  bool session_open() const { return session_open_; }
  uint32_t last_seq() const { return last_seq_; }
  uint16_t rx_errors() const { return rx_errors_; }

 private:
  void handle_frame(uint32_t now_ms);
  void handle_command(const proto::Command& cmd, uint32_t now_ms);
  void go_neutral();
  void send_status(uint32_t now_ms);
  void send_hello_reply();
  void send_error(proto::ErrorCode code, uint8_t msg_type);
  void send(const proto::BoardMessage& msg);

  FirmwareConfig config_;
  TxSink& tx_;
  proto::FrameDecoder decoder_;
  bool session_open_ = false;
  bool armed_ = false;
  bool command_fresh_ = false;  // a valid command arrived within failsafe_ms
  uint32_t last_command_ms_ = 0;
  uint32_t last_seq_ = 0;
  uint16_t steering_us_;
  uint16_t throttle_us_;
  uint16_t rc_steering_us_ = 0;
  uint16_t rc_throttle_us_ = 0;
  uint32_t rc_at_ms_ = 0;
  uint16_t battery_mv_ = 0;
  int32_t wheel_ticks_ = 0;
  uint16_t rx_errors_ = 0;
};

}  // namespace board
}  // namespace rcpilot
