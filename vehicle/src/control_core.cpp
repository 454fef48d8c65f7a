#include "vehicle/control_core.hpp"

#include <algorithm>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::vehicle {

ControlCore::ControlCore(const config::ControlConfig& control, const config::PilotConfig& pilot)
    : control_(control), supervisor_(pilot), drive_(initial_mode(control.mode)) {}

DriveMode ControlCore::initial_mode(const std::string& text) {
  DriveMode mode = DriveMode::kUser;
  parse_drive_mode(text, mode);
  return mode;
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
  const DriveMode mode = drive_.mode();
  st.mode = mode;
  st.operator_input = in.operator_input;
  const auto& p = in.prediction;
  if (in.has_prediction) {
    st.frame_sequence = p.frame_sequence;
    st.prediction_age_ms = static_cast<float>(elapsed_ms(p.captured_at, now));
    st.inference_ms = p.inference_ms;
  }
  // The supervisor runs every tick, whatever the mode, so the rate meter never goes blind.
  const StopReason model_ok = supervisor_.check_prediction(p, in.has_prediction, now);
  st.pilot_rate_hz = supervisor_.pilot_rate_hz(now);
  const bool uses_model = mode != DriveMode::kUser;
  const bool uses_operator = mode != DriveMode::kLocal;
  if (drive_.estopped()) {
    st.reason = StopReason::kEstop;
  } else if (!drive_.armed()) {
    st.reason = StopReason::kDisarmed;
  } else if (uses_model && !in.camera_alive) {
    st.reason = StopReason::kCameraLost;
  } else if (uses_model && model_ok != StopReason::kNone) {
    st.reason = model_ok;
  } else if (uses_operator && !in.operator_input.valid) {
    st.reason = StopReason::kNoOperatorInput;
  }
  if (st.reason != StopReason::kNone) {
    st.command = refused(st.reason, now);
  } else {
    stale_since_ = TimePoint{};
    const auto& op = in.operator_input;
    const float steering = uses_model ? p.steering_norm : op.steering_norm;
    const float throttle = mode == DriveMode::kLocal ? p.throttle_norm : op.throttle_norm;
    st.command = rate_limited(shape(steering, throttle, mode == DriveMode::kLocal), now);
  }
  st.command.tick = tick;
  st.command.issued_at = now;
  remember(st.command, now);
  return st;
}

fw::DriveCommand ControlCore::refused(StopReason reason, TimePoint now) {
  if (reason != StopReason::kStalePrediction || control_.on_stale != "hold") {
    return fw::DriveCommand{};
  }
  if (stale_since_ == TimePoint{}) stale_since_ = now;
  fw::DriveCommand hold;
  if (elapsed_ms(stale_since_, now) <= control_.hold_ms) hold.steering_norm = previous_.steering_norm;
  return hold;
}

fw::DriveCommand ControlCore::rate_limited(fw::DriveCommand cmd, TimePoint now) const {
  // Before the first setpoint there is no previous time: allow one nominal period of change.
  const double dt_s = previous_at_ == TimePoint{} ? 1.0 / control_.rate_hz
                                                  : elapsed_ms(previous_at_, now) / 1000.0;
  auto limit = [dt_s](float target, float from, double rate) {
    if (rate <= 0.0) return target;
    const auto step = static_cast<float>(rate * dt_s);
    return std::clamp(target, from - step, from + step);
  };
  cmd.steering_norm = limit(cmd.steering_norm, previous_.steering_norm,
                            control_.steering_rate_limit);
  cmd.throttle_norm = limit(cmd.throttle_norm, previous_.throttle_norm,
                            control_.throttle_rate_limit);
  return cmd;
}

void ControlCore::remember(const fw::DriveCommand& cmd, TimePoint now) {
  previous_ = cmd;
  previous_at_ = now;
}

}  // namespace rcpilot::vehicle
