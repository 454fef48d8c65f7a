#include "operators.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "perception/tub_reader.hpp"

#include "control/tunables.hpp"

namespace rcpilot::app {
namespace {

using nlohmann::json;

// Recording buttons go to the recorder's queue directly: the gamepad thread must not wait for
// the disk (the control API's `record` waits to report the outcome; here the recorder's own
// record_* events report it).
void record_button(vehicle::GamepadAction action, vehicle::Recorder& recorder, int erase_count) {
  if (action == vehicle::GamepadAction::kEraseRecords) {
    recorder.erase_last(erase_count);
  } else if (recorder.status().recording) {
    recorder.stop_recording();
  } else {
    recorder.start_recording();
  }
}


// A drive button: the same typed operator action as the control API's command.
void drive_button(vehicle::GamepadAction action, vehicle::OperatorActions& actions,
                  const vehicle::OperatorInput& op_now) {
  using vehicle::GamepadAction;
  constexpr const char* kWho = "gamepad";
  vehicle::Transition t;
  switch (action) {
    case GamepadAction::kModeCycle:
      t = actions.set_mode(vehicle::OperatorActions::next_mode(actions.drive().mode()), kWho);
      break;
    case GamepadAction::kArm:
      t = actions.arm(op_now, kWho);
      break;
    case GamepadAction::kDisarm:
      actions.disarm(kWho);
      break;
    case GamepadAction::kEstop:
      actions.estop(kWho);
      break;
    case GamepadAction::kRecordToggle:
    case GamepadAction::kEraseRecords:
      break;  // record_button()
    case GamepadAction::kThrottleScaleUp:
    case GamepadAction::kThrottleScaleDown:
      break;  // applied by the gamepad's decoder, reported as an event
  }
  if (!t.ok) spdlog::warn("gamepad {}: refused: {}", vehicle::to_string(action), t.reason);
}

}  // namespace

// Puts live tunables into effect (the mode goes to DriveState inside LiveConfig).
vehicle::LiveConfig::Apply apply_live(vehicle::ControlLoop& loop) {
  return [&loop](const config::Config& next, const std::vector<std::string>&) {
    loop.update_tunables(vehicle::tunables_of(next.control));
  };
}

// Operator actions and config changes: logged, and published as `event` when telemetry is on.
vehicle::EventFn event_publisher(vehicle::TelemetryPublisher* telemetry) {
  return [telemetry](const std::string& kind, const std::string& text, const nlohmann::json& d) {
    spdlog::info("{}: {}", kind, text);
    if (telemetry != nullptr) {
      telemetry->publish_event(kind, text, d.is_object() ? d : nlohmann::json::object());
    }
  };
}

// SIGHUP: reload the config file; only live keys change.
void reload_config(vehicle::LiveConfig& live, const vehicle::EventFn& event) {
  const vehicle::ConfigChange change = live.reload();
  if (!change.ok) {
    spdlog::error("SIGHUP: {}", change.error);
    event("warning", change.error, {});
    return;
  }
  for (const auto& key : change.restart_required) {
    spdlog::warn("SIGHUP: {} changed in the file but needs a restart; still using the old value",
                 key);
  }
  event("reload", "config reloaded on SIGHUP",
        {{"applied", change.applied}, {"restart_required", change.restart_required}});
}

std::unique_ptr<vehicle::ControlServer> make_control_server(const config::Config& cfg,
                                                            vehicle::ControlHandler& handler) {
  if (!cfg.control_api.enabled) return nullptr;
  config::ControlApiConfig api = cfg.control_api;  // key files are relative to the config
  api.curve_secret_key = config::resolve_path(cfg, api.curve_secret_key);
  api.curve_authorized_keys = config::resolve_path(cfg, api.curve_authorized_keys);
  auto server = std::make_unique<vehicle::ControlServer>(api, handler);
  spdlog::info("control API on {}{}", server->bound_endpoint(), server->curve() ? " (CURVE)" : "");
  return server;
}

std::unique_ptr<vehicle::GamepadReader> make_gamepad(const config::Config& cfg, const Clock& clock,
                                                     vehicle::OperatorInputs& operators,
                                                     vehicle::OperatorActions& actions,
                                                     const vehicle::LiveConfig& live,
                                                     vehicle::Recorder& recorder,
                                                     const vehicle::EventFn& events) {
  if (!cfg.gamepad.enabled) return nullptr;
  vehicle::GamepadHandlers h;
  h.on_input = [&operators](const vehicle::OperatorInput& in) {
    operators.submit(vehicle::OperatorSource::kGamepad, in);
  };
  const int erase_count = cfg.gamepad.erase_count;
  h.on_action = [&](vehicle::GamepadAction action) {
    if (action == vehicle::GamepadAction::kRecordToggle ||
        action == vehicle::GamepadAction::kEraseRecords) {
      record_button(action, recorder, erase_count);
      return;
    }
    drive_button(action, actions, operators.current(clock.now(), live.operator_timeout_ms()));
  };
  h.on_event = [events](vehicle::GamepadEvent e, const std::string& detail) {
    events(std::string(vehicle::to_string(e)), detail, {});
  };
  return std::make_unique<vehicle::GamepadReader>(cfg.gamepad, clock, std::move(h));
}

namespace {
constexpr std::chrono::milliseconds kRecorderAnswer{1000};  // disk work the reply waits for
}  // namespace

bool RecorderControl::start(std::string& error) {
  recorder_.start_recording();
  recorder_.wait_idle(kRecorderAnswer);
  const auto s = recorder_.status();
  if (!s.recording) error = s.last_error.empty() ? "recording did not start" : s.last_error;
  return s.recording;
}

void RecorderControl::stop() {
  recorder_.stop_recording();
  recorder_.wait_idle(kRecorderAnswer);
}

bool RecorderControl::erase_last(int count, std::string& error) {
  const auto before = recorder_.status().erased;
  recorder_.erase_last(count);
  recorder_.wait_idle(kRecorderAnswer);
  const auto s = recorder_.status();
  if (s.erased == before && count > 0 && !s.last_error.empty()) {
    error = s.last_error;
    return false;
  }
  return true;
}

bool RecorderControl::mark_range(std::int64_t first, std::int64_t last, bool deleted,
                                 std::string& error) {
  const std::string before = recorder_.status().last_error;
  recorder_.mark_range(first, last, deleted);
  if (!recorder_.wait_idle(kRecorderAnswer)) {
    error = "the recorder did not answer within 1 s; see the record_* events";
    return false;
  }
  const auto s = recorder_.status();
  if (s.last_error != before && !s.last_error.empty()) {
    error = s.last_error;
    return false;
  }
  return true;
}

nlohmann::json RecorderControl::tub(std::string& error) const {
  const std::string path = recorder_.status().path;
  nlohmann::json sessions = nlohmann::json::array();
  nlohmann::json tub = {
      {"path", path}, {"sessions", sessions}, {"records", 0}, {"deleted", nlohmann::json::array()}};
  if (!std::filesystem::exists(std::filesystem::path(path) / "manifest.json")) return tub;
  try {
    const perception::TubReader reader(path);
    std::map<std::string, std::size_t> at;  // session id -> position in sessions
    for (const auto& r : reader.records()) {
      const auto [it, added] = at.emplace(r.session_id, sessions.size());
      if (added) sessions.push_back({{"id", r.session_id}, {"first", r.index}, {"records", 0}});
      auto& s = sessions[it->second];
      s["last"] = r.index;
      s["records"] = s["records"].get<std::int64_t>() + 1;
    }
    tub["sessions"] = std::move(sessions);
    tub["records"] = reader.records().size();
    tub["deleted"] = reader.deleted_indexes();
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
  return tub;
}

nlohmann::json RecorderControl::status() const {
  const auto s = recorder_.status();
  return {{"recording", s.recording},
          {"path", s.path},
          {"session", s.session_id},
          {"records", s.records},
          {"records_total", s.records_total},
          {"dropped", s.dropped},
          {"erased", s.erased},
          {"last_error", s.last_error}};
}

}  // namespace rcpilot::app
