#include "control/types.hpp"

namespace rcpilot::vehicle {

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
  return config::parse_name(text, mode);
}

}  // namespace rcpilot::vehicle
