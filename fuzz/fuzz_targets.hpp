#pragma once
// One fuzz target per input that crosses a trust boundary. Each feeds arbitrary bytes through
// the product's own parser or handler and aborts when an invariant breaks (a crash, an
// uncaught exception or a sanitizer report is what libFuzzer reports). Built into libFuzzer
// binaries fuzz_<name> with -DRCPILOT_FUZZ=ON (clang; scripts/fuzz) and replayed over the
// committed corpus fuzz/corpus/<name>/ by fuzz_corpus_tests in every regular test run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rcpilot::fuzz {

// Motor links (firmware_targets.cpp).
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

// Operator side (operator_targets.cpp).
// Control API: each line is one whole request through a real ControlHandler on a real
// DriveState and LiveConfig; every reply is valid JSON and a refusal changes nothing.
int control_request(const std::uint8_t* data, std::size_t size);
// Gamepad: the bytes as js_event records through GamepadDecoder; outputs stay in -1..1.
int gamepad_events(const std::uint8_t* data, std::size_t size);

// rcpilot-web (web_targets.cpp).
// The first line as a request target, token header and cookie through the token check and the
// static/tub file naming (nothing outside their folders); each
// line as a browser's WebSocket message through a Hub holding the controls or not: drive values
// reach the node only in -1..1, every text sent back is JSON.
int web_messages(const std::uint8_t* data, std::size_t size);

// Configuration (config_targets.cpp).
// A config file: load_config either loads it or throws ConfigError; a loaded config prints
// (to_yaml) as YAML that loads again.
int config_yaml(const std::uint8_t* data, std::size_t size);
// `--set` arguments, one per line, on the embedded profile; and the same through `set`.
int config_set(const std::uint8_t* data, std::size_t size);
// SIGHUP / `reload`: the file replaced by the bytes; a refused reload changes nothing and its
// error prints as an event.
int live_reload(const std::uint8_t* data, std::size_t size);

// Recorded data and models (perception_targets.cpp).
// A tub folder: manifest.json, catalog_0.catalog_manifest and catalog_0.catalog from the
// bytes (split at kPartSeparator); TubReader reads it or throws TubError.
int tub_reader(const std::uint8_t* data, std::size_t size);
// The same folder reopened by the recorder's TubWriter: append a record, erase it, close.
int tub_reopen(const std::uint8_t* data, std::size_t size);
// Model metadata YAML: parse_model_metadata returns or throws ModelError.
int model_metadata(const std::uint8_t* data, std::size_t size);

// The simulator (sim_targets.cpp).
// A track file: parse_track_spec and Track either build a closed track or throw naming the
// file; an accepted spec written by track_to_yaml parses to the same segments.
int track_file(const std::uint8_t* data, std::size_t size);

// Separates the files of one tub input: "\n====\n".
inline const std::string kPartSeparator = "\n====\n";

struct Target {
  std::string name;  // corpus folder under fuzz/corpus/; the binary is fuzz_<name>
  int (*run)(const std::uint8_t*, std::size_t);
};
const std::vector<Target>& targets();

}  // namespace rcpilot::fuzz
