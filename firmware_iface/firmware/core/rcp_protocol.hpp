#pragma once
// rcpilot native serial protocol (docs/protocol.md), shared by the host and the firmware.
// Portable C++11: no heap, no exceptions, no standard library beyond <stdint.h>/<stddef.h>, so
// an Arduino toolchain compiles it unchanged. All multi-byte fields are little-endian.
#include <stddef.h>
#include <stdint.h>

namespace rcpilot {
namespace proto {

const uint8_t kProtocolVersion = 1;
const uint8_t kDelimiter = 0x00;
// Body = version, type, payload, crc16 (2 bytes); the largest payload is STATUS (21 bytes).
const size_t kMaxBody = 32;
// COBS adds one byte per 254 plus one; the delimiter adds one.
const size_t kMaxWire = kMaxBody + 2 + 1;

// CRC-16 with poly 0x1021, no reflection, no final xor, starting from `init`.
// init 0xFFFF is CRC-16/CCITT-FALSE (check 0x29B1, used by this protocol);
// init 0x0000 is CRC-16/XMODEM (check 0x31C3, used by VESC).
uint16_t crc16_ccitt(const uint8_t* data, size_t size, uint16_t init);
const uint16_t kCrcInit = 0xFFFF;

// COBS-encodes `size` bytes into `out` (no delimiter). Returns the encoded size, 0 if `cap`
// is too small.
size_t cobs_encode(const uint8_t* in, size_t size, uint8_t* out, size_t cap);
// Decodes a COBS block (delimiter excluded). Returns the decoded size, 0 on a malformed block
// (a zero byte inside, a code running past the end) or when `cap` is too small.
size_t cobs_decode(const uint8_t* in, size_t size, uint8_t* out, size_t cap);

enum class MsgType : uint8_t {
  kHello = 0x01,      // host -> board: open a session (disarms, resets the sequence window)
  kArm = 0x02,        // host -> board: allow outputs to follow commands
  kDisarm = 0x03,     // host -> board: outputs neutral, commands refused
  kCommand = 0x04,    // host -> board: setpoint (Command)
  kHeartbeat = 0x05,  // host -> board: ask for STATUS; does NOT refresh the command failsafe
  kHelloReply = 0x81, // board -> host: HelloReply
  kStatus = 0x82,     // board -> host: Status
  kError = 0x83,      // board -> host: Error
};

enum Capability : uint16_t {
  kCapRcInput = 1u << 0,     // status carries RC receiver pulses
  kCapBattery = 1u << 1,     // status carries battery voltage
  kCapWheelTicks = 1u << 2,  // status carries wheel encoder ticks
};

enum StatusFlag : uint8_t {
  kFlagArmed = 1u << 0,           // outputs follow commands
  kFlagFailsafe = 1u << 1,        // armed, but held neutral: no valid command within failsafe_ms
  kFlagRcValid = 1u << 2,         // rc pulses are fresh
};

enum class ErrorCode : uint8_t {
  kUnsupportedVersion = 1,  // frame with a protocol version the board does not speak
  kUnknownType = 2,         // message type unknown in this direction
  kBadLength = 3,           // payload length wrong for the type
  kNotArmed = 4,            // COMMAND while disarmed: ignored
  kStaleSeq = 5,            // COMMAND seq not greater than the last applied: ignored
  kNoSession = 6,           // ARM or COMMAND before HELLO: ignored
};

struct Command {
  uint32_t seq = 0;           // strictly increasing within a session, first is >= 1
  uint16_t steering_us = 0;   // servo pulse width, us; the board clamps it to its limits
  uint16_t throttle_us = 0;   // ESC pulse width, us; the board clamps it to its limits
};

struct HelloReply {
  uint8_t protocol_version = kProtocolVersion;  // from the frame header
  uint8_t fw_major = 0;       // firmware version major.minor.patch
  uint8_t fw_minor = 0;
  uint8_t fw_patch = 0;
  uint16_t capabilities = 0;  // Capability bits
  uint16_t failsafe_ms = 0;   // the board's command timeout, ms
};

struct Status {
  uint8_t flags = 0;             // StatusFlag bits
  uint32_t last_seq = 0;         // seq of the last applied COMMAND (0: none this session)
  uint16_t steering_out_us = 0;  // pulse the servo output is driving now, us
  uint16_t throttle_out_us = 0;  // pulse the ESC output is driving now, us
  uint16_t rc_steering_us = 0;   // RC receiver steering pulse, us (0: none)
  uint16_t rc_throttle_us = 0;   // RC receiver throttle pulse, us (0: none)
  uint16_t battery_mv = 0;       // battery voltage, mV (0: not wired)
  int32_t wheel_ticks = 0;       // wheel encoder count since boot (0: not wired)
  uint16_t rx_errors = 0;        // frames dropped by the board (noise, CRC, length), wraps
};

struct Error {
  uint8_t code = 0;      // ErrorCode
  uint8_t msg_type = 0;  // type of the offending message (0 if unknown)
};

struct HostMessage {
  MsgType type = MsgType::kHeartbeat;
  Command command;  // valid when type == kCommand
};

struct BoardMessage {
  MsgType type = MsgType::kStatus;
  HelloReply hello;  // valid when type == kHelloReply
  Status status;     // valid when type == kStatus
  Error error;       // valid when type == kError
};

// Writes the complete wire frame (COBS body + 0x00) for `msg` into `out`; returns its size, 0
// when `cap` is too small (kMaxWire always suffices).
size_t encode_host(const HostMessage& msg, uint8_t* out, size_t cap);
size_t encode_board(const BoardMessage& msg, uint8_t* out, size_t cap);

enum class ParseResult : uint8_t { kOk, kBadVersion, kUnknownType, kBadLength };
// Interprets a CRC-checked body (from FrameDecoder). Never touches `out` fields beyond the type's.
ParseResult parse_host(const uint8_t* body, size_t size, HostMessage& out);
ParseResult parse_board(const uint8_t* body, size_t size, BoardMessage& out);

enum class FrameResult : uint8_t {
  kPending,   // no complete frame yet
  kFrame,     // body() holds a CRC-checked body
  kTooLong,   // bytes between delimiters exceeded kMaxWire: dropped
  kBadCobs,   // malformed COBS block: dropped
  kTooShort,  // body shorter than header + CRC: dropped
  kBadCrc,    // CRC mismatch: dropped
};

// Streaming frame decoder: push bytes one at a time; every 0x00 ends a candidate frame, so it
// resynchronises at the next delimiter after any noise.
class FrameDecoder {
 public:
  FrameResult push(uint8_t byte);
  // The last frame's body (version, type, payload, no CRC); valid until the next push().
  const uint8_t* body() const { return body_; }
  size_t body_size() const { return body_size_; }

 private:
  uint8_t raw_[kMaxWire];
  size_t raw_size_ = 0;
  bool overflow_ = false;
  uint8_t body_[kMaxBody];
  size_t body_size_ = 0;
};

}  // namespace proto
}  // namespace rcpilot
