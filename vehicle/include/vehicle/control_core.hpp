#pragma once
// The control decision of one tick, free of threads and clocks: the same code runs in the
// real-time loop and in lockstep simulation.
#include <cstdint>

#include "config/config.hpp"
#include "perception/types.hpp"
#include "vehicle/drive_state.hpp"
#include "vehicle/supervisor.hpp"
#include "vehicle/types.hpp"

namespace rcpilot::vehicle {

struct TickInputs {
  perception::Prediction prediction;  // the newest prediction (any age)
  bool has_prediction = false;        // false until the pilot published one
  OperatorInput operator_input;       // the newest operator input
  bool camera_alive = true;           // frames are arriving (FrameGrabber::camera_alive)
};

class ControlCore {
 public:
  // `control.mode` must already be validated by the config loader. Starts disarmed.
  ControlCore(const config::ControlConfig& control, const config::PilotConfig& pilot);

  // Decides tick `tick` at `now`: who drives, whether it is safe, the shaped setpoint.
  // Never allocates and never throws.
  TickState decide(const TickInputs& in, std::uint64_t tick, TimePoint now);

  DriveMode mode() const { return drive_.mode(); }
  // Mode, arming and e-stop; operator interfaces change it, decide() reads it every tick.
  DriveState& drive_state() { return drive_; }

 private:
  // Trim, gain and limit on steering; multiplier and limits on throttle.
  fw::DriveCommand shape(float steering, float throttle, bool from_model) const;
  // `cmd` moved no further from the previous setpoint than the rate limits allow by `now`.
  fw::DriveCommand rate_limited(fw::DriveCommand cmd, TimePoint now) const;
  // The setpoint while the supervisor refuses `reason`: neutral, or under control.on_stale:
  // hold, the previous steering with throttle 0 for at most control.hold_ms.
  fw::DriveCommand refused(StopReason reason, TimePoint now);
  void remember(const fw::DriveCommand& cmd, TimePoint now);
  static DriveMode initial_mode(const std::string& text);

  config::ControlConfig control_;
  Supervisor supervisor_;
  DriveState drive_;
  fw::DriveCommand previous_;   // the last setpoint decided
  TimePoint previous_at_{};     // when; TimePoint{} before the first
  TimePoint stale_since_{};     // start of the current stale spell; TimePoint{} when fresh
};

}  // namespace rcpilot::vehicle
