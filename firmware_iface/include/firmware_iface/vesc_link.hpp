#pragma once
// MotorLink for a VESC motor controller over its UART protocol (REFERENCE.md section 1):
// FW_VERSION repeated until answered, no motor command before; then every setpoint is
// SET_SERVO_POS plus a throttle command (duty, electrical RPM or current); GET_VALUES is polled
// so the board's voltage, speed, temperatures and fault code reach the status. The VESC never
// re-centres the servo itself, so neutral (stop, link loss, host watchdog, board fault) always
// writes servo centre and zero (or brake) current.
#include <memory>
#include <mutex>
#include <string>

#include "firmware_iface/stream_link.hpp"
#include "firmware_iface/vesc_protocol.hpp"

namespace rcpilot::fw {

enum class VescThrottleMode {
  kDuty,     // SET_DUTY throttle * max_duty
  kRpm,      // SET_RPM throttle * max_erpm
  kCurrent,  // SET_CURRENT throttle * max_current_a (negative reverses)
};

struct VescLinkConfig {
  VescThrottleMode throttle_mode = VescThrottleMode::kDuty;
  float max_duty = 0.2f;         // duty (0..0.95) at throttle +-1
  float max_erpm = 10000.0f;     // electrical RPM at throttle +-1
  float max_current_a = 10.0f;   // A at throttle +-1
  float brake_current_a = 0.0f;  // A applied at throttle 0 (neutral, stop, fault); 0 = coast
  float servo_center = 0.5f;     // servo position (0..1) at steering 0
  float servo_gain = 0.35f;      // servo position change per unit steering; negative inverts
  float servo_min = 0.15f;       // servo position limits (0..1), min < center < max
  float servo_max = 0.85f;
  int values_period_ms = 50;  // GET_VALUES poll period; keep below timing.alive_timeout_ms
  LinkTiming timing;          // period_ms = setpoint repeat when the loop sends nothing new
};

// Servo position for `steering_norm`: clamp(center + gain * steering, min, max); NaN -> centre.
float vesc_servo_position(float steering_norm, const VescLinkConfig& config);

class VescLink final : public StreamLink {
 public:
  // Starts the I/O thread, which asks FW_VERSION until answered; send() works once alive.
  VescLink(std::unique_ptr<ByteTransport> transport, const Clock& clock, VescLinkConfig config);
  ~VescLink() override;
  std::string describe() const override { return "VESC UART protocol"; }
  // "major.minor" from the FW_VERSION reply; empty before it.
  std::string firmware_version() const;

 private:
  void on_connect(TimePoint now) override;
  void on_handshake_retry(TimePoint now) override;
  void on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) override;
  SentSetpoint write_setpoint(const DriveCommand& cmd, TimePoint now) override;
  std::optional<SentSetpoint> write_idle(const DriveCommand& last, TimePoint now) override {
    return write_setpoint(last, now);
  }

  void handle(const std::vector<std::uint8_t>& payload, TimePoint now);
  // Writes the throttle command; returns its value in the configured unit (WireOutput).
  float write_throttle(float throttle_norm);
  void write_frame(const std::vector<std::uint8_t>& frame);

  VescLinkConfig config_;
  vesc::Decoder decoder_;     // I/O thread only
  TimePoint last_poll_{};     // I/O thread only
  bool board_fault_ = false;  // I/O thread only: the last GET_VALUES had a fault code
  mutable std::mutex info_mutex_;
  std::string fw_version_;
};

}  // namespace rcpilot::fw
