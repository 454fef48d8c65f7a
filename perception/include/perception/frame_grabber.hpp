#pragma once
// Reads the camera on its own thread and keeps only the newest frame.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"
#include "perception/types.hpp"

namespace rcpilot::perception {

struct GrabberStats {
  std::uint64_t frames = 0;                // frames published
  std::uint64_t read_failures = 0;         // read() calls that returned false
  std::uint64_t consecutive_failures = 0;  // failures since the last good frame
  // False when the car must not trust the camera: no frame for GrabberOptions::timeout (since
  // the last frame, or since start()), the camera was declared lost after read failures and has
  // not delivered since, or a finite source ended. The Supervisor stops the car on false.
  bool camera_alive = false;
  bool ended = false;                 // a finite source (video, folder) delivered its last frame
  std::uint64_t lost_events = 0;      // times the camera went from alive to lost
  std::uint64_t stalls = 0;           // reads that returned a frame after more than timeout
  std::uint64_t reopens = 0;          // reopen() attempts
  std::uint64_t reopen_failures = 0;  // reopen() attempts that threw
  double since_last_frame_ms = 0.0;   // ms since the last frame (or since start())
  std::string last_error;             // why the camera was last declared lost; "" if never
};

// What the grabber reports from its thread; must not block (post it to a queue).
enum class CameraEvent {
  kLost,       // camera declared lost: the car must stop (detail says why)
  kRecovered,  // a frame arrived again after kLost
  kReopened,   // reopen() succeeded (frames may follow)
  kEnded,      // a finite source delivered its last frame
};

struct GrabberOptions {
  std::chrono::milliseconds first_backoff{10};  // wait after the first failed read
  std::chrono::milliseconds max_backoff{200};   // backoff doubles up to this
  std::chrono::milliseconds timeout{1000};      // camera.timeout_ms: no frame this long = lost
  int failures_before_reopen = 3;               // consecutive read failures that mean "lost"
  // Called on the grabber thread for every event, with a human-readable detail.
  std::function<void(CameraEvent, const std::string&)> on_event;
};

// GrabberOptions from the camera section (timeout from camera.timeout_ms); no event sink.
GrabberOptions grabber_options(const config::CameraConfig& camera);

// Reads `camera` as fast as it delivers. Each frame is stamped with clock.now() right after
// read() returns and gets the next sequence number (1, 2, ...), then is published into
// `frames`. Published frames own their pixels: the camera's next read never touches them.
// Failures: after `failures_before_reopen` consecutive failed reads the camera is declared lost
// (event kLost) and re-opened (CameraSource::reopen()) with backoff doubling from
// first_backoff to max_backoff until a frame arrives (kRecovered). A read blocked inside the
// driver cannot be detected from this thread: stats() reports camera_alive = false once no
// frame has arrived for `timeout`. At a finite source's end the thread stops reading (kEnded).
class FrameGrabber {
 public:
  // All references must outlive this object.
  FrameGrabber(CameraSource& camera, const Clock& clock, LatestSlot<Frame>& frames,
               GrabberOptions options = {});
  ~FrameGrabber();
  FrameGrabber(const FrameGrabber&) = delete;
  FrameGrabber& operator=(const FrameGrabber&) = delete;

  void start();
  // Interrupts the camera (repeatedly, in case read() had not started yet) and joins.
  void stop();
  GrabberStats stats() const;
  // Whether frames are arriving at `now` (as stats().camera_alive); lock-free and allocation-
  // free, for the control loop's supervisor every tick.
  bool camera_alive(TimePoint now) const;

 private:
  void loop();
  void grab_one(std::chrono::milliseconds& backoff);
  void on_failure(std::chrono::milliseconds& backoff);
  void declare_lost(const std::string& why);
  void report(CameraEvent event, const std::string& detail);
  bool stop_requested();
  // Waits up to `d` unless stop() is called; returns false when stopping.
  bool wait_unless_stopped(std::chrono::milliseconds d);

  CameraSource& camera_;
  const Clock& clock_;
  LatestSlot<Frame>& frames_;
  GrabberOptions options_;
  cv::Mat scratch_;  // the camera reads into this; never published

  std::mutex mutex_;
  std::condition_variable wake_;  // stop requests and thread exit
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;

  std::atomic<std::uint64_t> frames_count_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<std::uint64_t> consecutive_failures_{0};
  std::atomic<bool> lost_{false};
  std::atomic<bool> ended_{false};
  std::atomic<std::uint64_t> lost_events_{0};
  std::atomic<std::uint64_t> stalls_{0};
  std::atomic<std::uint64_t> reopens_{0};
  std::atomic<std::uint64_t> reopen_failures_{0};
  std::atomic<Duration::rep> last_frame_at_{0};  // clock time of the last frame (or start())
  mutable std::mutex error_mutex_;
  std::string last_error_;  // guarded by error_mutex_
};

}  // namespace rcpilot::perception
