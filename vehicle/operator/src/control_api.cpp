#include "operator/control_api.hpp"

#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "config/schema.hpp"
#include "control/tunables.hpp"

namespace rcpilot::vehicle {
namespace {

using nlohmann::json;

// A request the API refuses; `code` is machine-readable, the message says what to do.
struct RequestError : std::runtime_error {
  RequestError(std::string c, const std::string& message)
      : std::runtime_error(message), code(std::move(c)) {}
  std::string code;
};

// Fields each command accepts besides v, id and cmd; all of them are required unless listed in
// kOptional.
const std::map<std::string, std::set<std::string>> kFields = {
    {"status", {}},
    {"mode", {"mode"}},
    {"arm", {}},
    {"disarm", {}},
    {"estop", {}},
    {"clear_estop", {}},
    {"drive", {"steering", "throttle"}},
    {"get", {"keys"}},
    {"set", {"values"}},
    {"reload", {}},
    {"record", {"action", "count", "first", "last"}},
};
const std::set<std::string> kOptional = {"keys", "count", "first", "last"};
constexpr double kMaxRecordIndex = 1e12;  // far beyond any tub; keeps indexes exact in a double

void check_fields(const std::string& cmd, const json& request) {
  const auto& allowed = kFields.at(cmd);
  for (const auto& [name, value] : request.items()) {
    if (name == "v" || name == "id" || name == "cmd" || allowed.count(name) != 0) continue;
    throw RequestError("unknown_field", "`" + name + "` is not a field of `" + cmd +
                                            "`; it takes: " + json(allowed).dump());
  }
  for (const std::string& name : allowed) {
    if (kOptional.count(name) == 0 && !request.contains(name)) {
      throw RequestError("missing_field", "`" + cmd + "` needs the field `" + name + "`");
    }
  }
}

// A number field in [lo, hi].
float number_in(const json& request, const std::string& name, double lo, double hi) {
  const json& v = request.at(name);
  if (!v.is_number()) throw RequestError("bad_type", "`" + name + "` must be a number");
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) {
    throw RequestError("out_of_range", "`" + name + "` is " + v.dump() + "; it must be in " +
                                           json(lo).dump() + " .. " + json(hi).dump());
  }
  return static_cast<float>(x);
}

// A record index field: a whole number in 0 .. kMaxRecordIndex.
std::int64_t index_in(const json& request, const std::string& name) {
  number_in(request, name, 0, kMaxRecordIndex);  // its type and range
  const double x = request.at(name).get<double>();
  if (x != std::floor(x)) throw RequestError("bad_type", "`" + name + "` must be a whole index");
  return static_cast<std::int64_t>(x);
}

// A JSON value as the YAML scalar text `--set` would take for `key`, after a type check.
std::string yaml_scalar(const config::KeyInfo& key, const json& v) {
  using config::ValueType;
  const bool ok =
      (key.type == ValueType::kBool && v.is_boolean()) ||
      (key.type == ValueType::kInt && v.is_number_integer()) ||
      (key.type == ValueType::kDouble && v.is_number()) ||
      ((key.type == ValueType::kString || key.type == ValueType::kEnum) && v.is_string());
  if (!ok) {
    throw RequestError(
        "bad_type", key.path() + " takes a " + config::type_name(key.type) + ", got " + v.dump());
  }
  return v.is_string() ? json(v.get<std::string>()).dump() : v.dump();
}

json value_json(const config::Value& v) {
  return std::visit([](const auto& x) { return json(x); }, v);
}

bool id_ok(const json& id) {
  return id.is_null() || id.is_number() ||
         (id.is_string() && id.get_ref<const std::string&>().size() <= kMaxIdBytes);
}

json refusal(const Transition& t) {
  if (!t.ok) throw RequestError("refused", t.reason);
  return json::object();
}

}  // namespace

ControlHandler::ControlHandler(ControlTargets targets) : t_(std::move(targets)) {}

