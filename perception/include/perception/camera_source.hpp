#pragma once
#include <string>

#include <opencv2/core/mat.hpp>

namespace rcpilot::perception {

// A camera. read() blocks until the next image is available, like a device would.
class CameraSource {
 public:
  virtual ~CameraSource() = default;
  // Fills `bgr` with the next image (8-bit BGR); false on a read failure or end of stream.
  virtual bool read(cv::Mat& bgr) = 0;
  // Unblocks a pending read() so the grabber can shut down.
  virtual void interrupt() {}
  virtual std::string describe() const = 0;
};

}  // namespace rcpilot::perception
