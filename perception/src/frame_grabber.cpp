#include "perception/frame_grabber.hpp"

#include <algorithm>
#include <utility>

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;

// How long stop() waits for the reading thread before interrupting the camera again.
constexpr std::chrono::milliseconds kInterruptRetry{20};

// How often (real time) the watchdog compares the time since the last frame with the timeout:
// a quarter of it, within 5..100 ms, so a stall is noticed at most 100 ms late.
std::chrono::milliseconds watch_period(std::chrono::milliseconds timeout) {
  return std::clamp(timeout / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
}

TimePoint load_time(const std::atomic<Duration::rep>& t) { return TimePoint(Duration(t.load())); }

}  // namespace

const char* to_string(CameraEvent event) {
  switch (event) {
    case CameraEvent::kLost:
      return "camera_lost";
    case CameraEvent::kReopened:
      return "camera_reopened";
    case CameraEvent::kRecovered:
      return "camera_recovered";
    case CameraEvent::kEnded:
      return "camera_ended";
  }
  return "camera_unknown";
}

GrabberOptions grabber_options(const config::CameraConfig& camera) {
  GrabberOptions o;
  o.timeout = std::chrono::milliseconds(static_cast<long>(camera.timeout_ms));
  o.open_grace = std::max(o.open_grace, o.timeout);
  return o;
}

FrameGrabber::FrameGrabber(CameraSource& camera, const Clock& clock, LatestSlot<Frame>& frames,
                           GrabberOptions options)
    : camera_(camera),
      clock_(clock),
      frames_(frames),
      options_(std::move(options)),
      backoff_(options_.first_backoff, options_.max_backoff) {}

FrameGrabber::~FrameGrabber() { stop(); }

void FrameGrabber::start() {
  if (reader_.running()) return;
  const Duration::rep now = clock_.now().time_since_epoch().count();
  last_frame_at_.store(now);
  opened_at_.store(now);
  delivered_since_open_.store(false);
  {
    std::lock_guard<std::mutex> lock(read_mutex_);
    reading_ = false;
    stall_interrupted_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(exit_mutex_);
    exited_ = false;
  }
  reader_.start([this] { read_loop(); });
  watchdog_.start([this] { watch_loop(); });
}

void FrameGrabber::stop() {
  watchdog_.stop();
  reader_.stop([this] { interrupt_until_exit(); });
}

// interrupt() only unblocks a read already in progress for some cameras; repeat it until the
// thread has left its loop, in case it was between its stop check and read() the first time.
void FrameGrabber::interrupt_until_exit() {
  std::unique_lock<std::mutex> lock(exit_mutex_);
  while (!exited_) {
    lock.unlock();
    camera_.interrupt();
    lock.lock();
    exited_cv_.wait_for(lock, kInterruptRetry, [this] { return exited_; });
  }
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
  s.recoveries = recoveries_.load();
  const TimePoint now = clock_.now();
  s.since_last_frame_ms = elapsed_ms(load_time(last_frame_at_), now);
  s.capture_delay_ms =
      std::chrono::duration<double, std::milli>(Duration(capture_delay_.load())).count();
  s.camera_alive = camera_alive(now);
  std::lock_guard<std::mutex> lock(error_mutex_);
  s.last_error = last_error_;
  return s;
}

bool FrameGrabber::camera_alive(TimePoint now) const {
  return !lost_.load() && !ended_.load() && now - load_time(last_frame_at_) < options_.timeout;
}

void FrameGrabber::read_loop() {
  while (!reader_.stopping() && !ended_.load()) grab_one();
  std::lock_guard<std::mutex> lock(exit_mutex_);
  exited_ = true;
  exited_cv_.notify_all();
}

void FrameGrabber::grab_one() {
  const bool ok = read_guarded();
  const TimePoint now = clock_.now();
  if (reader_.stopping()) return;  // read() was interrupted on purpose: not a camera failure
  if (take_stall()) {              // the watchdog abandoned this read: the camera is stuck
    reopen_until_open();
    return;
  }
  if (ok && !scratch_.empty()) {
    publish(now);
    return;
  }
  if (camera_.at_end()) {
    ended_.store(true);
    report(CameraEvent::kEnded, camera_.describe() + " has no more frames");
    return;
  }
  on_failure();
}

bool FrameGrabber::read_guarded() {
  {
    std::lock_guard<std::mutex> lock(read_mutex_);
    reading_ = true;
  }
  const bool ok = camera_.read(scratch_);
  std::lock_guard<std::mutex> lock(read_mutex_);
  reading_ = false;
  return ok;
}