json ControlHandler::error_reply(const std::string& code, const std::string& message) {
  return {{"v", kControlApiVersion}, {"ok", false}, {"error", code}, {"message", message}};
}

std::string ControlHandler::to_text(const json& reply) {
  return reply.dump(-1, ' ', false, json::error_handler_t::replace);
}

ParsedRequest ControlHandler::parse(const std::string& request_text) {
  ParsedRequest out;
  // The callback sees every array and object before it is built: refusing the deep ones here
  // keeps the stack of everything after (copy, dump, destroy) within kMaxRequestDepth.
  const json::parser_callback_t depth_guard = [](int depth, json::parse_event_t event, json&) {
    if ((event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) &&
        depth >= kMaxRequestDepth) {
      throw RequestError("too_deep", "the request nests arrays/objects deeper than " +
                                         std::to_string(kMaxRequestDepth) +
                                         " levels; no command needs more than 3");
    }
    return true;
  };
  try {
    out.request = json::parse(request_text, depth_guard);
  } catch (const RequestError& e) {
    out.reply = error_reply(e.code, e.what());
  } catch (const json::out_of_range& e) {
    out.reply = error_reply("malformed", std::string("a number in the request is out of range "
                                                     "(must fit a 64-bit float): ") +
                                             e.what());
  } catch (const json::exception& e) {
    out.reply = error_reply("malformed", std::string("request is not JSON: ") + e.what());
  }
  if (!out.reply.is_null()) out.request = nullptr;
  return out;
}

bool ControlHandler::is_slow(const json& request) {
  if (!request.is_object()) return false;
  const auto cmd = request.find("cmd");
  return cmd != request.end() && (*cmd == "record" || *cmd == "reload");
}

bool ControlHandler::is_estop(const json& request) {
  if (!request.is_object()) return false;
  const auto cmd = request.find("cmd");
  return cmd != request.end() && *cmd == "estop";
}

std::string ControlHandler::handle(const std::string& request_text) {
  // The parser's message quotes the bytes it read, which may not be UTF-8: to_text replaces
  // those rather than let dump() throw on the server thread.
  const ParsedRequest parsed = parse(request_text);
  return to_text(parsed.reply.is_null() ? handle(parsed.request) : parsed.reply);
}

json ControlHandler::handle(const json& request) {
  // Only a small scalar `id` is echoed: a structure chosen by the client is never copied.
  const bool has_id = request.is_object() && request.contains("id");
  if (has_id && !id_ok(request["id"])) {
    return error_reply("bad_id", "`id` must be a string of at most " + std::to_string(kMaxIdBytes) +
                                     " bytes, a number or null");
  }
  try {
    if (!request.is_object()) throw RequestError("malformed", "request must be a JSON object");
    if (request.contains("v") && request["v"] != kControlApiVersion) {
      throw RequestError("bad_version", "this rcpilot speaks control API version " +
                                            std::to_string(kControlApiVersion));
    }
    if (!request.contains("cmd") || !request["cmd"].is_string()) {
      throw RequestError("malformed", "request needs a string field `cmd`");
    }
    const std::string cmd = request["cmd"].get<std::string>();
    if (kFields.count(cmd) == 0) {
      throw RequestError("unknown_command", "unknown cmd `" + cmd + "`; see docs/control.md");
    }
    check_fields(cmd, request);
    json reply = dispatch(cmd, request);
    reply["v"] = kControlApiVersion;
    reply["ok"] = true;
    if (has_id) reply["id"] = request["id"];
    return reply;
  } catch (const RequestError& e) {
    json reply = error_reply(e.code, e.what());
    if (has_id) reply["id"] = request["id"];
    return reply;
  } catch (const std::exception& e) {
    return error_reply("internal", e.what());
  }
}

