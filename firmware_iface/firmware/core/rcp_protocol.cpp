#include "rcp_protocol.hpp"

namespace rcpilot {
namespace proto {

uint16_t crc16_ccitt(const uint8_t* data, size_t size, uint16_t init) {
  uint16_t crc = init;
  for (size_t i = 0; i < size; ++i) {
    crc = static_cast<uint16_t>(crc ^ (static_cast<uint16_t>(data[i]) << 8));
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000u) ? static_cast<uint16_t>((crc << 1) ^ 0x1021u)
                            : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

size_t cobs_encode(const uint8_t* in, size_t size, uint8_t* out, size_t cap) {
  if (cap == 0) return 0;
  size_t code_at = 0;  // where the current block's code byte goes
  size_t o = 1;
  uint8_t code = 1;
  for (size_t i = 0; i < size; ++i) {
    if (in[i] != 0) {
      if (o >= cap) return 0;
      out[o++] = in[i];
      ++code;
    }
    if (in[i] == 0 || code == 0xFF) {
      out[code_at] = code;
      code = 1;
      code_at = o;
      if (o >= cap) return 0;
      ++o;
    }
  }
  out[code_at] = code;
  return o;
}

size_t cobs_decode(const uint8_t* in, size_t size, uint8_t* out, size_t cap) {
  size_t o = 0;
  size_t i = 0;
  while (i < size) {
    const uint8_t code = in[i++];
    if (code == 0) return 0;
    for (uint8_t k = 1; k < code; ++k) {
      if (i >= size || in[i] == 0 || o >= cap) return 0;
      out[o++] = in[i++];
    }
    if (code != 0xFF && i < size) {
      if (o >= cap) return 0;
      out[o++] = 0;
    }
  }
  return o;
}

namespace {

class Writer {
 public:
  explicit Writer(uint8_t* buf) : buf_(buf) {}
  void u8(uint8_t v) { buf_[n_++] = v; }
  void u16(uint16_t v) {
    u8(static_cast<uint8_t>(v & 0xFF));
    u8(static_cast<uint8_t>(v >> 8));
  }
  void u32(uint32_t v) {
    u16(static_cast<uint16_t>(v & 0xFFFF));
    u16(static_cast<uint16_t>(v >> 16));
  }
  size_t size() const { return n_; }
  uint8_t* data() { return buf_; }

 private:
  uint8_t* buf_;
  size_t n_ = 0;
};

class Reader {
 public:
  explicit Reader(const uint8_t* buf) : buf_(buf) {}
  uint8_t u8() { return buf_[n_++]; }
  uint16_t u16() {
    const uint16_t lo = u8();
    return static_cast<uint16_t>(lo | (static_cast<uint16_t>(u8()) << 8));
  }
  uint32_t u32() {
    const uint32_t lo = u16();
    return lo | (static_cast<uint32_t>(u16()) << 16);
  }

 private:
  const uint8_t* buf_;
  size_t n_ = 0;
};

size_t finish_frame(Writer& w, uint8_t* out, size_t cap) {
  const uint16_t crc = crc16_ccitt(w.data(), w.size(), kCrcInit);
  w.u16(crc);
  const size_t n = cobs_encode(w.data(), w.size(), out, cap);
  if (n == 0 || n >= cap) return 0;
  out[n] = kDelimiter;
  return n + 1;
}

const size_t kHeader = 2;
const size_t kCommandPayload = 8;
const size_t kHelloReplyPayload = 7;
const size_t kStatusPayload = 21;
const size_t kErrorPayload = 2;

}  // namespace

size_t encode_host(const HostMessage& msg, uint8_t* out, size_t cap) {
  uint8_t body[kMaxBody];
  Writer w(body);
  w.u8(kProtocolVersion);
  w.u8(static_cast<uint8_t>(msg.type));
  if (msg.type == MsgType::kCommand) {
    w.u32(msg.command.seq);
    w.u16(msg.command.steering_us);
    w.u16(msg.command.throttle_us);
  }
  return finish_frame(w, out, cap);
}

size_t encode_board(const BoardMessage& msg, uint8_t* out, size_t cap) {
  uint8_t body[kMaxBody];
  Writer w(body);
  w.u8(kProtocolVersion);
  w.u8(static_cast<uint8_t>(msg.type));
  if (msg.type == MsgType::kHelloReply) {
    w.u8(msg.hello.fw_major);
    w.u8(msg.hello.fw_minor);
    w.u8(msg.hello.fw_patch);
    w.u16(msg.hello.capabilities);
    w.u16(msg.hello.failsafe_ms);
  } else if (msg.type == MsgType::kStatus) {
    const Status& s = msg.status;
    w.u8(s.flags);
    w.u32(s.last_seq);
    w.u16(s.steering_out_us);
    w.u16(s.throttle_out_us);
    w.u16(s.rc_steering_us);
    w.u16(s.rc_throttle_us);
    w.u16(s.battery_mv);
    w.u32(static_cast<uint32_t>(s.wheel_ticks));
    w.u16(s.rx_errors);
  } else if (msg.type == MsgType::kError) {
    w.u8(msg.error.code);
    w.u8(msg.error.msg_type);
  }
  return finish_frame(w, out, cap);
}

ParseResult parse_host(const uint8_t* body, size_t size, HostMessage& out) {
  if (size < kHeader || body[0] != kProtocolVersion) return ParseResult::kBadVersion;
  const size_t payload = size - kHeader;
  Reader r(body + kHeader);
  switch (static_cast<MsgType>(body[1])) {
    case MsgType::kHello:
    case MsgType::kArm:
    case MsgType::kDisarm:
    case MsgType::kHeartbeat:
      if (payload != 0) return ParseResult::kBadLength;
      break;
    case MsgType::kCommand:
      if (payload != kCommandPayload) return ParseResult::kBadLength;
      out.command.seq = r.u32();
      out.command.steering_us = r.u16();
      out.command.throttle_us = r.u16();
      break;
    default:
      return ParseResult::kUnknownType;
  }
  out.type = static_cast<MsgType>(body[1]);
  return ParseResult::kOk;
}

ParseResult parse_board(const uint8_t* body, size_t size, BoardMessage& out) {
  if (size < kHeader || body[0] != kProtocolVersion) return ParseResult::kBadVersion;
  const size_t payload = size - kHeader;
  Reader r(body + kHeader);
  switch (static_cast<MsgType>(body[1])) {
    case MsgType::kHelloReply:
      if (payload != kHelloReplyPayload) return ParseResult::kBadLength;
      out.hello.protocol_version = body[0];
      out.hello.fw_major = r.u8();
      out.hello.fw_minor = r.u8();
      out.hello.fw_patch = r.u8();
      out.hello.capabilities = r.u16();
      out.hello.failsafe_ms = r.u16();
      break;
    case MsgType::kStatus: {
      if (payload != kStatusPayload) return ParseResult::kBadLength;
      Status& s = out.status;
      s.flags = r.u8();
      s.last_seq = r.u32();
      s.steering_out_us = r.u16();
      s.throttle_out_us = r.u16();
      s.rc_steering_us = r.u16();
      s.rc_throttle_us = r.u16();
      s.battery_mv = r.u16();
      s.wheel_ticks = static_cast<int32_t>(r.u32());
      s.rx_errors = r.u16();
      break;
    }
    case MsgType::kError:
      if (payload != kErrorPayload) return ParseResult::kBadLength;
      out.error.code = r.u8();
      out.error.msg_type = r.u8();
      break;
    default:
      return ParseResult::kUnknownType;
  }
  out.type = static_cast<MsgType>(body[1]);
  return ParseResult::kOk;
}

FrameResult FrameDecoder::push(uint8_t byte) {
  if (byte != kDelimiter) {
    if (raw_size_ < kMaxWire) {
      raw_[raw_size_++] = byte;
    } else {
      overflow_ = true;
    }
    return FrameResult::kPending;
  }
  const size_t raw = raw_size_;
  const bool overflow = overflow_;
  raw_size_ = 0;
  overflow_ = false;
  body_size_ = 0;
  if (overflow) return FrameResult::kTooLong;
  if (raw == 0) return FrameResult::kPending;  // back-to-back delimiters carry nothing
  const size_t n = cobs_decode(raw_, raw, body_, kMaxBody);
  if (n == 0) return FrameResult::kBadCobs;
  if (n < kHeader + 2) return FrameResult::kTooShort;
  const uint16_t crc = static_cast<uint16_t>(body_[n - 2] | (body_[n - 1] << 8));
  if (crc16_ccitt(body_, n - 2, kCrcInit) != crc) return FrameResult::kBadCrc;
  body_size_ = n - 2;
  return FrameResult::kFrame;
}

}  // namespace proto
}  // namespace rcpilot
