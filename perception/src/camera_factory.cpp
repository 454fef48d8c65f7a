#include "perception/camera_factory.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "perception/replay_cameras.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

bool is_replay(const std::string& source) {
  return source == "video" || source == "images" || source == "tub";
}

std::string what_path_holds(const std::string& source) {
  return source == "video" ? "a video file" : source == "tub" ? "a tub folder" : "an image folder";
}

std::string plugin_remedy(const std::string& source) {
  return "camera.source: " + source + " needs the capture plugin (OpenCV videoio and " +
         "imgcodecs), built with rcpilot and installed beside it by scripts/install; rebuild " +
         "(scripts/build) and reinstall, or use camera.source sim or tub";
}

}  // namespace

std::string capture_plugin_path() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return kCapturePluginFile;  // dlopen's own search path then
  return (exe.parent_path().parent_path() / "lib" / "rcpilot" / kCapturePluginFile).string();
}

CaptureFactory load_capture_plugin(const std::string& plugin_path, const std::string& source) {
  // A loaded plugin stays loaded: the cameras it built live until the process ends.
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  void* library = dlopen(plugin_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    throw CameraError("cannot load the capture plugin " + plugin_path + " (" +
                      (why != nullptr ? why : "unknown error") + "); " + plugin_remedy(source));
  }
  const auto entry = reinterpret_cast<CapturePluginEntry>(dlsym(library, kCapturePluginEntry));
  CaptureFactory factory = nullptr;
  std::size_t config_size = 0;
  const int abi = entry != nullptr ? entry(&factory, &config_size) : -1;
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
  if (is_replay(c.source) && path.empty()) {
    throw CameraError("camera.path is empty; camera.source: " + c.source + " needs camera.path (" +
                      what_path_holds(c.source) + ")");
  }
  if (c.source == "tub") return std::make_unique<TubCamera>(path, clock, replay_options(c));
  if (c.source == "sim") {
    throw CameraError("camera.source: sim cannot be built here (it needs the simulated world)");
  }
  if (capture == nullptr) capture = load_capture_plugin(capture_plugin_path(), c.source);
  return capture(c, path, clock);
}

}  // namespace rcpilot::perception
