#pragma once
// Shared helpers for the sim tests.
#include <string>

#include "config/config.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim::test {

inline std::string track_path(const std::string& name) {
  return std::string(RCPILOT_SOURCE_DIR) + "/sim/tracks/" + name;
}

inline const Track& default_track() {
  static const Track track = load_track(track_path("default.yaml"));
  return track;
}

inline config::SimConfig sim_config() { return config::SimConfig{}; }
inline config::CameraConfig camera_config() { return config::CameraConfig{}; }

}  // namespace rcpilot::sim::test
