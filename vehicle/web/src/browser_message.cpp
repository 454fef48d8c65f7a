#include "web/browser_message.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace rcpilot::web {
namespace {

using nlohmann::json;

// Control API commands a page may send; those outside `kWatcherCommands` need the controls.
const std::set<std::string> kPageCommands = {"status",      "mode", "arm", "disarm", "estop",
                                             "clear_estop", "get",  "set", "record"};
const std::set<std::string> kWatcherCommands = {"status", "get", "estop", "disarm"};

ParsedMessage fail(std::string error) { return ParsedMessage{std::nullopt, std::move(error)}; }

std::optional<double> unit_number(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return std::nullopt;
  const double value = it->get<double>();
  if (!std::isfinite(value) || value < -1.0 || value > 1.0) return std::nullopt;
  return value;
}

ParsedMessage parse_drive(const json& object) {
  BrowserMessage m;
  m.kind = MessageKind::kDrive;
  const auto steering = unit_number(object, "steering");
  const auto throttle = unit_number(object, "throttle");
  if (!steering) return fail("drive: `steering` must be a number in -1 .. 1");
  if (!throttle) return fail("drive: `throttle` must be a number in -1 .. 1");
  m.steering = *steering;
  m.throttle = *throttle;
  return ParsedMessage{m, ""};
}

bool valid_id(const json& id) { return id.is_null() || id.is_number(); }

ParsedMessage parse_command(const json& object) {
  BrowserMessage m;
  m.kind = MessageKind::kCommand;
  const auto cmd = object.find("cmd");
  if (cmd == object.end() || !cmd->is_string()) return fail("cmd: `cmd` must be a string");
  const std::string name = cmd->get<std::string>();
  if (kPageCommands.count(name) == 0) {
    return fail("cmd: `" + name.substr(0, 40) + "` is not a command a page may send");
  }
  m.id = object.value("id", json());
  if (!valid_id(m.id)) return fail("cmd: `id` must be a number or null");
  m.request = object;
  m.request.erase("t");
  m.request.erase("id");
  const bool listing = name == "record" && object.value("action", json()) == "list";
  m.needs_controls = kWatcherCommands.count(name) == 0 && !listing;
  return ParsedMessage{m, ""};
}

ParsedMessage parse_hello(const json& object) {
  BrowserMessage m;
  m.kind = MessageKind::kHello;
  const auto name = object.find("name");
  if (name == object.end() || !name->is_string()) return fail("hello: `name` must be a string");
  std::string text = name->get<std::string>();
  if (text.size() > 40) return fail("hello: `name` is longer than 40 bytes");
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  });
  if (!printable) return fail("hello: `name` has control characters");
  m.name = std::move(text);
  return ParsedMessage{m, ""};
}

ParsedMessage parse_object(const json& object) {
  const auto kind = object.find("t");
  if (kind == object.end() || !kind->is_string()) return fail("`t` must be a string");
  const std::string t = kind->get<std::string>();
  if (t == "drive") return parse_drive(object);
  if (t == "cmd") return parse_command(object);
  if (t == "hello") return parse_hello(object);
  BrowserMessage m;
  if (t == "claim") {
    m.kind = MessageKind::kClaim;
  } else if (t == "release") {
    m.kind = MessageKind::kRelease;
  } else if (t == "ping") {
    m.kind = MessageKind::kPing;
    m.id = object.value("c", json());
    if (!valid_id(m.id)) return fail("ping: `c` must be a number");
  } else {
    return fail("`t` is `" + t.substr(0, 40) + "`, not a message kind");
  }
  return ParsedMessage{m, ""};
}

}  // namespace

int json_depth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

ParsedMessage parse_browser_message(std::string_view text) {
  if (text.size() > kMaxBrowserMessageBytes) return fail("message longer than 16384 bytes");
  if (json_depth(text) > kMaxBrowserMessageDepth) return fail("message nested too deep");
  const json object = json::parse(text.begin(), text.end(), nullptr, false);
  if (object.is_discarded() || !object.is_object()) return fail("message is not a JSON object");
  return parse_object(object);
}

}  // namespace rcpilot::web
