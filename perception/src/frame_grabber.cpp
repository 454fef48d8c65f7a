#include "perception/frame_grabber.hpp"

#include <algorithm>

namespace rcpilot::perception {
namespace {
// How long stop() waits for the thread before interrupting the camera again.
constexpr std::chrono::milliseconds kInterruptRetry{20};
}  // namespace

FrameGrabber::FrameGrabber(CameraSource& camera, const Clock& clock, LatestSlot<Frame>& frames,
                           GrabberOptions options)
    : camera_(camera), clock_(clock), frames_(frames), options_(options) {}

FrameGrabber::~FrameGrabber() { stop(); }

void FrameGrabber::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  thread_ = std::thread([this] { loop(); });
}

void FrameGrabber::stop() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake_.notify_all();
  // interrupt() only unblocks a read already in progress; repeat it until the thread has left
  // the loop, in case it was between its stop check and read() the first time.
  while (running_) {
    lock.unlock();
    camera_.interrupt();
    lock.lock();
    wake_.wait_for(lock, kInterruptRetry, [this] { return !running_; });
  }
  lock.unlock();
  thread_.join();
}

GrabberStats FrameGrabber::stats() const {
  GrabberStats s;
  s.frames = frames_count_.load();
  s.read_failures = failures_.load();
  s.consecutive_failures = consecutive_failures_.load();
  return s;
}

void FrameGrabber::loop() {
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (;;) {
    if (stop_requested()) break;
    grab_one(backoff);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = false;
  wake_.notify_all();
}

void FrameGrabber::grab_one(std::chrono::milliseconds& backoff) {
  const bool ok = camera_.read(scratch_);
  const TimePoint captured_at = clock_.now();
  if (!ok || scratch_.empty()) {
    if (stop_requested()) return;  // read() was interrupted on purpose: not a camera failure
    failures_.fetch_add(1);
    consecutive_failures_.fetch_add(1);
    // Re-opening the device is a later issue; for now retry with a growing pause.
    if (wait_unless_stopped(backoff)) backoff = std::min(backoff * 2, options_.max_backoff);
    return;
  }
  Frame frame;
  frame.captured_at = captured_at;
  frame.sequence = frames_count_.load() + 1;
  // A private copy: cameras may reuse (or alias) scratch_ on the next read, and the pilot
  // may still be reading this frame then.
  scratch_.copyTo(frame.bgr);
  frames_.publish(frame);
  frames_count_.fetch_add(1);
  consecutive_failures_.store(0);
  backoff = options_.first_backoff;
}

bool FrameGrabber::stop_requested() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

bool FrameGrabber::wait_unless_stopped(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, d, [this] { return stopping_; });
}

}  // namespace rcpilot::perception
