#pragma once
// GStreamer pipeline strings for the Jetson CSI and USB (V4L2) cameras (REFERENCE.md section 5)
// and video files. They deliver the model's size from the pipeline (nvvidconv scales in
// hardware on a Jetson), so no full-size frame is copied out of GStreamer.
// Pure functions of the camera config, so the strings are tested without devices.
#include <string>

#include "config/config.hpp"

namespace rcpilot::perception {

// The appsink every pipeline ends with: keep only the newest buffer, never wait on the clock,
// so frames do not queue up (queued frames are 0.5-2 s of lag on a Jetson).
inline constexpr const char* kLatestOnlyAppsink = "appsink drop=true max-buffers=1 sync=false";

// nvarguscamerasrc sensor-id=.. [sensor-mode=..] ! NVMM NV12 capture_width x capture_height at
// fps ! nvvidconv flip-method=flip ! BGRx width x height ! videoconvert ! BGR ! appsink.
std::string csi_pipeline(const config::CameraConfig& camera);

// v4l2src device=.. ! raw (format: raw) or image/jpeg + jpegdec (format: mjpeg) at
// capture_width x capture_height and fps ! videoscale ! videoconvert ! BGR width x height !
// appsink.
std::string v4l2_pipeline(const config::CameraConfig& camera);

// filesrc name=src (GstCamera sets its location: no quoting of the path) ! decodebin !
// videoscale ! videoconvert ! BGR width x height ! appsink (whose sync and dropping GstCamera
// sets from camera.realtime).
std::string video_pipeline(const config::CameraConfig& camera);

// GStreamer's fraction for a frame rate: 30 -> "30/1", 29.97 -> "2997/100".
std::string gst_fraction(double fps);

}  // namespace rcpilot::perception
