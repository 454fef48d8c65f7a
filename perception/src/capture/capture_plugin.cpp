// The capture plugin's one exported symbol (camera_factory.hpp): everything else in
// librcpilot-capture.so is hidden, so it cannot clash with the executable that loads it.
#include "perception/camera_factory.hpp"
#include "perception/capture_camera.hpp"

extern "C" __attribute__((visibility("default"))) int rcpilot_capture_plugin(
    rcpilot::perception::CaptureFactory* factory, std::size_t* camera_config_size) {
  *factory = &rcpilot::perception::make_capture_camera;
  *camera_config_size = sizeof(rcpilot::config::CameraConfig);
  return rcpilot::perception::kCapturePluginAbi;
}
