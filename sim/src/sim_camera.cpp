#include "sim/sim_camera.hpp"

#include <sstream>

namespace rcpilot::sim {

SimCamera::SimCamera(SimWorld& world, const Clock& clock, double fps, bool realtime)
    : world_(world),
      clock_(clock),
      period_(seconds_to_duration(1.0 / (fps > 0 ? fps : 30.0))),
      realtime_(realtime) {}

bool SimCamera::wait_for_frame_instant() {
  std::unique_lock<std::mutex> lock(mutex_);
  const TimePoint now = clock_.now();
  if (!started_) {
    started_ = true;
    next_frame_ = now;
  } else if (now > next_frame_ + period_) {
    const auto missed = (now - next_frame_) / period_;
    skipped_ += static_cast<std::uint64_t>(missed);
    next_frame_ += missed * period_;  // stay on the original schedule, skip missed instants
  }
  // A real device sleeps here; the remaining time is measured on the injected clock.
  while (!interrupted_) {
    const Duration left = next_frame_ - clock_.now();
    if (left <= Duration::zero()) break;
    wake_.wait_for(lock, left);
  }
  next_frame_ += period_;
  return !interrupted_;
}

bool SimCamera::read(cv::Mat& bgr) {
  if (realtime_) {
    if (!wait_for_frame_instant()) return false;
  } else {
    std::lock_guard<std::mutex> lock(mutex_);
    if (interrupted_) return false;
  }
  const TimePoint now = clock_.now();
  world_.advance_to(now);
  world_.render(bgr);
  std::lock_guard<std::mutex> lock(mutex_);
  rendered_at_ = now;
  ++frames_;
  return !interrupted_;
}

void SimCamera::interrupt() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    interrupted_ = true;
  }
  wake_.notify_all();
}

void SimCamera::reopen() {
  std::lock_guard<std::mutex> lock(mutex_);
  interrupted_ = false;
  started_ = false;
}

TimePoint SimCamera::captured_at() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rendered_at_ - world_.capture_latency();  // the frame shows the world as it was then
}

std::string SimCamera::describe() const {
  std::ostringstream out;
  out << "sim camera on track '" << world_.track().name() << "' at "
      << 1.0 / std::chrono::duration<double>(period_).count() << " Hz"
      << (realtime_ ? " (real time)" : " (lockstep)");
  return out.str();
}

std::uint64_t SimCamera::frames() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return frames_;
}

std::uint64_t SimCamera::skipped_instants() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return skipped_;
}

}  // namespace rcpilot::sim
