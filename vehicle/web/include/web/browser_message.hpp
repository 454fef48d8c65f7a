#pragma once
// Messages a browser sends over the WebSocket: one JSON object per text message, field `t`
// naming the kind. Everything is checked here before the server acts on it; a message that does
// not parse gets an error reply naming the field, and changes nothing.
//   {"t":"hello","name":"phone"}                  what the page calls itself (shown to others)
//   {"t":"claim"} / {"t":"release"}              take / give up the drive controls
//   {"t":"drive","steering":0.1,"throttle":0.3}  operator input, -1 .. 1 each (holder only)
//   {"t":"cmd","id":7,"cmd":"mode","mode":"user"} a control API request (docs/control.md)
//   {"t":"ping","c":123.4}                       echoed back (round trip for the frame age)
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace rcpilot::web {

inline constexpr std::size_t kMaxBrowserMessageBytes = 16384;  // a `get` of every key is ~4 KiB
inline constexpr int kMaxBrowserMessageDepth = 6;

enum class MessageKind { kHello, kClaim, kRelease, kDrive, kCommand, kPing };

struct BrowserMessage {
  MessageKind kind = MessageKind::kPing;
  std::string name;             // kHello: at most 40 printable characters
  double steering = 0;          // kDrive: norm, -1 full left .. 1 full right
  double throttle = 0;          // kDrive: norm, -1 full reverse .. 1 full forward
  nlohmann::json request;       // kCommand: the control API request (`cmd` and its fields)
  nlohmann::json id;            // kCommand, kPing: echoed in the reply (number or null)
  bool needs_controls = false;  // kCommand: only the holder of the drive controls may send it
};

struct ParsedMessage {
  std::optional<BrowserMessage> message;  // set when the text was a valid message
  std::string error;                      // otherwise what is wrong, naming the field
};

// Parses one WebSocket text message from a browser; never throws.
ParsedMessage parse_browser_message(std::string_view text);
// The nesting depth of arrays/objects in JSON text (strings skipped), without parsing it.
int json_depth(std::string_view text);

}  // namespace rcpilot::web
