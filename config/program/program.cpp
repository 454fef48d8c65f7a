#include "config/program.hpp"

#include <cstdio>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"

namespace rcpilot::app {

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
