#pragma once
// Reads the camera on its own thread and keeps only the newest frame.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "perception/camera_source.hpp"
#include "perception/types.hpp"

namespace rcpilot::perception {

struct GrabberStats {
  std::uint64_t frames = 0;                // frames published
  std::uint64_t read_failures = 0;         // read() calls that returned false
  std::uint64_t consecutive_failures = 0;  // failures since the last good frame
};

struct GrabberOptions {
  std::chrono::milliseconds first_backoff{10};  // wait after the first failed read
  std::chrono::milliseconds max_backoff{200};   // backoff doubles up to this
};

// Reads `camera` as fast as it delivers. Each frame is stamped with clock.now() right after
// read() returns and gets the next sequence number (1, 2, ...), then is published into
// `frames`. Published frames own their pixels: the camera's next read never touches them.
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

 private:
  void loop();
  void grab_one(std::chrono::milliseconds& backoff);
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
};

}  // namespace rcpilot::perception
