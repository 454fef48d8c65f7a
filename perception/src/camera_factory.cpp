#include "perception/camera_factory.hpp"

#include "perception/replay_cameras.hpp"
#include "common/plugin.hpp"

namespace rcpilot::perception {
namespace {

bool is_replay(const std::string& source) {
  return source == "video" || source == "images" || source == "tub";
}

std::string what_path_holds(const std::string& source) {
  return source == "video" ? "a video file" : source == "tub" ? "a tub folder" : "an image folder";
}

std::string plugin_remedy(const std::string& source) {
  return "camera.source: " + source + " needs the capture plugin (GStreamer and libpng), " +
         "built with rcpilot and installed beside it by scripts/install; rebuild " +
         "(scripts/build) and reinstall, or use camera.source sim or tub";
}

}  // namespace

std::string capture_plugin_path() { return installed_plugin_path(kCapturePluginFile); }

CaptureFactory load_capture_plugin(const std::string& plugin_path, const std::string& source) {
  std::string error;
  const auto entry = reinterpret_cast<CapturePluginEntry>(
      plugin_entry(plugin_path, kCapturePluginEntry, error));
  if (entry == nullptr) {
    throw CameraError("cannot load the capture plugin " + plugin_path + " (" + error + "); " +
                      plugin_remedy(source));
  }
  CaptureFactory factory = nullptr;
  std::size_t config_size = 0;
  const int abi = entry(&factory, &config_size);
  if (abi != kCapturePluginAbi || config_size != sizeof(config::CameraConfig) ||
      factory == nullptr) {
    throw CameraError("the capture plugin " + plugin_path +
                      " comes from another rcpilot build (its interface does not match); " +
                      plugin_remedy(source));
  }
  return factory;
}

std::unique_ptr<CameraSource> make_camera_source(const config::CameraConfig& c,
                                                 const std::string& path, const Clock& clock,
                                                 CaptureFactory capture) {
  const std::string source(config::to_string(c.source));
  if (is_replay(source) && path.empty()) {
    throw CameraError("camera.path is empty; camera.source: " + source + " needs camera.path (" +
                      what_path_holds(source) + ")");
  }
  if (source == "tub") return std::make_unique<TubCamera>(path, clock, replay_options(c));
  if (source == "sim") {
    throw CameraError("camera.source: sim cannot be built here (it needs the simulated world)");
  }
  if (capture == nullptr) capture = load_capture_plugin(capture_plugin_path(), source);
  return capture(c, path, clock);
}

}  // namespace rcpilot::perception
