#include "control/supervisor.hpp"

#include <chrono>

namespace rcpilot::vehicle {

namespace {
constexpr auto kRateWindow = std::chrono::seconds(1);

// A failure at `failed_at` still holds the car back at `now` (recovery hold-off).
bool recovering(TimePoint failed_at, TimePoint now, double hold_off_ms) {
  return failed_at != TimePoint{} && elapsed_ms(failed_at, now) < hold_off_ms;
}
}

void RateMeter::observe(std::uint64_t frame_sequence, TimePoint now) {
  if (frame_sequence == 0 || frame_sequence == last_sequence_) return;
  if (count_ == 0) first_ = now;
  last_sequence_ = frame_sequence;
  seen_at_[next_] = now;
  next_ = (next_ + 1) % kCapacity;
  if (count_ < kCapacity) ++count_;
}

float RateMeter::rate_hz(TimePoint now) const {
  std::size_t in_window = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const auto& t = seen_at_[(next_ + kCapacity - 1 - i) % kCapacity];
    if (now - t > kRateWindow) break;
    ++in_window;
  }
  return static_cast<float>(in_window);
}

bool RateMeter::warmed_up(TimePoint now) const { return count_ > 0 && now - first_ >= kRateWindow; }

bool LagDetector::add(double period_ms) {
  if (count_ == kWindow) sum_ -= periods_[next_];
  periods_[next_] = period_ms;
  sum_ += period_ms;
  next_ = (next_ + 1) % kWindow;
  if (count_ < kWindow) ++count_;
  return sum_ / static_cast<double>(count_) > limit_ms_;
}

Supervisor::Supervisor(const config::PilotConfig& pilot) : pilot_(pilot) {}

StopReason Supervisor::check_prediction(const perception::Prediction& prediction,
                                        bool has_prediction, TimePoint now) {
  if (!has_prediction) return StopReason::kNoPrediction;
  rate_.observe(prediction.frame_sequence, now);
  if (!prediction.valid) return StopReason::kInvalidPrediction;
  if (elapsed_ms(prediction.captured_at, now) > pilot_.stale_after_ms) {
    return StopReason::kStalePrediction;
  }
  if (rate_.warmed_up(now) && rate_.rate_hz(now) < pilot_.min_rate_hz) {
    return StopReason::kPilotRateLow;
  }
  return StopReason::kNone;
}

StopReason Supervisor::decide(const SafetyInputs& in, double hold_off_ms, TimePoint now) {
  // Checked every tick, whatever the mode, so the rate meter never goes blind.
  const StopReason model_ok = check_prediction(in.prediction, in.has_prediction, now);
  // A prediction that has not arrived yet is start-up, not a failure: no hold-off after it.
  const bool model_failed = !in.camera_alive || (model_ok != StopReason::kNone &&
                                                  model_ok != StopReason::kNoPrediction);
  if (model_failed) model_failed_at_ = now;
  if (!in.link_alive) link_failed_at_ = now;
  const bool uses_model = in.mode != DriveMode::kUser;
  const bool uses_operator = in.mode != DriveMode::kLocal;
  if (in.estopped) return StopReason::kEstop;
  if (!in.armed) return StopReason::kDisarmed;
  if (!in.link_alive) return StopReason::kMotorLinkDown;
  if (uses_model && !in.camera_alive) return StopReason::kCameraLost;
  if (uses_model && model_ok != StopReason::kNone) return model_ok;
  if (recovering(link_failed_at_, now, hold_off_ms)) return StopReason::kRecovering;
  if (uses_model && recovering(model_failed_at_, now, hold_off_ms)) return StopReason::kRecovering;
  if (uses_operator && !in.operator_live) return StopReason::kNoOperatorInput;
  return StopReason::kNone;
}

}  // namespace rcpilot::vehicle
