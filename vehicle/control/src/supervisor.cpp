#include "control/supervisor.hpp"

#include <chrono>

namespace rcpilot::vehicle {

namespace {
constexpr auto kRateWindow = std::chrono::seconds(1);
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

}  // namespace rcpilot::vehicle
