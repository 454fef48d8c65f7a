#include "fuzz_targets.hpp"

#include <cstdlib>
#include <cstring>

#include "firmware_iface/mm1_link.hpp"
#include "firmware_iface/vesc_protocol.hpp"
#include "fuzz_support.hpp"
#include "rcp_firmware.hpp"

namespace rcpilot::fuzz {

namespace {

class NullSink final : public board::TxSink {
 public:
  void write(const std::uint8_t*, std::size_t) override {}
};

bool within(std::uint16_t us, const board::ChannelLimits& ch) {
  return us >= ch.min_us && us <= ch.max_us;
}

}  // namespace

int native_board_messages(const std::uint8_t* data, std::size_t size) {
  proto::FrameDecoder decoder;
  for (std::size_t i = 0; i < size; ++i) {
    if (decoder.push(data[i]) != proto::FrameResult::kFrame) continue;
    proto::BoardMessage msg;
    if (proto::parse_board(decoder.body(), decoder.body_size(), msg) != proto::ParseResult::kOk) {
      continue;
    }
    std::uint8_t body[proto::kMaxBody];
    const std::size_t body_size = decoder.body_size();
    std::memcpy(body, decoder.body(), body_size);
    std::uint8_t wire[proto::kMaxWire];
    const std::size_t n = proto::encode_board(msg, wire, sizeof(wire));
    check(n > 0);
    proto::FrameDecoder again;
    proto::FrameResult r = proto::FrameResult::kPending;
    for (std::size_t k = 0; k < n; ++k) r = again.push(wire[k]);
    check(r == proto::FrameResult::kFrame && again.body_size() == body_size &&
          std::memcmp(again.body(), body, body_size) == 0);
  }
  return 0;
}

int firmware_core(const std::uint8_t* data, std::size_t size) {
  NullSink sink;
  const board::FirmwareConfig config;
  board::FirmwareCore core(config, sink);
  std::uint32_t now_ms = 0;
  // Feed in chunks of 1..8 bytes, moving firmware time by the chunk length.
  for (std::size_t i = 0; i < size;) {
    const std::size_t n = std::min<std::size_t>(size - i, 1 + data[i] % 8);
    core.feed(data + i, n, now_ms);
    now_ms += static_cast<std::uint32_t>(n);
    core.tick(now_ms);
    check(within(core.steering_us(), config.steering) &&
          within(core.throttle_us(), config.throttle));
    if (!core.armed()) {
      check(core.steering_us() == config.steering.neutral_us &&
            core.throttle_us() == config.throttle.neutral_us);
    }
    i += n;
  }
  core.tick(now_ms + config.failsafe_ms);
  check(core.throttle_us() == config.throttle.neutral_us);  // the failsafe always wins
  return 0;
}

int vesc_replies(const std::uint8_t* data, std::size_t size) {
  fw::vesc::Decoder decoder;
  decoder.push(data, size);
  while (auto payload = decoder.next()) {
    check(!payload->empty() && payload->size() <= fw::vesc::kMaxPayload);
    if (const auto v = fw::vesc::parse_values(*payload)) check((*payload)[0] == 4);
  }
  return 0;
}

int mm1_reports(const std::uint8_t* data, std::size_t size) {
  std::string line;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c != '\n') {
      if (c != '\r' && line.size() < 32) line.push_back(c);
      continue;
    }
    if (const auto p = fw::parse_mm1_line(line)) {
      check(p->first >= 500 && p->first <= 2500 && p->second >= 500 && p->second <= 2500);
    }
    line.clear();
  }
  return 0;
}

}  // namespace rcpilot::fuzz
