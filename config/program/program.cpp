#include "config/program.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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

std::string duration_problem(const std::string& text) {
  constexpr double kMaxDurationS = 1e7;  // s, about 115 days: longer is a typo
  const std::string fix =
      "; pass a number of seconds 0 .. 1e7, e.g. --duration 30 (0: run until "
      "SIGINT/SIGTERM)";
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(begin, &end);
  const bool digits = text.find_first_of("0123456789") != std::string::npos &&
                      text.find_first_not_of("0123456789.eE+-") == std::string::npos;
  if (text.empty() || !digits || end != begin + text.size()) {
    return "`" + text + "` is not a number" + fix;
  }
  if (errno == ERANGE || !std::isfinite(value) || value < 0 || value > kMaxDurationS) {
    return text + " is out of range" + fix;
  }
  return "";
}

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("rcpilot");
  logger->set_pattern("%^[%H:%M:%S.%e %l]%$ %v");
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

}  // namespace rcpilot::app
