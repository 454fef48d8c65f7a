#include "firmware_iface/mm1_link.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace rcpilot::fw {

namespace {

constexpr std::size_t kMaxLine = 32;

bool four_digits(const std::string& s, int& value) {
  if (s.size() != 4 || !std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  value = std::stoi(s);
  return value >= 500 && value <= 2500;
}

}  // namespace

std::optional<std::pair<int, int>> parse_mm1_line(const std::string& line) {
  const auto comma = line.find(", ");
  if (comma == std::string::npos) return std::nullopt;
  int s = 0, t = 0;
  if (!four_digits(line.substr(0, comma), s) || !four_digits(line.substr(comma + 2), t)) {
    return std::nullopt;
  }
  return std::make_pair(s, t);
}

int mm1_pulse(int pulse_us) { return std::clamp(pulse_us, kMm1MinPulseUs, kMm1MaxPulseUs); }

std::string format_mm1_command(int steering_us, int throttle_us) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d, %04d\r", mm1_pulse(steering_us), mm1_pulse(throttle_us));
  return buf;
}

LinkTiming Mm1LinkConfig::timing_for_rate(int rate_hz, LinkTiming base) {
  const int interval_ms = 1000 / std::clamp(rate_hz, 1, 1000 / kMm1BoardPassMs);
  base.min_interval_ms = interval_ms;
  base.period_ms = interval_ms;  // repeat at the same rate: the board needs nothing faster
  base.neutral_interval_ms = kMm1BoardPassMs;
  return base;
}

Mm1Link::Mm1Link(std::unique_ptr<ByteTransport> transport, const Clock& clock, Mm1LinkConfig config)
    : StreamLink(std::move(transport), clock, config.timing), config_(config) {
  start();
}

Mm1Link::~Mm1Link() { stop(); }

void Mm1Link::on_connect(TimePoint) {
  line_.clear();
  overlong_ = false;
  if (!config_.require_reports) set_handshake_done(true);
}

void Mm1Link::on_bytes(const std::uint8_t* data, std::size_t size, TimePoint now) {
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\r') continue;
    if (c != '\n') {
      if (line_.size() < kMaxLine) {
        line_.push_back(c);
      } else {
        overlong_ = true;
      }
      continue;
    }
    if (!overlong_)
      handle_line(now);
    else
      count_rx_error();
    line_.clear();
    overlong_ = false;
  }
}

void Mm1Link::handle_line(TimePoint now) {
  const auto pulses = parse_mm1_line(line_);
  if (!pulses) {
    count_rx_error();
    return;
  }
  board_heard(now);
  if (!handshake_done()) set_handshake_done(true);
  update_status([&](LinkStatus& s) {
    s.rc.valid = true;
    s.rc.received_at = now;
    s.rc.steering_us = static_cast<std::uint16_t>(pulses->first);
    s.rc.throttle_us = static_cast<std::uint16_t>(pulses->second);
    s.rc.steering_norm = from_pulse_us(pulses->first, config_.steering);
    s.rc.throttle_norm = from_pulse_us(pulses->second, config_.throttle);
  });
}

SentSetpoint Mm1Link::write_setpoint(const DriveCommand& cmd, TimePoint now) {
  SentSetpoint sent{cmd, {}};
  sent.wire.steering_us =
      static_cast<std::uint16_t>(mm1_pulse(to_pulse_us(cmd.steering_norm, config_.steering)));
  sent.wire.throttle_us =
      static_cast<std::uint16_t>(mm1_pulse(to_pulse_us(cmd.throttle_norm, config_.throttle)));
  const std::string msg = format_mm1_command(sent.wire.steering_us, sent.wire.throttle_us);
  const bool ok = write_bytes(reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size());
  if (ok && !config_.require_reports) board_heard(now);
  return sent;
}

Duration Mm1Link::final_neutral_delay(TimePoint now) const {
  // The board has taken the last line within one pass of it; the neutral then waits alone.
  const Duration left = last_write() + std::chrono::milliseconds(kMm1BoardPassMs) - now;
  return std::max(left, Duration::zero());
}

}  // namespace rcpilot::fw