bool FrameGrabber::take_stall() {
  std::lock_guard<std::mutex> lock(read_mutex_);
  return std::exchange(stall_interrupted_, false);
}

void FrameGrabber::publish(TimePoint now) {
  // The source's capture time when it has one (and it is not in the future), else now.
  TimePoint captured = camera_.captured_at();
  if (captured == TimePoint{} || captured > now) captured = now;
  Frame frame;
  frame.captured_at = captured;
  frame.sequence = frames_count_.load() + 1;
  // A private copy: cameras may reuse (or alias) scratch_ on the next read, and the pilot
  // may still be reading this frame then.
  scratch_.copyTo(frame.bgr);
  // Counters first: whoever sees the frame sees stats that include it.
  last_frame_at_.store(now.time_since_epoch().count());
  capture_delay_.store((now - captured).count());
  delivered_since_open_.store(true);
  consecutive_failures_.store(0);
  const bool recovered = lost_.exchange(false);
  frames_.publish(frame);
  frames_count_.fetch_add(1);
  backoff_.reset();
  if (recovered) {
    recoveries_.fetch_add(1);
    report(CameraEvent::kRecovered, camera_.describe() + " delivers again");
  }
}

// A failed read: retry after backoff; once failures_before_reopen in a row, the camera is lost
// and every further failure re-opens it.
void FrameGrabber::on_failure() {
  failures_.fetch_add(1);
  const auto consecutive = consecutive_failures_.fetch_add(1) + 1;
  const auto threshold = static_cast<std::uint64_t>(std::max(1, options_.failures_before_reopen));
  if (consecutive >= threshold) {
    const std::string why = camera_.last_error();
    declare_lost(std::to_string(consecutive) + " consecutive read failures from " +
                 camera_.describe() + (why.empty() ? "" : ": " + why));
  }
  if (!reader_.wait_for(backoff_.next())) return;
  if (consecutive >= threshold) reopen_until_open();
}

// Re-opens until it works or stop() is called, waiting the backoff between attempts.
void FrameGrabber::reopen_until_open() {
  while (!reader_.stopping()) {
    reopens_.fetch_add(1);
    try {
      camera_.reopen();
      delivered_since_open_.store(false);
      opened_at_.store(clock_.now().time_since_epoch().count());
      report(CameraEvent::kReopened, camera_.describe() + " re-opened");
      return;
    } catch (const std::exception& e) {
      {
        std::lock_guard<std::mutex> lock(error_mutex_);
        last_error_ = e.what();  // names the device and what to do: keep it over the read errors
      }
      reopen_failures_.fetch_add(1);
    }
    if (!reader_.wait_for(backoff_.next())) return;
  }
}

void FrameGrabber::watch_loop() {
  const std::chrono::milliseconds period = watch_period(options_.timeout);
  while (watchdog_.wait_for(period)) check_stall(clock_.now());
}

TimePoint FrameGrabber::stall_deadline() const {
  if (delivered_since_open_.load()) return load_time(last_frame_at_) + options_.timeout;
  return load_time(opened_at_) + std::max(options_.timeout, options_.open_grace);
}

// A read past stall_deadline() is abandoned: interrupt() makes it return, and the reading
// thread re-opens the camera.
void FrameGrabber::check_stall(TimePoint now) {
  if (ended_.load()) return;
  // Checked under the lock: a frame published just now has moved stall_deadline() before the
  // reading thread could enter read() again.
  std::lock_guard<std::mutex> lock(read_mutex_);
  if (!reading_ || stall_interrupted_ || now < stall_deadline()) return;
  const bool delivered = delivered_since_open_.load();
  stall_interrupted_ = true;
  // Counted and reported before the interrupt, so kLost comes before the re-open's kReopened.
  stalls_.fetch_add(1);
  declare_lost(stall_reason(delivered));
  camera_.interrupt();
}

std::string FrameGrabber::stall_reason(bool delivered) const {
  const std::string what = camera_.describe() + "; re-opening it";
  if (delivered) {
    return "no frame for " + std::to_string(options_.timeout.count()) +
           " ms (camera.timeout_ms) from " + what;
  }
  const auto grace = std::max(options_.timeout, options_.open_grace);
  return "no first frame within " + std::to_string(grace.count()) + " ms of opening " + what;
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
  if (!options_.on_event) return;
  std::lock_guard<std::mutex> lock(event_mutex_);
  options_.on_event(event, detail);
}

}  // namespace rcpilot::perception
