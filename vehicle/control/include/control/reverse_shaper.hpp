#pragma once
// Brake-then-reverse for hobby ESCs. Most car ESCs treat the first negative pulse after driving
// forward as a brake; they reverse only after the throttle went back to neutral and negative
// again. Sending a plain negative throttle would therefore brake forever. This turns a request
// for reverse into: brake for reverse_brake_ms, neutral for reverse_neutral_ms, then reverse.
#include "common/clock.hpp"
#include "control/tunables.hpp"

namespace rcpilot::vehicle {

class ReverseShaper {
 public:
  // The throttle to send at `now` for the requested throttle. Under ReverseMode::kDirect it is
  // `requested` unchanged.
  float apply(float requested, const Tunables& t, TimePoint now);
  // After a forced neutral: the next reverse starts with a brake again (the ESC's state is
  // unknown, and a brake pulse on a stopped car is harmless).
  void reset() { phase_ = Phase::kDriving; }

 private:
  enum class Phase { kDriving, kBraking, kPause, kReversing };
  void enter(Phase phase, TimePoint now) {
    phase_ = phase;
    since_ = now;
  }

  Phase phase_ = Phase::kDriving;
  TimePoint since_{};
};

}  // namespace rcpilot::vehicle
