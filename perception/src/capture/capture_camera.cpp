#include "perception/capture_camera.hpp"

#include <future>
#include <thread>
#include <utility>

#include "perception/camera_pipelines.hpp"
#include "perception/file_cameras.hpp"

namespace rcpilot::perception {
namespace {

constexpr const char* kCsiRemedy =
    "check the ribbon cable and camera.sensor_id, and that no other program holds the camera; "
    "a capture left open blocks the next one: sudo systemctl restart nvargus-daemon";

}  // namespace

GStreamerCamera::GStreamerCamera(std::string pipeline, std::string what, std::string remedy,
                                 std::chrono::milliseconds open_timeout)
    : pipeline_(std::move(pipeline)),
      what_(std::move(what)),
      remedy_(std::move(remedy)),
      open_timeout_(open_timeout) {
  open();
}

// Opens on a helper thread so that a pipeline stuck on its way to PLAYING (a missing element, a
// busy device) becomes an error instead of a hang; a stuck helper is left behind detached.
void GStreamerCamera::open() {
  if (capture_) capture_->release();
  auto capture = std::make_shared<cv::VideoCapture>();
  auto result = std::make_shared<std::promise<bool>>();
  std::future<bool> opened = result->get_future();
  std::thread([capture, result, pipeline = pipeline_] {
    bool ok = false;
    try {
      ok = capture->open(pipeline, cv::CAP_GSTREAMER);
    } catch (const cv::Exception&) {
      ok = false;
    }
    result->set_value(ok);
  }).detach();
  if (opened.wait_for(open_timeout_) != std::future_status::ready) {
    throw CameraError("cannot open " + what_ + ": the GStreamer pipeline did not start within " +
                      std::to_string(open_timeout_.count()) + " ms (pipeline: " + pipeline_ +
                      "); " + remedy_ +
                      "; check that the GStreamer plugins it names are installed");
  }
  if (!opened.get()) {
    throw CameraError("cannot open " + what_ + " (GStreamer pipeline: " + pipeline_ + "); " +
                      remedy_);
  }
  capture_ = std::move(capture);
}

bool GStreamerCamera::read(cv::Mat& bgr) {
  if (interrupted_ || !capture_) return false;
  return capture_->read(bgr) && !bgr.empty() && !interrupted_;
}

void GStreamerCamera::reopen() { open(); }

std::unique_ptr<CameraSource> make_capture_camera(const config::CameraConfig& c,
                                                  const std::string& path, const Clock& clock) {
  const std::string source(config::to_string(c.source));
  if (source == "video") return std::make_unique<VideoFileCamera>(path, clock, replay_options(c));
  if (source == "images") {
    return std::make_unique<ImageFolderCamera>(path, clock, replay_options(c));
  }
  if (source == "csi") {
    return std::make_unique<GStreamerCamera>(
        csi_pipeline(c), "CSI camera sensor-id=" + std::to_string(c.sensor_id), kCsiRemedy);
  }
  if (source == "v4l2") {
    return std::make_unique<GStreamerCamera>(
        v4l2_pipeline(c), "USB camera " + c.device,
        "check that " + c.device +
            " exists (ls /dev/video*), that you may read it (group "
            "video) and that it supports camera.format " +
            std::string(config::to_string(c.format)) + " at " + std::to_string(c.capture_width) + "x" +
            std::to_string(c.capture_height) + " (v4l2-ctl --list-formats-ext -d " + c.device +
            ")");
  }
  if (source == "gstreamer") {
    if (c.pipeline.empty()) {
      throw CameraError(
          "camera.pipeline is empty; camera.source: gstreamer needs a pipeline "
          "ending in an appsink, e.g. `videotestsrc ! videoconvert ! appsink`");
    }
    return std::make_unique<GStreamerCamera>(
        c.pipeline, "GStreamer pipeline camera.pipeline",
        "test it with gst-launch-1.0 (fakesink in place of appsink) and check that it ends in "
        "an appsink delivering BGR");
  }
  throw CameraError("camera.source: " + source + " is not a source of the capture plugin");
}

}  // namespace rcpilot::perception
