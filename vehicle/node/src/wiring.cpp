#include "wiring.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "config/loader.hpp"
#include "firmware_iface/link_factory.hpp"
#include "perception/camera_factory.hpp"
#include "sim/sim_board_link.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_motor_link.hpp"

namespace rcpilot::app {

std::unique_ptr<perception::CameraSource> make_camera(const config::Config& cfg,
                                                      sim::SimWorld* world, const Clock& clock) {
  if (cfg.camera.source == "sim") {
    if (world == nullptr) throw perception::CameraError("camera.source sim needs the simulator");
    return std::make_unique<sim::SimCamera>(*world, clock, cfg.camera.fps, /*realtime=*/true);
  }
  return perception::make_camera_source(cfg.camera, config::resolve_path(cfg, cfg.camera.path),
                                        clock);
}

sim::Track load_sim_track(const config::Config& cfg) {
  return sim::load_configured_track(cfg);
}

std::unique_ptr<fw::MotorLink> make_motor_link(const config::Config& cfg, sim::SimWorld* world,
                                               const Clock& clock) {
  const config::MotorConfig& m = cfg.motor;
  constexpr std::chrono::seconds kHandshake{2};
  std::unique_ptr<fw::MotorLink> link;
  if (m.driver == "sim" || m.driver == "native_sim") {
    if (world == nullptr) {
      throw std::invalid_argument("motor.driver " + m.driver + " needs the simulator");
    }
    if (m.driver == "sim") return std::make_unique<sim::SimMotorLink>(*world, clock);
    link = std::make_unique<sim::SimBoardLink>(m, *world, clock, /*threaded=*/true);
    if (!link->wait_ready(kHandshake)) {
      link->stop();
      throw std::runtime_error("the simulated board's pty: the native_sim board did not answer "
                               "within 2 s");
    }
  } else {
    link = fw::make_serial_link(m, clock, kHandshake);
  }
  spdlog::info("motor link: {}", link->describe());
  return link;
}

}  // namespace rcpilot::app