json ControlHandler::dispatch(const std::string& cmd, const json& request) {
  if (cmd == "status") return status();
  if (cmd == "mode") return mode(request);
  if (cmd == "arm") return arm();
  if (cmd == "disarm") return disarm();
  if (cmd == "estop") return estop();
  if (cmd == "clear_estop") return clear_estop();
  if (cmd == "drive") return drive(request);
  if (cmd == "get") return get(request);
  if (cmd == "set") return set(request);
  if (cmd == "reload") return reload();
  return record(request);
}

json ControlHandler::status() {
  json s = t_.status ? t_.status() : json::object();
  s["mode"] = std::string(to_string(t_.drive.mode()));
  s["armed"] = t_.drive.armed();
  s["estop"] = t_.drive.estopped();
  s["self_test_passed"] = t_.drive.self_test_passed();
  OperatorInput op;
  OperatorSource source{};
  const auto timeout = t_.config.operator_timeout_ms();
  if (t_.operators.current(t_.clock.now(), timeout, op, source)) {
    s["operator"] = {{"source", to_string(source)},
                     {"steering", op.steering_norm},
                     {"throttle", op.throttle_norm}};
  } else {
    s["operator"] = nullptr;
  }
  if (t_.recording != nullptr) s["recording"] = t_.recording->status();
  return s;
}

json ControlHandler::mode(const json& request) {
  const json& v = request["mode"];
  if (!v.is_string()) throw RequestError("bad_type", "`mode` must be a string");
  DriveMode mode{};
  if (!parse_drive_mode(v.get<std::string>(), mode)) {
    throw RequestError("out_of_range",
                       "`mode` must be one of \"user\", \"local_angle\", \"local\"");
  }
  // DriveState owns the mode; `get` reads it back through the live config.
  refusal(t_.drive.set_mode(mode));
  event("mode", "mode set to " + std::string(to_string(mode)), {{"mode", to_string(mode)}});
  return {{"mode", to_string(mode)}};
}

OperatorInput ControlHandler::operator_now() const {
  return t_.operators.current(t_.clock.now(), t_.config.operator_timeout_ms());
}

json ControlHandler::arm() {
  refusal(t_.drive.arm(operator_now()));
  event("armed", "armed in " + std::string(to_string(t_.drive.mode())) + " mode");
  return {{"armed", true}};
}

json ControlHandler::disarm() {
  t_.drive.disarm();
  event("disarmed", "disarmed by the control API");
  return {{"armed", false}};
}

json ControlHandler::estop() {
  t_.drive.estop();
  event("estop", "e-stop latched by the control API; clear_estop and arm to drive again");
  return {{"estop", true}};
}

json ControlHandler::clear_estop() {
  t_.drive.clear_estop();
  event("estop_cleared", "e-stop cleared; the car stays disarmed until armed");
  return {{"estop", false}};
}

json ControlHandler::drive(const json& request) {
  OperatorInput in;
  in.steering_norm = number_in(request, "steering", -1, 1);
  in.throttle_norm = number_in(request, "throttle", -1, 1);
  in.received_at = t_.clock.now();
  in.valid = true;
  t_.operators.submit(OperatorSource::kControlApi, in);
  return {{"expires_in_ms", t_.config.operator_timeout_ms()}};
}

json ControlHandler::get(const json& request) {
  std::vector<std::string> paths;
  if (request.contains("keys")) {
    const json& keys = request["keys"];
    if (!keys.is_array()) throw RequestError("bad_type", "`keys` must be an array of key paths");
    for (const json& k : keys) {
      if (!k.is_string()) throw RequestError("bad_type", "`keys` must hold strings");
      paths.push_back(k.get<std::string>());
    }
  } else {
    for (const auto& key : config::schema().keys) {
      if (key.live) paths.push_back(key.path());
    }
  }
  const config::Config cfg = t_.config.current();
  json values = json::object();
  for (const std::string& path : paths) {
    const config::KeyInfo* key = config::find_key(path);
    if (key == nullptr) throw RequestError("unknown_key", "unknown key `" + path + "`");
    values[path] = value_json(key->get(cfg));
  }
  return {{"values", values}};
}

