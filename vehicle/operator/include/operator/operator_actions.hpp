#pragma once
// What an operator may do to the drive state, as typed calls: the control API's JSON commands
// and the gamepad's buttons both end here, so every interface is validated and reported the
// same way. DriveState owns the mode, arming and the e-stop latch; this adds the events.
#include "control/drive_state.hpp"
#include "control/operator_inputs.hpp"
#include "telemetry/events.hpp"

namespace rcpilot::vehicle {

class OperatorActions {
 public:
  // `event` may be empty. `who` names the interface in events ("control API", "gamepad").
  OperatorActions(DriveState& drive, EventFn event) : drive_(drive), event_(std::move(event)) {}

  Transition set_mode(DriveMode mode, const char* who);
  // Refused while e-stopped, off neutral (`op`), or in an autonomous mode without self-test.
  Transition arm(const OperatorInput& op, const char* who);
  void disarm(const char* who);
  void estop(const char* who);
  void clear_estop(const char* who);
  // The next mode of the cycle user -> local_angle -> local -> user.
  static DriveMode next_mode(DriveMode mode);

  DriveState& drive() { return drive_; }

 private:
  void event(const std::string& kind, const std::string& text, const nlohmann::json& details = {});

  DriveState& drive_;
  EventFn event_;
};

}  // namespace rcpilot::vehicle
