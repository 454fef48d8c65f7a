#include "control/reverse_shaper.hpp"

namespace rcpilot::vehicle {

float ReverseShaper::apply(float requested, const Tunables& t, TimePoint now) {
  if (t.reverse == ReverseMode::kDirect || requested > 0.0f) {
    phase_ = Phase::kDriving;
    return requested;
  }
  const double in_phase_ms = elapsed_ms(since_, now);
  switch (phase_) {
    case Phase::kDriving:
      if (requested < 0.0f) {
        enter(Phase::kBraking, now);
        return requested;
      }
      return 0.0f;
    case Phase::kBraking:
      if (requested == 0.0f) {  // let go before the brake finished: the next one brakes again
        phase_ = Phase::kDriving;
        return 0.0f;
      }
      if (in_phase_ms < t.reverse_brake_ms) return requested;
      enter(Phase::kPause, now);
      return 0.0f;
    case Phase::kPause:
      if (requested == 0.0f || in_phase_ms < t.reverse_neutral_ms) return 0.0f;
      phase_ = Phase::kReversing;
      return requested;
    case Phase::kReversing:
      return requested;
  }
  return 0.0f;
}

}  // namespace rcpilot::vehicle
