#include "firmware_iface/vesc_protocol.hpp"

#include <algorithm>
#include <cmath>

#include "rcp_protocol.hpp"

namespace rcpilot::fw::vesc {

namespace {

void put_i32(std::vector<std::uint8_t>& out, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(u >> shift));
}

std::vector<std::uint8_t> command_i32(CommId id, double scaled) {
  std::vector<std::uint8_t> p{static_cast<std::uint8_t>(id)};
  put_i32(p, static_cast<std::int32_t>(std::lround(scaled)));
  return frame(p);
}

std::uint16_t crc_xmodem(const std::uint8_t* data, std::size_t size) {
  return proto::crc16_ccitt(data, size, 0x0000);
}

class BigEndian {
 public:
  explicit BigEndian(const std::vector<std::uint8_t>& p) : p_(p) {}
  std::int32_t i32() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | p_[at_++];
    return static_cast<std::int32_t>(v);
  }
  std::int16_t i16() {
    const auto v = static_cast<std::uint16_t>((p_[at_] << 8) | p_[at_ + 1]);
    at_ += 2;
    return static_cast<std::int16_t>(v);
  }
  std::uint8_t u8() { return p_[at_++]; }

 private:
  const std::vector<std::uint8_t>& p_;
  std::size_t at_ = 1;  // after the id byte
};

}  // namespace

std::vector<std::uint8_t> frame(const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> out;
  const std::size_t n = payload.size();
  if (n < 256) {
    out = {0x02, static_cast<std::uint8_t>(n)};
  } else {
    out = {0x03, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n & 0xFF)};
  }
  out.insert(out.end(), payload.begin(), payload.end());
  const std::uint16_t crc = crc_xmodem(payload.data(), n);
  out.push_back(static_cast<std::uint8_t>(crc >> 8));
  out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
  out.push_back(0x03);
  return out;
}

std::vector<std::uint8_t> set_duty(float duty) {
  return command_i32(CommId::kSetDuty, std::clamp(duty, -1.0f, 1.0f) * 1e5);
}
std::vector<std::uint8_t> set_current(float amps) {
  return command_i32(CommId::kSetCurrent, static_cast<double>(amps) * 1e3);
}
std::vector<std::uint8_t> set_current_brake(float amps) {
  return command_i32(CommId::kSetCurrentBrake, static_cast<double>(amps) * 1e3);
}
std::vector<std::uint8_t> set_rpm(float erpm) { return command_i32(CommId::kSetRpm, erpm); }

std::vector<std::uint8_t> set_servo_pos(float pos) {
  const auto v = static_cast<std::int16_t>(std::lround(std::clamp(pos, 0.0f, 1.0f) * 1000.0f));
  const auto u = static_cast<std::uint16_t>(v);
  return frame({static_cast<std::uint8_t>(CommId::kSetServoPos), static_cast<std::uint8_t>(u >> 8),
                static_cast<std::uint8_t>(u & 0xFF)});
}

std::vector<std::uint8_t> request(CommId id) { return frame({static_cast<std::uint8_t>(id)}); }

std::optional<Values> parse_values(const std::vector<std::uint8_t>& p) {
  // id + 2+2+4+4+4+4+2+4+2+4+4+4+4+4+4+1 bytes up to the fault code.
  constexpr std::size_t kMin = 54;
  if (p.size() < kMin || p[0] != static_cast<std::uint8_t>(CommId::kGetValues)) return std::nullopt;
  BigEndian r(p);
  Values v;
  v.temp_fet_c = r.i16() / 10.0f;
  v.temp_motor_c = r.i16() / 10.0f;
  v.motor_current_a = static_cast<float>(r.i32()) / 100.0f;
  v.input_current_a = static_cast<float>(r.i32()) / 100.0f;
  r.i32();  // id
  r.i32();  // iq
  v.duty = r.i16() / 1000.0f;
  v.erpm = static_cast<float>(r.i32());
  v.input_v = r.i16() / 10.0f;
  for (int i = 0; i < 4; ++i) r.i32();  // amp-hours, watt-hours (and charged)
  v.tachometer = r.i32();
  r.i32();  // tachometer abs
  v.fault_code = r.u8();
  return v;
}

void Decoder::push(const std::uint8_t* data, std::size_t size) {
  buf_.insert(buf_.end(), data, data + size);
}

std::optional<std::vector<std::uint8_t>> Decoder::next() {
  while (!buf_.empty()) {
    const std::uint8_t start = buf_[0];
    const std::size_t header = start == 0x02 ? 2 : start == 0x03 ? 3 : 0;
    bool bad = header == 0;
    std::size_t len = 0;
    if (!bad) {
      if (buf_.size() < header) return std::nullopt;
      len = header == 2 ? buf_[1] : (static_cast<std::size_t>(buf_[1]) << 8) | buf_[2];
      bad = len == 0 || len > kMaxPayload;
    }
    if (!bad) {
      const std::size_t total = header + len + 3;
      if (buf_.size() < total) return std::nullopt;
      const std::uint8_t* payload = buf_.data() + header;
      const auto crc = static_cast<std::uint16_t>((buf_[header + len] << 8) | buf_[header + len + 1]);
      if (buf_[total - 1] == 0x03 && crc_xmodem(payload, len) == crc) {
        std::vector<std::uint8_t> out(payload, payload + len);
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<long>(total));
        return out;
      }
    }
    buf_.erase(buf_.begin());
    ++dropped_;
  }
  return std::nullopt;
}

}  // namespace rcpilot::fw::vesc
