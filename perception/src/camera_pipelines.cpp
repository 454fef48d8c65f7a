#include "perception/camera_pipelines.hpp"

#include <cmath>
#include <sstream>

namespace rcpilot::perception {

std::string gst_fraction(double fps) {
  const double rounded = std::round(fps);
  if (std::abs(fps - rounded) < 1e-9) return std::to_string(static_cast<long>(rounded)) + "/1";
  return std::to_string(std::lround(fps * 100.0)) + "/100";
}

std::string csi_pipeline(const config::CameraConfig& c) {
  std::ostringstream p;
  p << "nvarguscamerasrc sensor-id=" << c.sensor_id;
  if (c.sensor_mode >= 0) p << " sensor-mode=" << c.sensor_mode;
  p << " ! video/x-raw(memory:NVMM), width=" << c.capture_width << ", height=" << c.capture_height
    << ", framerate=" << gst_fraction(c.fps) << ", format=NV12"
    << " ! nvvidconv flip-method=" << c.flip << " ! video/x-raw, width=" << c.width
    << ", height=" << c.height << ", format=BGRx"
    << " ! videoconvert ! video/x-raw, format=BGR ! " << kLatestOnlyAppsink;
  return p.str();
}

std::string v4l2_pipeline(const config::CameraConfig& c) {
  std::ostringstream p;
  p << "v4l2src device=" << c.device << " ! ";
  const std::string caps = ", width=" + std::to_string(c.capture_width) +
                           ", height=" + std::to_string(c.capture_height) +
                           ", framerate=" + gst_fraction(c.fps);
  if (c.format == config::CameraFormat::kMjpeg) {
    p << "image/jpeg" << caps << " ! jpegdec";
  } else {
    p << "video/x-raw" << caps;
  }
  // Scale first, so the colour conversion runs on the model-sized frame.
  p << " ! videoscale add-borders=false ! videoconvert ! video/x-raw, width=" << c.width
    << ", height=" << c.height << ", format=BGR ! " << kLatestOnlyAppsink;
  return p.str();
}

std::string video_pipeline(const config::CameraConfig& c) {
  std::ostringstream p;
  p << "filesrc name=src ! decodebin ! videoscale add-borders=false ! videoconvert"
    << " ! video/x-raw, width=" << c.width << ", height=" << c.height << ", format=BGR ! appsink";
  return p.str();
}

}  // namespace rcpilot::perception
