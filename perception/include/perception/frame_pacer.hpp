#pragma once
// Paces replayed frames on an absolute schedule, like a camera's frame clock.
#include <condition_variable>
#include <mutex>

#include "common/clock.hpp"

namespace rcpilot::perception {

// wait_next() returns at start, start + period, start + 2 period, ... (missed instants are
// skipped, not burst). `clock` must be a real monotonic clock when fps > 0 (the wait sleeps on
// steady_clock); fps <= 0 never waits. Thread-safe interrupt().
class FramePacer {
 public:
  FramePacer(const Clock& clock, double fps);
  // False once interrupted (then at once, every time).
  bool wait_next();
  void interrupt();
  // Undoes interrupt() and restarts the schedule (a re-opened camera).
  void resume();
  // Restarts the schedule at the next wait_next().
  void restart();
  // Changes the rate (fps <= 0: never waits) and restarts the schedule.
  void set_fps(double fps);

 private:
  const Clock& clock_;
  Duration period_{};
  bool paced_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool interrupted_ = false;
  bool started_ = false;
  TimePoint next_{};
};

}  // namespace rcpilot::perception
