#pragma once
// The capture plugin's cameras: csi, v4l2, gstreamer and video on GStreamer's own API
// (gst_camera.hpp), images from a folder (file_cameras.hpp). They form librcpilot-capture.so,
// which the executables load only when camera.source needs it: GStreamer and libpng stay out
// of a node on the sim camera or a tub, whose resident memory is then what it was without
// them (bench/RESULTS.md, "Node memory"). Nothing here uses OpenCV's videoio or imgcodecs.
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"

namespace rcpilot::perception {

// The plugin's factory (a CaptureFactory, camera_factory.hpp): builds the video, images, csi,
// v4l2 or gstreamer camera. `path`: camera.path already resolved (and not empty for video and
// images: make_camera_source checks that). Throws CameraError naming the key, device or file,
// and what to do.
std::unique_ptr<CameraSource> make_capture_camera(const config::CameraConfig& camera,
                                                  const std::string& path, const Clock& clock);

}  // namespace rcpilot::perception
