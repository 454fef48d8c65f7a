#pragma once
// Reads the camera on its own thread and keeps only the newest frame; re-opens a camera that
// fails or stalls.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "common/worker.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"
#include "perception/types.hpp"

namespace rcpilot::perception {

struct GrabberStats {
  std::uint64_t frames = 0;                // frames published
  std::uint64_t read_failures = 0;         // read() calls that returned false
  std::uint64_t consecutive_failures = 0;  // failures since the last good frame
  // False when the car must not trust the camera: no frame for GrabberOptions::timeout (since
  // the last frame, or since start()), the camera was declared lost and has not delivered
  // since, or a finite source ended. The Supervisor stops the car on false.
  bool camera_alive = false;
  bool ended = false;                 // a finite source (video, folder) delivered its last frame
  std::uint64_t lost_events = 0;      // times the camera went from alive to lost
  std::uint64_t stalls = 0;           // times no frame came within timeout (read abandoned)
  std::uint64_t reopens = 0;          // reopen() attempts
  std::uint64_t reopen_failures = 0;  // reopen() attempts that threw
  std::uint64_t recoveries = 0;       // times frames arrived again after the camera was lost
  double since_last_frame_ms = 0.0;   // ms since the last frame (or since start())
  // ms from the last frame's capture (as the source stamps it) to its publication.
  double capture_delay_ms = 0.0;
  std::string last_error;  // why the camera was last declared lost; "" if never
};

// What the grabber reports from its threads; must not block (post it to a queue).
enum class CameraEvent {
  kLost,       // camera declared lost: the car must stop (detail says why)
  kReopened,   // reopen() succeeded after a loss (frames may follow)
  kRecovered,  // a frame arrived again after kLost
  kEnded,      // a finite source delivered its last frame
};

// The event's name in telemetry: camera_lost, camera_reopened, camera_recovered, camera_ended.
const char* to_string(CameraEvent event);

struct GrabberOptions {
  std::chrono::milliseconds first_backoff{10};  // wait after the first failed read or reopen
  std::chrono::milliseconds max_backoff{200};   // backoff doubles up to this
  std::chrono::milliseconds timeout{1000};      // camera.timeout_ms: no frame this long = lost
  // How long a camera may take to deliver its first frame after start() or a re-open before it
  // is re-opened (again): Argus needs 1-2 s. At least `timeout`.
  std::chrono::milliseconds open_grace{5000};
  int failures_before_reopen = 3;  // consecutive read failures that mean "lost"
  // Called for every event with a human-readable detail, from the reading thread or the stall
  // watchdog, never from both at once.
  std::function<void(CameraEvent, const std::string&)> on_event;
};

// GrabberOptions from the camera section (timeout from camera.timeout_ms, open_grace the
// larger of 5 s and it); no event sink.
GrabberOptions grabber_options(const config::CameraConfig& camera);

// Reads `camera` as fast as it delivers. Each frame is stamped with the source's capture time
// (CameraSource::captured_at(), else clock.now() right after read() returns), numbered 1, 2,
// ... and published into `frames`; published frames own their pixels.
// Failures: after `failures_before_reopen` consecutive failed reads the camera is declared lost
// (kLost) and re-opened (kReopened) with backoff doubling from first_backoff to max_backoff
// until a frame arrives (kRecovered). Stalls: a watchdog thread interrupts a read when no frame
// came for `timeout` since the last one (or for `open_grace` since start() or a re-open, when
// none came since), declares the camera lost, and the reading thread re-opens it.
// At a finite source's end the thread stops reading (kEnded).
class FrameGrabber {
 public:
  // All references must outlive this object.
  FrameGrabber(CameraSource& camera, const Clock& clock, LatestSlot<Frame>& frames,
               GrabberOptions options = {});
  ~FrameGrabber();
  FrameGrabber(const FrameGrabber&) = delete;
  FrameGrabber& operator=(const FrameGrabber&) = delete;

  void start();
  // Interrupts the camera (repeatedly, in case read() had not started yet) and joins; returns
  // as soon as the camera's read() honours interrupt().
  void stop();
  GrabberStats stats() const;
  // Whether frames are arriving at `now` (as stats().camera_alive); lock-free and allocation-
  // free, for the control loop's supervisor every tick.
  bool camera_alive(TimePoint now) const;

 private:
  void read_loop();
  void watch_loop();
  void grab_one();
  bool read_guarded();
  bool take_stall();
  void publish(TimePoint now);
  void on_failure();
  void reopen_until_open();
  void check_stall(TimePoint now);
  std::string stall_reason(bool delivered) const;
  void declare_lost(const std::string& why);
  void report(CameraEvent event, const std::string& detail);
  void interrupt_until_exit();
  // When the camera is stalled if no frame comes before.
  TimePoint stall_deadline() const;

  CameraSource& camera_;
  const Clock& clock_;
  LatestSlot<Frame>& frames_;
  GrabberOptions options_;
  cv::Mat scratch_;  // the camera reads into this; never published
  Backoff backoff_;
  Worker reader_;
  Worker watchdog_;

  // Whether the reading thread is inside read(), and whether the watchdog interrupted it.
  std::mutex read_mutex_;
  bool reading_ = false;
  bool stall_interrupted_ = false;
  std::mutex exit_mutex_;
  std::condition_variable exited_cv_;
  bool exited_ = true;      // the reading thread has left its loop (or never started)
  std::mutex event_mutex_;  // one on_event call at a time

  std::atomic<std::uint64_t> frames_count_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> consecutive_failures_{0};
  std::atomic<bool> lost_{false};
  std::atomic<bool> ended_{false};
  std::atomic<std::uint64_t> lost_events_{0};
  std::atomic<std::uint64_t> stalls_{0};
  std::atomic<std::uint64_t> reopens_{0};
  std::atomic<std::uint64_t> reopen_failures_{0};
  std::atomic<std::uint64_t> recoveries_{0};
  std::atomic<Duration::rep> last_frame_at_{0};  // clock time of the last frame (or start())
  std::atomic<Duration::rep> opened_at_{0};      // clock time of start() or the last re-open
  std::atomic<bool> delivered_since_open_{false};
  std::atomic<Duration::rep> capture_delay_{0};  // publish - capture of the last frame
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_
};

}  // namespace rcpilot::perception
