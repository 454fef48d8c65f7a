#pragma once
// Decides every tick whether the model's output may be used. Returns the reason when not.
#include <array>
#include <cstdint>

#include "config/config.hpp"
#include "perception/prediction.hpp"
#include "control/types.hpp"

namespace rcpilot::vehicle {

// Unique predictions per second over a sliding one-second window; never allocates.
class RateMeter {
 public:
  // Records a prediction of `frame_sequence` seen at `now`; repeats of a sequence are ignored.
  void observe(std::uint64_t frame_sequence, TimePoint now);
  // Predictions per second over the last second (0 before any).
  float rate_hz(TimePoint now) const;
  // True once a full second has passed since the first prediction (the rate is meaningful).
  bool warmed_up(TimePoint now) const;

 private:
  static constexpr std::size_t kCapacity = 1024;  // > any plausible camera fps
  std::array<TimePoint, kCapacity> seen_at_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  std::uint64_t last_sequence_ = 0;
  TimePoint first_{};
};

// openpilot's rate-keeper rule: the loop lags when its mean period over the last 100 ticks
// exceeds the nominal period / 0.9. Never allocates.
class LagDetector {
 public:
  explicit LagDetector(double nominal_period_ms) : limit_ms_(nominal_period_ms / 0.9) {}
  // Adds one measured period (ms) and returns whether the loop now lags.
  bool add(double period_ms);

 private:
  static constexpr std::size_t kWindow = 100;
  std::array<double, kWindow> periods_{};
  std::size_t next_ = 0;
  std::size_t count_ = 0;
  double sum_ = 0.0;
  double limit_ms_;
};

// What the supervisor looks at each tick.
struct SafetyInputs {
  perception::Prediction prediction;  // the newest prediction (any age)
  bool has_prediction = false;        // false until the pilot published one
  bool camera_alive = true;           // frames are arriving
  bool link_alive = true;             // the motor link took the previous setpoint
  bool operator_live = false;         // a live (not expired) operator input this tick
  DriveMode mode = DriveMode::kUser;
  bool armed = false;
  bool estopped = false;
};

// The one place that decides, every tick and whatever the mode, whether the car may move:
// e-stop, arming, motor link, camera, the model's predictions (freshness, validity, rate),
// recovery hold-off after any failure, and live operator input where the mode needs it.
class Supervisor {
 public:
  explicit Supervisor(const config::PilotConfig& pilot);

  // kNone when the car may move at `now`, else why not. Tracks failures for the hold-off:
  // after a failure clears, the car stays neutral for `recovery_hold_off_ms`. Never allocates.
  StopReason decide(const SafetyInputs& in, double recovery_hold_off_ms, TimePoint now);

  // Checks `prediction` (the newest, `has_prediction` false when none) at time `now` for a mode
  // that uses the model. Updates the rate meter. kNone means the prediction may drive the car.
  StopReason check_prediction(const perception::Prediction& prediction, bool has_prediction,
                              TimePoint now);
  float pilot_rate_hz(TimePoint now) const { return rate_.rate_hz(now); }

 private:
  config::PilotConfig pilot_;
  RateMeter rate_;
  TimePoint model_failed_at_{};  // last tick the model's inputs failed; TimePoint{}: never
  TimePoint link_failed_at_{};   // last tick the motor link had failed; TimePoint{}: never
};

}  // namespace rcpilot::vehicle
