#pragma once
// Choosing the camera and the motor link from the config: real ones, or the simulated car's
// (only when the config asks for it; see sim_backend/simulated_car.hpp).
#include <memory>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "firmware_iface/motor_link.hpp"
#include "perception/camera_source.hpp"
#include "sim_backend/simulated_car.hpp"

namespace rcpilot::app {

// The camera camera.source names: sim films `car` (required for it); video, images and tub
// replay camera.path; v4l2, csi and gstreamer open a GStreamer pipeline. Throws
// perception::CameraError naming the key, device or file and what to do.
std::unique_ptr<perception::CameraSource> make_camera(const config::Config& cfg,
                                                      sim_backend::SimulatedCar* car,
                                                      const Clock& clock);
// The motor link motor.driver names: sim and native_sim drive `car` (required for them);
// native, mm1 and vesc open motor.device and wait up to 2 s for the board's handshake. Throws
// std::runtime_error naming motor.device when it does not answer or cannot be opened.
std::unique_ptr<fw::MotorLink> make_motor_link(const config::Config& cfg,
                                               sim_backend::SimulatedCar* car, const Clock& clock);

}  // namespace rcpilot::app
