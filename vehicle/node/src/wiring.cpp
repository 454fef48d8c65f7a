#include "wiring.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "config/loader.hpp"
#include "firmware_iface/link_factory.hpp"
#include "perception/camera_factory.hpp"

namespace rcpilot::app {

std::unique_ptr<perception::CameraSource> make_camera(const config::Config& cfg,
                                                      sim_backend::SimulatedCar* car,
                                                      const Clock& clock) {
  if (cfg.camera.source == config::CameraSource::kSim) {
    if (car == nullptr) throw perception::CameraError("camera.source sim needs the simulator");
    return car->make_camera();
  }
  return perception::make_camera_source(cfg.camera, config::resolve_path(cfg, cfg.camera.path),
                                        clock);
}

std::unique_ptr<fw::MotorLink> make_motor_link(const config::Config& cfg,
                                               sim_backend::SimulatedCar* car, const Clock& clock) {
  std::unique_ptr<fw::MotorLink> link;
  if (config::is_simulated(cfg.motor.driver)) {
    if (car == nullptr) {
      throw std::invalid_argument("motor.driver " + std::string(to_string(cfg.motor.driver)) +
                                  " needs the simulator");
    }
    link = car->make_motor_link();
  } else {
    link = fw::make_serial_link(cfg.motor, clock, std::chrono::seconds(2));
  }
  spdlog::info("motor link: {}", link->describe());
  for (const auto& warning : link->warnings()) spdlog::warn("{}", warning);
  return link;
}

}  // namespace rcpilot::app
