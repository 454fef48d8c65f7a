#pragma once
// What every rcpilot program shares around its config: exit codes, loading --config/--set with
// a one-line report, and the log format.
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace rcpilot::app {

// Exit codes shared by rcpilot and its tools.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // failed while running
inline constexpr int kExitConfigError = 2;   // bad command line or config: nothing started
inline constexpr int kExitStartupError = 3;  // model, device or self-test failed: nothing moved

// Loads --config/--set for `program`; on a ConfigError prints "<program>: config error: ..."
// to stderr and returns nullopt (the caller exits with kExitConfigError, nothing started).
std::optional<config::Config> load_config_or_report(const char* program, const std::string& path,
                                                    const std::vector<std::string>& overrides);
// "" when `text` is a valid --duration: a plain number of seconds, finite, 0 .. 1e7 (0: run until
// SIGINT/SIGTERM); otherwise a sentence saying what is wrong and what to pass (the caller names
// the option). Any command-line parser can call it before converting the value.
std::string duration_problem(const std::string& text);
// Logs to stderr: colours only on a terminal; `level` as in log.level.
void setup_logging(const std::string& level);

}  // namespace rcpilot::app
