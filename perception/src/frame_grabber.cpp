#include "perception/frame_grabber.hpp"

#include <algorithm>

namespace rcpilot::perception {
namespace {
// How long stop() waits for the thread before interrupting the camera again.
constexpr std::chrono::milliseconds kInterruptRetry{20};
}  // namespace

GrabberOptions grabber_options(const config::CameraConfig& camera) {
  GrabberOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<long>(camera.timeout_ms));
  return o;
}

FrameGrabber::FrameGrabber(CameraSource& camera, const Clock& clock, LatestSlot<Frame>& frames,
                           GrabberOptions options)
    : camera_(camera), clock_(clock), frames_(frames), options_(options) {}

FrameGrabber::~FrameGrabber() { stop(); }

void FrameGrabber::start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  running_ = true;
  last_frame_at_.store(clock_.now().time_since_epoch().count());
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
  s.ended = ended_.load();
  s.lost_events = lost_events_.load();
  s.stalls = stalls_.load();
  s.reopens = reopens_.load();
  s.reopen_failures = reopen_failures_.load();
  const TimePoint now = clock_.now();
  s.since_last_frame_ms = elapsed_ms(TimePoint(Duration(last_frame_at_.load())), now);
  s.camera_alive = camera_alive(now);
  std::lock_guard<std::mutex> lock(error_mutex_);
  s.last_error = last_error_;
  return s;
}

bool FrameGrabber::camera_alive(TimePoint now) const {
  const TimePoint last_frame(Duration(last_frame_at_.load()));
  return !lost_.load() && !ended_.load() && now - last_frame < options_.timeout;
}

void FrameGrabber::loop() {
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (;;) {
    if (stop_requested() || ended_.load()) break;
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
    if (camera_.at_end()) {
      ended_.store(true);
      report(CameraEvent::kEnded, camera_.describe() + " has no more frames");
      return;
    }
    on_failure(backoff);
    return;
  }
  const TimePoint previous(Duration(last_frame_at_.load()));
  if (captured_at - previous > options_.timeout) stalls_.fetch_add(1);
  Frame frame;
  frame.captured_at = captured_at;
  frame.sequence = frames_count_.load() + 1;
  // A private copy: cameras may reuse (or alias) scratch_ on the next read, and the pilot
  // may still be reading this frame then.
  scratch_.copyTo(frame.bgr);
  // Counters first: whoever sees the frame sees stats that include it.
  last_frame_at_.store(captured_at.time_since_epoch().count());
  consecutive_failures_.store(0);
  const bool recovered = lost_.exchange(false);
  frames_.publish(frame);
  frames_count_.fetch_add(1);
  backoff = options_.first_backoff;
  if (recovered) report(CameraEvent::kRecovered, camera_.describe() + " delivers again");
}

// A failed read: retry after backoff; once failures_before_reopen in a row, the camera is lost
// and every further failure re-opens it.
void FrameGrabber::on_failure(std::chrono::milliseconds& backoff) {
  failures_.fetch_add(1);
  const auto consecutive = consecutive_failures_.fetch_add(1) + 1;
  const bool reopen =
      consecutive >= static_cast<std::uint64_t>(std::max(1, options_.failures_before_reopen));
  if (reopen) {
    declare_lost(std::to_string(consecutive) + " consecutive read failures from " +
                 camera_.describe());
  }
  if (!wait_unless_stopped(backoff)) return;
  backoff = std::min(backoff * 2, options_.max_backoff);
  if (!reopen) return;
  try {
    camera_.reopen();
    reopens_.fetch_add(1);
    report(CameraEvent::kReopened, camera_.describe() + " re-opened");
  } catch (const std::exception& e) {
    {
      std::lock_guard<std::mutex> lock(error_mutex_);
      last_error_ = e.what();  // names the device and what to do: keep it over the read errors
    }
    reopen_failures_.fetch_add(1);
    reopens_.fetch_add(1);
  }
}

void FrameGrabber::declare_lost(const std::string& why) {
  if (lost_.exchange(true)) return;
  {
    std::lock_guard<std::mutex> lock(error_mutex_);
    last_error_ = why;
  }
  lost_events_.fetch_add(1);
  report(CameraEvent::kLost, why);
}

void FrameGrabber::report(CameraEvent event, const std::string& detail) {
  if (options_.on_event) options_.on_event(event, detail);
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
