#include "config/enums.hpp"

namespace rcpilot::config {

const std::vector<std::string>& names_of(CameraSource) {
  static const std::vector<std::string> names = {"sim", "video", "images", "tub",
                                                 "v4l2", "csi",  "gstreamer"};
  return names;
}

const std::vector<std::string>& names_of(CameraFormat) {
  static const std::vector<std::string> names = {"mjpeg", "raw"};
  return names;
}

const std::vector<std::string>& names_of(DriveMode) {
  static const std::vector<std::string> names = {"user", "local_angle", "local"};
  return names;
}

const std::vector<std::string>& names_of(OnStale) {
  static const std::vector<std::string> names = {"stop", "hold"};
  return names;
}

const std::vector<std::string>& names_of(ReverseMode) {
  static const std::vector<std::string> names = {"direct", "brake_then_reverse"};
  return names;
}

const std::vector<std::string>& names_of(MotorDriver) {
  static const std::vector<std::string> names = {"sim", "native", "mm1", "vesc", "native_sim", "pca9685"};
  return names;
}

const std::vector<std::string>& names_of(VescThrottle) {
  static const std::vector<std::string> names = {"duty", "rpm", "current"};
  return names;
}

const std::vector<std::string>& names_of(GamepadPad) {
  static const std::vector<std::string> names = {"custom", "xbox", "ps3", "ps4", "f710"};
  return names;
}

}  // namespace rcpilot::config
