#pragma once
// Loading, printing and documenting rcpilot's YAML configuration (schema in config/schema.hpp).
#include <stdexcept>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace rcpilot::config {

// A configuration the node must not start with; what() names file:line:column (or the --set
// argument), the key path and what to do. The node exits with code 2 on it.
class ConfigError : public std::runtime_error {
  using runtime_error::runtime_error;
};

// Loads `path` (or, when path is empty, the embedded sim profile), applies `overrides`
// ("section.key=value", value parsed as a YAML scalar), validates everything, resolves nothing.
// Throws ConfigError with a message that names file:line:column, the key path and what to do.
Config load_config(const std::string& path, const std::vector<std::string>& overrides);

// `base` with `assignments` ("section.key=value") applied and every range and cross-key rule
// checked again, as load_config does for --set; `via` names their origin in errors ("--set",
// "set"). Throws ConfigError; `base` is never changed.
Config with_overrides(const Config& base, const std::vector<std::string>& assignments,
                      const std::string& via);

// The effective config as YAML (every key, comments with unit), loadable again by load_config.
std::string to_yaml(const Config& cfg);

// Markdown reference of every key (section tables: key, type, default, unit, range, doc).
std::string reference_markdown();

// `relative` resolved against cfg.base_dir when not absolute (for model.path, sim.track, ...);
// an empty string stays empty (it means "not set").
std::string resolve_path(const Config& cfg, const std::string& relative);

}  // namespace rcpilot::config
