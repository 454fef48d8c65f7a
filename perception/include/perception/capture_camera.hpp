#pragma once
// Live cameras through cv::VideoCapture + GStreamer: Jetson CSI, USB (V4L2) or a user pipeline.
// With the video and image replay cameras (file_cameras.hpp) they form the capture plugin,
// librcpilot-capture.so, which the executables load only when camera.source needs it: the
// distributions' OpenCV videoio and imgcodecs pull ~200 shared libraries (FFmpeg, GStreamer,
// GDAL, ...) that cost the node ~55 MB of resident memory even on the sim camera.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <opencv2/videoio.hpp>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"

namespace rcpilot::perception {

// A GStreamer pipeline ending in an appsink, opened with OpenCV's GStreamer backend.
class GStreamerCamera final : public CameraSource {
 public:
  // `what`: how to name the camera in messages ("CSI camera sensor-id=0");
  // `remedy`: what to tell the user when it cannot be opened; `open_timeout`: how long an open
  // may take (GStreamer can wait forever on a pipeline whose elements never reach PLAYING).
  // Throws CameraError.
  GStreamerCamera(std::string pipeline, std::string what, std::string remedy,
                  std::chrono::milliseconds open_timeout = std::chrono::seconds(10));
  bool read(cv::Mat& bgr) override;
  // OpenCV cannot abort a blocked read: a pending read() returns at the next frame (or when
  // the appsink times out); every later read() returns false at once.
  void interrupt() override { interrupted_ = true; }
  std::string describe() const override { return what_; }
  void reopen() override;
  const std::string& pipeline() const { return pipeline_; }

 private:
  void open();

  std::string pipeline_;
  std::string what_;
  std::string remedy_;
  std::chrono::milliseconds open_timeout_;
  // Shared with the opening thread, which may outlive a timed-out open.
  std::shared_ptr<cv::VideoCapture> capture_;
  std::atomic<bool> interrupted_{false};
};

// The plugin's factory (a CaptureFactory, camera_factory.hpp): builds the video, images, csi,
// v4l2 or gstreamer camera. `path`: camera.path already resolved (and not empty for video and
// images: make_camera_source checks that). Throws CameraError naming the key, device or file,
// and what to do.
std::unique_ptr<CameraSource> make_capture_camera(const config::CameraConfig& camera,
                                                  const std::string& path, const Clock& clock);

}  // namespace rcpilot::perception
