#pragma once
#include <stdexcept>
#include <string>

#include <opencv2/core/mat.hpp>

#include "common/clock.hpp"

namespace rcpilot::perception {

// A camera that cannot be opened (start-up) or re-opened; the message names the device or file
// and what to do.
class CameraError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A camera. read() blocks until the next image is available, like a device would.
class CameraSource {
 public:
  virtual ~CameraSource() = default;
  // Fills `bgr` with the next image (8-bit BGR); false on a read failure or end of stream.
  virtual bool read(cv::Mat& bgr) = 0;
  // Makes a pending read() and every later one return false promptly (from any thread) until
  // reopen(): the grabber interrupts to stop, and to abandon a read that stalled.
  virtual void interrupt() {}
  virtual std::string describe() const = 0;
  // Closes and opens the device again after failures or a stall, and clears interrupt();
  // throws CameraError when it cannot. Default: nothing to re-open.
  virtual void reopen() {}
  // True once a finite source (a video or folder without loop) has delivered its last frame:
  // read() failing then is the end of the recording, not a camera fault.
  virtual bool at_end() const { return false; }
  // When the image the last successful read() returned was captured, on CLOCK_MONOTONIC (the
  // Clock's time base); TimePoint{} when the source cannot tell, and the grabber stamps the
  // time read() returned. docs/camera.md says per source what the stamp means.
  virtual TimePoint captured_at() const { return {}; }
  // Why the last read() failed, naming the device or element; "" when unknown. Called on the
  // reading thread only.
  virtual std::string last_error() const { return ""; }
};

}  // namespace rcpilot::perception
