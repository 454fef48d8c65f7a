#pragma once
// Time for rcpilot: logic never reads the clock itself, it is handed `now` or a Clock.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace rcpilot {

// CLOCK_MONOTONIC on Linux (std::chrono::steady_clock).
using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;

// Milliseconds between two time points, as a double (b - a).
inline double elapsed_ms(TimePoint a, TimePoint b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

// Converts a period in seconds to a Duration.
inline Duration seconds_to_duration(double seconds) {
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

// Source of monotonic time; injected so tests and lockstep simulation can step it.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The real monotonic clock.
class SteadyClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to; thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start = TimePoint{}) : ticks_(start.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(Duration(ticks_.load())); }
  void advance(Duration d) { ticks_.fetch_add(d.count()); }
  void set(TimePoint t) { ticks_.store(t.time_since_epoch().count()); }

 private:
  std::atomic<Duration::rep> ticks_;
};

}  // namespace rcpilot
