#pragma once
// Choosing concrete implementations from the config: used only by the executables' mains.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "firmware_iface/motor_link.hpp"
#include "perception/camera_source.hpp"
#include "perception/pilot.hpp"
#include "sim/sim_world.hpp"
#include "sim/track.hpp"

namespace rcpilot::app {

// Exit codes shared by rcpilot and rcpilot-sim.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // failed while running
inline constexpr int kExitConfigError = 2;   // bad command line or config: nothing started
inline constexpr int kExitStartupError = 3;  // model, device or self-test failed: nothing moved

// Loads model.path with its metadata and builds the pilot (ModelError when anything is off).
std::unique_ptr<perception::Pilot> make_pilot(const config::Config& cfg);
// The camera camera.source names: sim films `world` (required for it); video, images and tub
// replay camera.path; v4l2, csi and gstreamer open a GStreamer pipeline. Throws
// perception::CameraError naming the key, device or file and what to do.
std::unique_ptr<perception::CameraSource> make_camera(const config::Config& cfg,
                                                      sim::SimWorld* world, const Clock& clock);
// Loads sim.track (relative to the config file).
sim::Track load_sim_track(const config::Config& cfg);
// The motor link motor.driver names: sim and native_sim drive `world` (required for them);
// native, mm1 and vesc open motor.device. For a serial driver, waits up to 2 s for the board's
// handshake and throws std::runtime_error naming motor.device when it does not answer. Throws
// on a device that cannot be opened or limits that are not ordered.
std::unique_ptr<fw::MotorLink> make_motor_link(const config::Config& cfg, sim::SimWorld* world,
                                               const Clock& clock);
// Loads --config/--set for `program`; on a ConfigError prints "<program>: config error: ..."
// to stderr and returns nullopt (the caller exits with kExitConfigError, nothing started).
std::optional<config::Config> load_config_or_report(const char* program, const std::string& path,
                                                    const std::vector<std::string>& overrides);
// Logs to stderr: colours only on a terminal; `level` as in log.level.
void setup_logging(const std::string& level);

}  // namespace rcpilot::app
