#pragma once
#include <stdexcept>
#include <string>

#include <opencv2/core/mat.hpp>

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
  // Unblocks a pending read() so the grabber can shut down.
  virtual void interrupt() {}
  virtual std::string describe() const = 0;
  // Closes and opens the device again after failures; throws CameraError when it cannot.
  // Default: nothing to re-open (the source recovers by itself or not at all).
  virtual void reopen() {}
  // True once a finite source (a video or folder without loop) has delivered its last frame:
  // read() failing then is the end of the recording, not a camera fault.
  virtual bool at_end() const { return false; }
};

}  // namespace rcpilot::perception
