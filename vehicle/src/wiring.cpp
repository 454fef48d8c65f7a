#include "wiring.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "perception/model_loader.hpp"

namespace rcpilot::app {

std::unique_ptr<perception::Pilot> make_pilot(const config::Config& cfg) {
  auto model = perception::load_model(cfg.model, cfg.base_dir);
  return std::make_unique<perception::Pilot>(std::move(model.engine), std::move(model.metadata));
}

sim::Track load_sim_track(const config::Config& cfg) {
  return sim::load_track(config::resolve_path(cfg, cfg.sim.track));
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("rcpilot");
  logger->set_pattern("%^[%H:%M:%S.%e %l]%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace rcpilot::app
