#include "vehicle/control_core.hpp"

#include <algorithm>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::vehicle {

ControlCore::ControlCore(const config::ControlConfig& control, const config::PilotConfig& pilot)
    : control_(control), supervisor_(pilot) {
  parse_drive_mode(control.mode, mode_);
}

fw::DriveCommand ControlCore::shape(float steering, float throttle, bool from_model) const {
  const auto limit = static_cast<float>(control_.steering_limit);
  const float s = steering * static_cast<float>(control_.steering_gain) +
                  static_cast<float>(control_.steering_trim);
  const float t = from_model ? throttle * static_cast<float>(control_.ai_throttle_mult) : throttle;
  fw::DriveCommand cmd;
  cmd.steering_norm = std::clamp(s, -limit, limit);
  cmd.throttle_norm = std::clamp(t, static_cast<float>(control_.throttle_min),
                                 static_cast<float>(control_.throttle_max));
  return fw::clamped(cmd);
}

TickState ControlCore::decide(const TickInputs& in, std::uint64_t tick, TimePoint now) {
  TickState st;
  st.tick = tick;
  st.now = now;
  st.mode = mode_;
  const auto& p = in.prediction;
  if (in.has_prediction) {
    st.frame_sequence = p.frame_sequence;
    st.prediction_age_ms = static_cast<float>(elapsed_ms(p.captured_at, now));
    st.inference_ms = p.inference_ms;
  }
  // The supervisor runs every tick, whatever the mode, so the rate meter never goes blind.
  const StopReason model_ok = supervisor_.check_prediction(p, in.has_prediction, now);
  st.pilot_rate_hz = supervisor_.pilot_rate_hz(now);
  const bool uses_model = mode_ != DriveMode::kUser;
  const bool uses_operator = mode_ != DriveMode::kLocal;
  if (uses_model && model_ok != StopReason::kNone) {
    st.reason = model_ok;
  } else if (uses_operator && !in.operator_input.valid) {
    st.reason = StopReason::kNoOperatorInput;
  }
  if (st.reason != StopReason::kNone) {
    st.command = fw::neutral_command(tick, now);
    return st;
  }
  const auto& op = in.operator_input;
  const float steering = uses_model ? p.steering_norm : op.steering_norm;
  const float throttle = mode_ == DriveMode::kLocal ? p.throttle_norm : op.throttle_norm;
  st.command = shape(steering, throttle, mode_ == DriveMode::kLocal);
  st.command.tick = tick;
  st.command.issued_at = now;
  return st;
}

}  // namespace rcpilot::vehicle
