#pragma once
// The control decision of one tick, free of threads and clocks: the same code runs in the
// real-time loop and in lockstep simulation.
#include <cstdint>

#include "config/config.hpp"
#include "perception/prediction.hpp"
#include "control/drive_state.hpp"
#include "control/reverse_shaper.hpp"
#include "control/supervisor.hpp"
#include "control/tunables.hpp"
#include "control/types.hpp"

namespace rcpilot::vehicle {

struct TickInputs {
  perception::Prediction prediction;  // the newest prediction (any age)
  bool has_prediction = false;        // false until the pilot published one
  OperatorInput operator_input;       // the newest operator input
  bool camera_alive = true;           // frames are arriving (FrameGrabber::camera_alive)
  bool link_alive = true;             // the motor link took the previous setpoint
};

class ControlCore {
 public:
  // `control.mode` must already be validated by the config loader. Starts disarmed.
  ControlCore(const config::ControlConfig& control, const config::PilotConfig& pilot);

  // Decides tick `tick` at `now`: who drives, whether it is safe, the shaped setpoint.
  // Never allocates and never throws.
  TickState decide(const TickInputs& in, std::uint64_t tick, TimePoint now);

  DriveMode mode() const { return drive_.mode(); }
  // Replaces the run-time tunables; call between ticks, from the thread that calls decide().
  void set_tunables(const Tunables& tunables) { tunables_ = tunables; }
  const Tunables& tunables() const { return tunables_; }
  // Mode, arming and e-stop; operator interfaces change it, decide() reads it every tick.
  DriveState& drive_state() { return drive_; }

 private:
  // The setpoint of an allowed tick: inputs routed by mode, shaped, rate limited, reversed.
  fw::DriveCommand drive(const TickInputs& in, DriveMode mode, TimePoint now);
  // Trim, gain and limit on steering; multiplier and limits on throttle.
  fw::DriveCommand shape(float steering, float throttle, bool from_model) const;
  // False when `cmd` is not finite or outside the steering and throttle limits.
  bool within_limits(const fw::DriveCommand& cmd) const;
  // `cmd` moved no further from the previous setpoint than the rate limits allow by `now`.
  fw::DriveCommand rate_limited(fw::DriveCommand cmd, TimePoint now) const;
  // The setpoint while the supervisor refuses `reason`: neutral, or under control.on_stale:
  // hold, the previous steering with throttle 0 for at most control.hold_ms.
  fw::DriveCommand refused(StopReason reason, TimePoint now);
  void remember(const fw::DriveCommand& cmd, TimePoint now);

  config::ControlConfig control_;  // the start-up config; live values are in tunables_
  Tunables tunables_;
  Supervisor supervisor_;
  ReverseShaper reverse_;
  DriveState drive_;
  fw::DriveCommand previous_;   // the last setpoint decided
  TimePoint previous_at_{};     // when; TimePoint{} before the first
  TimePoint stale_since_{};     // start of the current stale spell; TimePoint{} when fresh
};

}  // namespace rcpilot::vehicle
