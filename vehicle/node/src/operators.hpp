#pragma once
// The node's operator side, wired from the config: live config changes, events, the control
// API server and the gamepad. Used only by the rcpilot executable.
#include <memory>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "operator/control_api.hpp"
#include "control/control_loop.hpp"
#include "operator/control_server.hpp"
#include "operator/gamepad_reader.hpp"
#include "telemetry/link_events.hpp"
#include "operator/live_config.hpp"
#include "operator/operator_actions.hpp"
#include "recording/recorder.hpp"
#include "telemetry/telemetry.hpp"

namespace rcpilot::app {

// Puts live tunables into effect (the mode goes to DriveState inside LiveConfig).
vehicle::LiveConfig::Apply apply_live(vehicle::ControlLoop& loop);
// Operator actions and config changes: logged, and published as `event` when telemetry is on.
vehicle::EventFn event_publisher(vehicle::TelemetryPublisher* telemetry);
// SIGHUP: reload the config file; only live keys change, the others are reported.
void reload_config(vehicle::LiveConfig& live, const vehicle::EventFn& event);
// The control API server (bound, not started); null when control_api.enabled is false. Throws
// config::ConfigError for an endpoint that needs CURVE without keys.
std::unique_ptr<vehicle::ControlServer> make_control_server(const config::Config& cfg,
                                                            vehicle::ControlHandler& handler);
// The gamepad reader (not started); null when gamepad.enabled is false. Sticks feed
// `operators`; mode, arm, disarm and e-stop buttons are the same typed operator actions as the
// control API's commands (arming checks the operator input in force, with the live dead-man);
// recording buttons queue work for `recorder` without waiting. Handlers run on the reader
// thread and never block.
std::unique_ptr<vehicle::GamepadReader> make_gamepad(const config::Config& cfg, const Clock& clock,
                                                     vehicle::OperatorInputs& operators,
                                                     vehicle::OperatorActions& actions,
                                                     const vehicle::LiveConfig& live,
                                                     vehicle::Recorder& recorder,
                                                     const vehicle::EventFn& events);

// The control API's `record` command acting on the node's Recorder: waits briefly (up to 1 s)
// for the recorder thread so the reply can say whether it worked. The control server runs it
// on its slow worker, never on the thread that serves e-stops.
class RecorderControl final : public vehicle::RecordingControl {
 public:
  explicit RecorderControl(vehicle::Recorder& recorder) : recorder_(recorder) {}
  bool start(std::string& error) override;
  void stop() override;
  bool erase_last(int count, std::string& error) override;
  bool mark_range(std::int64_t first, std::int64_t last, bool deleted, std::string& error) override;
  // Reads the tub with the TubReader on the calling thread (the slow worker): reading never
  // competes with the recorder, the tub's only writer.
  nlohmann::json tub(std::string& error) const override;
  nlohmann::json status() const override;

 private:
  vehicle::Recorder& recorder_;
};

}  // namespace rcpilot::app