json ControlHandler::set(const json& request) {
  const json& values = request["values"];
  if (!values.is_object() || values.empty()) {
    throw RequestError("bad_type", "`values` must be an object of {\"section.key\": value}");
  }
  std::vector<std::string> assignments;
  for (const auto& [path, v] : values.items()) {
    const config::KeyInfo* key = config::find_key(path);
    if (key == nullptr) {
      throw RequestError("unknown_key", "unknown key `" + path + "`; `get` lists the live keys");
    }
    assignments.push_back(path + "=" + yaml_scalar(*key, v));
  }
  const ConfigChange change = t_.config.set(assignments);
  if (!change.ok) {
    throw RequestError(change.code == "invalid" ? "out_of_range" : change.code, change.error);
  }
  if (!change.applied.empty()) event("tunables", "tunables changed", {{"keys", change.applied}});
  return {{"applied", change.applied}};
}

json ControlHandler::reload() {
  const ConfigChange change = t_.config.reload();
  if (!change.ok) throw RequestError(change.code, change.error);  // bad_file or refused
  event("reload", "config reloaded",
        {{"applied", change.applied}, {"restart_required", change.restart_required}});
  return {{"applied", change.applied}, {"restart_required", change.restart_required}};
}

json ControlHandler::record(const json& request) {
  if (t_.recording == nullptr) {
    throw RequestError("unavailable", "recording is not available in this node");
  }
  const json& action = request["action"];
  if (!action.is_string()) throw RequestError("bad_type", "`action` must be a string");
  const bool range = action == "erase_range" || action == "restore_range";
  for (const char* field : {"first", "last"}) {
    if (!range && request.contains(field)) {
      throw RequestError("unknown_field",
                         std::string("`") + field + "` is only for erase_range and restore_range");
    }
  }
  std::string error;
  if (action == "start") {
    if (!t_.recording->start(error)) throw RequestError("refused", error);
  } else if (action == "stop") {
    t_.recording->stop();
  } else if (action == "erase") {
    const int count =
        request.contains("count") ? static_cast<int>(number_in(request, "count", 1, 100000)) : 100;
    if (!t_.recording->erase_last(count, error)) throw RequestError("refused", error);
  } else if (range) {
    return record_range(request, action == "erase_range");
  } else if (action == "list") {
    json tub = t_.recording->tub(error);
    if (tub.is_null()) throw RequestError("refused", error);
    return {{"recording", t_.recording->status()}, {"tub", std::move(tub)}};
  } else {
    throw RequestError("out_of_range",
                       "`action` must be \"start\", \"stop\", \"erase\", \"erase_range\", "
                       "\"restore_range\" or \"list\"");
  }
  return {{"recording", t_.recording->status()}};
}

json ControlHandler::record_range(const json& request, bool erase) {
  if (request.contains("count")) {
    throw RequestError("unknown_field", "`count` is only for erase; ranges take first and last");
  }
  for (const char* field : {"first", "last"}) {
    if (!request.contains(field)) {
      throw RequestError("missing_field", std::string("`record ") + (erase ? "erase" : "restore") +
                                              "_range` needs the field `" + field + "`");
    }
  }
  const std::int64_t first = index_in(request, "first");
  const std::int64_t last = index_in(request, "last");
  if (first > last) throw RequestError("out_of_range", "`first` must not be above `last`");
  std::string error;
  if (!t_.recording->mark_range(first, last, erase, error)) throw RequestError("refused", error);
  return {{"recording", t_.recording->status()}};
}

void ControlHandler::event(const std::string& kind, const std::string& text, const json& details) {
  if (t_.event) t_.event(kind, text, details);
}

}  // namespace rcpilot::vehicle
