#include "perception/capture_camera.hpp"

#include <filesystem>
#include <utility>

#include "perception/camera_pipelines.hpp"
#include "perception/file_cameras.hpp"
#include "perception/gst_camera.hpp"

namespace rcpilot::perception {
namespace {

constexpr const char* kCsiRemedy =
    "check the ribbon cable and camera.sensor_id, and that no other program holds the camera; "
    "a capture left open blocks the next one: sudo systemctl restart nvargus-daemon";

GstCameraOptions live(const config::CameraConfig& c, std::string pipeline, std::string what,
                      std::string remedy) {
  GstCameraOptions o;
  o.pipeline = std::move(pipeline);
  o.what = std::move(what);
  o.remedy = std::move(remedy);
  o.width = c.width;
  o.height = c.height;
  return o;
}

std::string v4l2_remedy(const config::CameraConfig& c) {
  return "check that " + c.device +
         " exists (ls /dev/video*), that you may read it (group video) and that it supports "
         "camera.format " +
         std::string(config::to_string(c.format)) + " at " + std::to_string(c.capture_width) + "x" +
         std::to_string(c.capture_height) + " (v4l2-ctl --list-formats-ext -d " + c.device + ")";
}

// camera.realtime: paced by the file's timestamps (sync), frames dropped when the reader is
// late, like a camera; otherwise every frame, as fast as read.
std::unique_ptr<CameraSource> video_camera(const config::CameraConfig& c, const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw CameraError("camera.path: video file " + path + " does not exist; check camera.path");
  }
  GstCameraOptions o = live(c, video_pipeline(c), "video file " + path,
                            "check that it is a video GStreamer can decode (gst-discoverer-1.0 " +
                                path + "), or convert it: ffmpeg -i IN -c:v mjpeg OUT.avi");
  o.file = path;
  o.finite = true;
  o.loop = c.loop;
  o.latest_only = c.realtime;
  o.sync = c.realtime;
  return std::make_unique<GstCamera>(std::move(o));
}

}  // namespace

std::unique_ptr<CameraSource> make_capture_camera(const config::CameraConfig& c,
                                                  const std::string& path, const Clock& clock) {
  const std::string source(config::to_string(c.source));
  if (source == "video") return video_camera(c, path);
  if (source == "images") {
    return std::make_unique<ImageFolderCamera>(path, clock, replay_options(c));
  }
  if (source == "csi") {
    return std::make_unique<GstCamera>(live(
        c, csi_pipeline(c), "CSI camera sensor-id=" + std::to_string(c.sensor_id), kCsiRemedy));
  }
  if (source == "v4l2") {
    return std::make_unique<GstCamera>(
        live(c, v4l2_pipeline(c), "USB camera " + c.device, v4l2_remedy(c)));
  }
  if (source == "gstreamer") {
    if (c.pipeline.empty()) {
      throw CameraError(
          "camera.pipeline is empty; camera.source: gstreamer needs a pipeline "
          "ending in an appsink, e.g. `videotestsrc ! videoconvert ! appsink`");
    }
    return std::make_unique<GstCamera>(
        live(c, c.pipeline, "GStreamer pipeline camera.pipeline",
             "test it with gst-launch-1.0 (fakesink in place of appsink) and check that it "
             "ends in `videoconvert ! video/x-raw, format=BGR ! appsink`"));
  }
  throw CameraError("camera.source: " + source + " is not a source of the capture plugin");
}

}  // namespace rcpilot::perception
