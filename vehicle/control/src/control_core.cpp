#include "control/control_core.hpp"

#include <algorithm>
#include <cmath>

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::vehicle {
ControlCore::ControlCore(const config::ControlConfig& control, const config::PilotConfig& pilot)
    : control_(control),
      tunables_(tunables_of(control)),
      supervisor_(pilot),
      drive_(control.mode) {}

fw::DriveCommand ControlCore::shape(float steering, float throttle, bool from_model) const {
  const auto& t = tunables_;
  const auto limit = static_cast<float>(t.steering_limit);
  const float s = steering * static_cast<float>(t.steering_gain) +
                  static_cast<float>(t.steering_trim);
  const float th = from_model ? throttle * static_cast<float>(t.ai_throttle_mult) : throttle;
  fw::DriveCommand cmd;
  cmd.steering_norm = std::clamp(s, -limit, limit);
  cmd.throttle_norm = std::clamp(th, static_cast<float>(t.throttle_min),
                                 static_cast<float>(t.throttle_max));
  return cmd;
}

bool ControlCore::within_limits(const fw::DriveCommand& cmd) const {
  const auto& t = tunables_;
  return std::isfinite(cmd.steering_norm) && std::isfinite(cmd.throttle_norm) &&
         std::abs(cmd.steering_norm) <= static_cast<float>(t.steering_limit) &&
         cmd.throttle_norm >= static_cast<float>(t.throttle_min) &&
         cmd.throttle_norm <= static_cast<float>(t.throttle_max);
}

TickState ControlCore::decide(const TickInputs& in, std::uint64_t tick, TimePoint now) {
  TickState st;
  st.tick = tick;
  st.now = now;
  const DriveMode mode = drive_.mode();
  st.mode = mode;
  st.armed = drive_.armed();
  st.estopped = drive_.estopped();
  st.operator_input = in.operator_input;
  const auto& p = in.prediction;
  if (in.has_prediction) {
    st.frame_sequence = p.frame_sequence;
    st.prediction_age_ms = static_cast<float>(elapsed_ms(p.captured_at, now));
    st.inference_ms = p.inference_ms;
    if (p.valid) {
      st.pilot_steering_norm = p.steering_norm;
      st.pilot_throttle_norm = p.throttle_norm;
    }
  }
  SafetyInputs safety;
  safety.prediction = p;
  safety.has_prediction = in.has_prediction;
  safety.camera_alive = in.camera_alive;
  safety.link_alive = in.link_alive;
  safety.operator_live = in.operator_input.valid;
  safety.mode = mode;
  safety.armed = st.armed;
  safety.estopped = st.estopped;
  st.reason = supervisor_.decide(safety, tunables_.recovery_hold_off_ms, now);
  st.pilot_rate_hz = supervisor_.pilot_rate_hz(now);
  if (st.reason == StopReason::kNone) {
    stale_since_ = TimePoint{};
    st.command = drive(in, mode, now);
    if (!within_limits(st.command)) st.reason = StopReason::kLimitViolation;
  }
  if (st.reason != StopReason::kNone) {
    reverse_.reset();
    st.command = refused(st.reason, now);
  }
  st.command.tick = tick;
  st.command.issued_at = now;
  remember(st.command, now);
  return st;
}

fw::DriveCommand ControlCore::drive(const TickInputs& in, DriveMode mode, TimePoint now) {
  const auto& p = in.prediction;
  const auto& op = in.operator_input;
  const bool uses_model = mode != DriveMode::kUser;
  const float steering = uses_model ? p.steering_norm : op.steering_norm;
  const float throttle = mode == DriveMode::kLocal ? p.throttle_norm : op.throttle_norm;
  if (!std::isfinite(steering) || !std::isfinite(throttle)) {
    fw::DriveCommand bad;
    bad.steering_norm = steering;
    bad.throttle_norm = throttle;
    return bad;  // within_limits() turns this into kLimitViolation
  }
  fw::DriveCommand cmd = rate_limited(shape(steering, throttle, mode == DriveMode::kLocal), now);
  cmd.throttle_norm = reverse_.apply(cmd.throttle_norm, tunables_, now);
  return cmd;
}

fw::DriveCommand ControlCore::refused(StopReason reason, TimePoint now) {
  if (reason != StopReason::kStalePrediction || control_.on_stale != config::OnStale::kHold) {
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
                            tunables_.steering_rate_limit);
  cmd.throttle_norm = limit(cmd.throttle_norm, previous_.throttle_norm,
                            tunables_.throttle_rate_limit);
  return cmd;
}

void ControlCore::remember(const fw::DriveCommand& cmd, TimePoint now) {
  previous_ = cmd;
  previous_at_ = now;
}

}  // namespace rcpilot::vehicle
