#pragma once
// Messages of the vehicle component: what the control loop decides and reports each tick.
#include <cstdint>
#include <limits>
#include <string_view>

#include "common/clock.hpp"
#include "config/enums.hpp"
#include "firmware_iface/motor_link.hpp"

namespace rcpilot::vehicle {

// Who drives (Donkey Car's names; control.mode).
using config::DriveMode;
using config::to_string;

// Why the command is neutral this tick (kNone: it is not forced to neutral).
enum class StopReason : std::uint8_t {
  kNone,
  kEstop,               // e-stop is latched: cleared and re-armed only by the operator
  kDisarmed,            // the car is not armed
  kCameraLost,          // no frame within camera.timeout_ms, or the camera failed
  kNoPrediction,        // the pilot has not produced a prediction yet
  kInvalidPrediction,   // the newest prediction is flagged invalid
  kStalePrediction,     // the newest prediction is older than pilot.stale_after_ms
  kPilotRateLow,        // unique predictions per second fell under pilot.min_rate_hz
  kMotorLinkDown,       // the motor link refused the last setpoint
  kNoOperatorInput,     // a mode that needs the operator has no live operator input
  kLimitViolation,      // the command was not a finite number within the control limits
  kRecovering,          // a failure cleared less than control.recovery_hold_off_ms ago
  kShutdown,            // the node is stopping
};

std::string_view to_string(StopReason reason);
// Parses "user", "local_angle" or "local"; false when `text` is none of them.
bool parse_drive_mode(std::string_view text, DriveMode& mode);

// What a human commands (control API, joystick, RC receiver).
struct OperatorInput {
  float steering_norm = 0.0f;  // -1 .. +1
  float throttle_norm = 0.0f;  // -1 .. +1
  TimePoint received_at{};     // when it arrived
  bool valid = false;          // false: no operator input is connected
};

// Everything the loop reports about one tick (published as telemetry topic `state`).
struct TickState {
  std::uint64_t tick = 0;            // control loop tick counter, from 1
  TimePoint now{};                   // CLOCK_MONOTONIC time of the tick
  DriveMode mode = DriveMode::kUser;
  bool armed = false;                // the car was armed this tick
  bool estopped = false;             // e-stop was latched this tick
  fw::DriveCommand command;          // the setpoint sent this tick
  OperatorInput operator_input;      // the operator's input this tick (recorded as user/*)
  StopReason reason = StopReason::kNone;
  float prediction_age_ms = -1.0f;   // ms since the used frame was captured; -1: none
  std::uint64_t frame_sequence = 0;  // frame the prediction came from; 0: none
  float inference_ms = 0.0f;         // inference time of that prediction
  float pilot_rate_hz = 0.0f;        // unique predictions per second over the last second
  float period_ms = 0.0f;            // time since the previous deadline tick
  float exec_ms = 0.0f;              // time the previous tick took to compute and send
  std::uint64_t overruns = 0;        // deadline ticks skipped because the loop ran late
  bool link_ok = true;               // the motor link accepted the setpoint
  bool lagging = false;              // mean period over the last 100 ticks > period / 0.9
  // The model's output this tick (recorded as pilot/*), before shaping, -1..1; NaN: no valid
  // prediction.
  float pilot_steering_norm = std::numeric_limits<float>::quiet_NaN();
  float pilot_throttle_norm = std::numeric_limits<float>::quiet_NaN();
};

}  // namespace rcpilot::vehicle
