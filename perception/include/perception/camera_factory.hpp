#pragma once
// Builds the camera that camera.source names. Tub replay is built here; the cameras on
// GStreamer and libpng (video, images, csi, v4l2, gstreamer) live in the capture plugin, a
// shared library loaded only when camera.source needs it, so a node on the sim camera or a tub
// does not carry those libraries (capture_camera.hpp).
#include <cstddef>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "perception/camera_source.hpp"

namespace rcpilot::perception {

// Builds a video, images, csi, v4l2 or gstreamer camera; throws CameraError.
using CaptureFactory = std::unique_ptr<CameraSource> (*)(const config::CameraConfig& camera,
                                                         const std::string& path,
                                                         const Clock& clock);

// The plugin's file name and its one exported entry point, which fills in the factory and
// reports the plugin's kCapturePluginAbi and sizeof(config::CameraConfig): a plugin left over
// from another build is refused instead of crashing.
inline constexpr const char* kCapturePluginFile = "librcpilot-capture.so";
inline constexpr const char* kCapturePluginEntry = "rcpilot_capture_plugin";
inline constexpr int kCapturePluginAbi = 2;
using CapturePluginEntry = int (*)(CaptureFactory* factory, std::size_t* camera_config_size);

// Where the executables look for the plugin: <executable's folder>/../lib/rcpilot/, which is
// both the install layout (bin/, lib/rcpilot/) and the build tree's (vehicle/, lib/rcpilot/).
std::string capture_plugin_path();

// Loads the plugin at `plugin_path` once per process and returns its factory. Throws CameraError
// naming camera.source `source`, the file and what to do when it is missing or does not fit.
CaptureFactory load_capture_plugin(const std::string& plugin_path, const std::string& source);

// Builds the `camera.source` camera (every source but sim, which needs the simulated world).
// `path`: camera.path already resolved against the config's folder. `capture`: the factory for
// the plugin's sources; null loads the plugin from capture_plugin_path() when needed. Throws
// CameraError naming the key, device or file, and what to do.
std::unique_ptr<CameraSource> make_camera_source(const config::CameraConfig& camera,
                                                 const std::string& path, const Clock& clock,
                                                 CaptureFactory capture = nullptr);

}  // namespace rcpilot::perception
