#include "perception/frame_pacer.hpp"

namespace rcpilot::perception {

FramePacer::FramePacer(const Clock& clock, double fps) : clock_(clock) { set_fps(fps); }

void FramePacer::set_fps(double fps) {
  std::lock_guard<std::mutex> lock(mutex_);
  paced_ = fps > 0.0;
  if (paced_) period_ = seconds_to_duration(1.0 / fps);
  started_ = false;
}

bool FramePacer::wait_next() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (interrupted_) return false;
  if (!paced_) return true;
  const TimePoint now = clock_.now();
  if (!started_) {
    started_ = true;
    next_ = now + period_;
    return true;
  }
  if (next_ + period_ <= now) {  // late by more than a frame: skip the missed instants
    next_ += period_ * ((now - next_) / period_);
  }
  wake_.wait_until(lock, next_, [this] { return interrupted_; });
  if (interrupted_) return false;
  next_ += period_;
  return true;
}

void FramePacer::interrupt() {
  std::lock_guard<std::mutex> lock(mutex_);
  interrupted_ = true;
  wake_.notify_all();
}

void FramePacer::resume() {
  std::lock_guard<std::mutex> lock(mutex_);
  interrupted_ = false;
  started_ = false;
}

void FramePacer::restart() {
  std::lock_guard<std::mutex> lock(mutex_);
  started_ = false;
}

}  // namespace rcpilot::perception
