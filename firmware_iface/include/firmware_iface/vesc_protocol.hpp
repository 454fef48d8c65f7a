#pragma once
// VESC UART framing and the messages rcpilot uses (REFERENCE.md section 1). Host side only.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace rcpilot::fw::vesc {

enum class CommId : std::uint8_t {
  kFwVersion = 0,
  kGetValues = 4,
  kSetDuty = 5,
  kSetCurrent = 6,
  kSetCurrentBrake = 7,
  kSetRpm = 8,
  kSetServoPos = 12,
  kAlive = 30,
};

constexpr std::size_t kMaxPayload = 512;  // the firmware's default limit

// A complete frame around `payload` (1..kMaxPayload bytes): short (0x02) below 256 bytes,
// long (0x03) otherwise; CRC-16/XMODEM over the payload, big-endian; end byte 0x03.
std::vector<std::uint8_t> frame(const std::vector<std::uint8_t>& payload);

std::vector<std::uint8_t> set_duty(float duty);            // -1..1, scaled 1e5
std::vector<std::uint8_t> set_current(float amps);         // A, scaled 1e3
std::vector<std::uint8_t> set_current_brake(float amps);   // A, scaled 1e3
std::vector<std::uint8_t> set_rpm(float erpm);             // electrical RPM
std::vector<std::uint8_t> set_servo_pos(float pos);        // clamped 0..1, scaled 1e3
std::vector<std::uint8_t> request(CommId id);              // FW_VERSION, GET_VALUES (no args)

struct Values {
  float temp_fet_c = 0;
  float temp_motor_c = 0;
  float motor_current_a = 0;
  float input_current_a = 0;
  float duty = 0;
  float erpm = 0;
  float input_v = 0;
  std::int32_t tachometer = 0;
  std::uint8_t fault_code = 0;
};
// Parses a GET_VALUES reply payload (id byte included); nullopt when too short or not one.
std::optional<Values> parse_values(const std::vector<std::uint8_t>& payload);

// Streaming decoder with the firmware's resync rule: a candidate frame with a bad start byte,
// zero or too long length, wrong end byte or CRC mismatch is dropped one byte at a time.
class Decoder {
 public:
  void push(const std::uint8_t* data, std::size_t size);
  // Next complete payload, if any.
  std::optional<std::vector<std::uint8_t>> next();
  std::uint64_t dropped_bytes() const { return dropped_; }

 private:
  std::vector<std::uint8_t> buf_;
  std::uint64_t dropped_ = 0;
};

}  // namespace rcpilot::fw::vesc
