#pragma once
// Choosing the camera and motor link from the config, real or simulated: used by the programs
// that drive a car (rcpilot, rcpilot-motor).
#include <memory>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "config/program.hpp"
#include "firmware_iface/motor_link.hpp"
#include "perception/camera_source.hpp"
#include "sim/sim_world.hpp"
#include "sim/track.hpp"

namespace rcpilot::app {

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

}  // namespace rcpilot::app
