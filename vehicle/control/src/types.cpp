#include "control/types.hpp"

namespace rcpilot::vehicle {

std::string_view to_string(DriveMode mode) {
  switch (mode) {
    case DriveMode::kUser: return "user";
    case DriveMode::kLocalAngle: return "local_angle";
    case DriveMode::kLocal: return "local";
  }
  return "unknown";
}

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kNone: return "none";
    case StopReason::kEstop: return "estop";
    case StopReason::kDisarmed: return "disarmed";
    case StopReason::kCameraLost: return "camera_lost";
    case StopReason::kNoPrediction: return "no_prediction";
    case StopReason::kInvalidPrediction: return "invalid_prediction";
    case StopReason::kStalePrediction: return "stale_prediction";
    case StopReason::kPilotRateLow: return "pilot_rate_low";
    case StopReason::kMotorLinkDown: return "motor_link_down";
    case StopReason::kNoOperatorInput: return "no_operator_input";
    case StopReason::kLimitViolation: return "limit_violation";
    case StopReason::kRecovering: return "recovering";
    case StopReason::kShutdown: return "shutdown";
  }
  return "unknown";
}

bool parse_drive_mode(std::string_view text, DriveMode& mode) {
  for (auto m : {DriveMode::kUser, DriveMode::kLocalAngle, DriveMode::kLocal}) {
    if (text == to_string(m)) {
      mode = m;
      return true;
    }
  }
  return false;
}

}  // namespace rcpilot::vehicle
