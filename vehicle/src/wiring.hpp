#pragma once
// Choosing concrete implementations from the config: used only by the executables' mains.
#include <memory>
#include <string>

#include "config/config.hpp"
#include "perception/pilot.hpp"
#include "sim/track.hpp"

namespace rcpilot::app {

// Exit codes shared by rcpilot and rcpilot-sim.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntimeError = 1;  // failed while running
inline constexpr int kExitConfigError = 2;   // bad command line or config: nothing started
inline constexpr int kExitStartupError = 3;  // model, device or self-test failed: nothing moved

// Loads model.path with its metadata and builds the pilot (ModelError when anything is off).
std::unique_ptr<perception::Pilot> make_pilot(const config::Config& cfg);
// Loads sim.track (relative to the config file).
sim::Track load_sim_track(const config::Config& cfg);
// Logs to stderr: colours only on a terminal; `level` as in log.level.
void setup_logging(const std::string& level);

}  // namespace rcpilot::app
