#pragma once
// The control API's requests and replies (JSON, versioned; docs/control.md), free of sockets so
// every command and error case is tested directly. ControlServer carries it over ZeroMQ.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "control/drive_state.hpp"
#include "control/operator_inputs.hpp"
#include "operator/live_config.hpp"
#include "telemetry/events.hpp"

namespace rcpilot::vehicle {

constexpr int kControlApiVersion = 1;
// Limits on what a request may hold (docs/control.md): deeper nesting is refused before any
// value is built, so no attacker-chosen structure is ever copied or dumped recursively.
constexpr int kMaxRequestDepth = 16;      // levels of nested arrays/objects, the request is 1
constexpr std::size_t kMaxIdBytes = 256;  // `id` string length, bytes

// What the `record` command acts on (the node's Recorder).
class RecordingControl {
 public:
  virtual ~RecordingControl() = default;
  // Starts a new session; false with `error` when it cannot (e.g. the tub folder is unwritable).
  virtual bool start(std::string& error) = 0;
  virtual void stop() = 0;
  // Marks the last `count` records deleted; false with `error` when it cannot.
  virtual bool erase_last(int count, std::string& error) = 0;
  // Soft-deletes (`deleted`) or restores the records with indexes first .. last (inclusive,
  // first <= last) through the recorder; false with `error` when it cannot.
  virtual bool mark_range(std::int64_t first, std::int64_t last, bool deleted,
                          std::string& error) = 0;
  // The tub as its reader sees it: {"path", "sessions": [{"id", "first", "last", "records"}],
  // "records", "deleted": [indexes]}; null with `error` when it cannot be read.
  virtual nlohmann::json tub(std::string& error) const = 0;
  virtual nlohmann::json status() const = 0;
};

struct ControlTargets {
  DriveState& drive;
  OperatorInputs& operators;
  LiveConfig& config;  // `mode`, `set`, `reload` go through it: its Apply switches drive's mode
  const Clock& clock;
  std::function<nlohmann::json()> status;  // loop, pilot and link figures for `status`
  RecordingControl* recording = nullptr;   // null: `record` answers unavailable
  EventFn event;                           // may be empty
};

// A request read from text: either `request` (JSON nested at most kMaxRequestDepth) or `reply`,
// the error to answer instead.
struct ParsedRequest {
  nlohmann::json request;
  nlohmann::json reply;  // non-null: the request was refused before acting
};

class ControlHandler {
 public:
  explicit ControlHandler(ControlTargets targets);

  // One request in, one reply out; never throws. A rejected request changes nothing.
  std::string handle(const std::string& request_text);
  nlohmann::json handle(const nlohmann::json& request);
  // The first half of handle(text): JSON and nesting depth checks. Never throws. The request
  // size is the transport's to check (ControlServer, control_api.max_request_bytes).
  static ParsedRequest parse(const std::string& request_text);
  // Requests that may wait on the disk (`record`, `reload`): the server runs them off its thread.
  static bool is_slow(const nlohmann::json& request);
  // `request` is an `estop` (the server applies those before anything else it has read).
  static bool is_estop(const nlohmann::json& request);
  // The reply refusing a request: `code` is machine-readable, `message` says what to do.
  static nlohmann::json error_reply(const std::string& code, const std::string& message);
  // A reply as text; bytes that are not UTF-8 are replaced, never thrown on.
  static std::string to_text(const nlohmann::json& reply);

 private:
  nlohmann::json dispatch(const std::string& cmd, const nlohmann::json& request);
  nlohmann::json status();
  nlohmann::json mode(const nlohmann::json& request);
  nlohmann::json arm();
  nlohmann::json disarm();
  nlohmann::json estop();
  nlohmann::json clear_estop();
  nlohmann::json drive(const nlohmann::json& request);
  nlohmann::json get(const nlohmann::json& request);
  nlohmann::json set(const nlohmann::json& request);
  nlohmann::json reload();
  nlohmann::json record(const nlohmann::json& request);
  nlohmann::json record_range(const nlohmann::json& request, bool erase);
  OperatorInput operator_now() const;
  void event(const std::string& kind, const std::string& text, const nlohmann::json& details = {});

  ControlTargets t_;
};

}  // namespace rcpilot::vehicle
