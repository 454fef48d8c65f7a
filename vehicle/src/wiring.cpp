#include "wiring.hpp"

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "config/loader.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "perception/camera_factory.hpp"
#include "perception/model_loader.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_motor_link.hpp"
#include "vehicle/motor_links.hpp"

namespace rcpilot::app {

std::unique_ptr<perception::Pilot> make_pilot(const config::Config& cfg) {
  auto model = perception::load_model(cfg.model, cfg.base_dir);
  return std::make_unique<perception::Pilot>(std::move(model.engine), std::move(model.metadata));
}

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
  return sim::load_track(config::resolve_path(cfg, cfg.sim.track));
}

std::unique_ptr<fw::MotorLink> make_motor_link(const config::Config& cfg, sim::SimWorld* world,
                                               const Clock& clock) {
  const config::MotorConfig& m = cfg.motor;
  if (m.driver == "sim" || m.driver == "native_sim") {
    if (world == nullptr) {
      throw std::invalid_argument("motor.driver " + m.driver + " needs the simulator");
    }
    if (m.driver == "sim") return std::make_unique<sim::SimMotorLink>(*world, clock);
  }
  std::unique_ptr<fw::MotorLink> link;
  if (m.driver == "native_sim") {
    link = std::make_unique<vehicle::SimBoardLink>(m, *world, clock, /*threaded=*/true);
  } else {
    auto port = std::make_unique<fw::SerialTransport>(m.device, m.baud);
    if (m.driver == "native") {
      link =
          std::make_unique<fw::NativeLink>(std::move(port), clock, vehicle::native_link_config(m));
    } else if (m.driver == "mm1") {
      link = std::make_unique<fw::Mm1Link>(std::move(port), clock, vehicle::mm1_link_config(m));
    } else {
      link = std::make_unique<fw::VescLink>(std::move(port), clock, vehicle::vesc_link_config(m));
    }
  }
  if (!vehicle::wait_motor_link(*link, std::chrono::seconds(2))) {
    link->stop();
    const std::string where =
        m.driver == "native_sim" ? "the simulated board's pty" : "motor.device " + m.device;
    throw std::runtime_error(where + ": the " + m.driver +
                             " board did not answer within 2 s: check the cable, power, "
                             "motor.baud and motor.driver");
  }
  spdlog::info("motor link: {}", link->describe());
  return link;
}

std::optional<config::Config> load_config_or_report(const char* program, const std::string& path,
                                                    const std::vector<std::string>& overrides) {
  try {
    return config::load_config(path, overrides);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s: config error: %s\n", program, e.what());
    return std::nullopt;
  }
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("rcpilot");
  logger->set_pattern("%^[%H:%M:%S.%e %l]%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace rcpilot::app
