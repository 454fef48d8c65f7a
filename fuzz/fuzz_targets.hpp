#pragma once
// One fuzz target per decoder. Each feeds arbitrary bytes through a decoder and aborts when an
// invariant breaks (a crash is the failure libFuzzer reports). Built into libFuzzer binaries
// with -DRCPILOT_FUZZ=ON (clang) and replayed over the committed corpus by fuzz_corpus_test.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rcpilot::fw::fuzz {

// Native protocol, board -> host: FrameDecoder + parse_board; a parsed message re-encodes to
// a frame that decodes to the same body.
int native_board_messages(const std::uint8_t* data, std::size_t size);
// Native protocol, host -> board: the whole firmware core; outputs never leave their limits
// and are neutral whenever disarmed.
int firmware_core(const std::uint8_t* data, std::size_t size);
// VESC replies: the streaming decoder and the GET_VALUES parser; payloads are 1..512 bytes.
int vesc_replies(const std::uint8_t* data, std::size_t size);
// MM1 RC reports: line splitting and parse_mm1_line; accepted values lie in 500..2500 us.
int mm1_reports(const std::uint8_t* data, std::size_t size);

struct Target {
  std::string name;  // corpus folder under tests/firmware_iface/fuzz/corpus/
  int (*run)(const std::uint8_t*, std::size_t);
};
const std::vector<Target>& targets();

}  // namespace rcpilot::fw::fuzz
