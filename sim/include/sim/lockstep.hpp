#pragma once
// Deterministic closed loop on one thread and a simulated clock: render, infer, control, step
// the car. Runs the node's own components (SimCamera, the pilot, ControlCore, and the motor
// link motor.driver names: SimMotorLink for sim, the native protocol over a pty to the
// firmware core for native_sim), for reproducible closed-loop tests and fast evaluation.
#include <cstdint>
#include <functional>

#include "common/clock.hpp"
#include "common/stats.hpp"
#include "config/config.hpp"
#include "perception/types.hpp"
#include "sim/sim_world.hpp"

namespace rcpilot::sim {

// Turns a frame into a prediction (the pilot, or the expert for comparison).
using FrameDriver = std::function<perception::Prediction(const perception::Frame&, const Clock&)>;

struct LockstepOptions {
  int laps = 3;                 // stop after this many laps
  double max_sim_s = 600.0;     // s of simulated time before giving up
  bool stop_off_track = false;  // end the run at the first off-track event
  bool render_frames = true;    // false: the driver reads no pixels (the expert), so frames
                                // are stamped at their instant but not rendered
};

struct LockstepResult {
  int laps = 0;                     // laps completed
  double mean_abs_cte_m = 0.0;      // mean |cross-track error|, m
  double max_abs_cte_m = 0.0;       // max |cross-track error|, m
  double mean_cte_m = 0.0;          // mean signed cross-track error (bias), m, + left
  int off_track_events = 0;         // times the car left the road
  double off_track_s = 0.0;         // simulated s spent off the road
  double mean_lap_s = 0.0;          // simulated s per lap (the first from a standstill); 0: no lap
  double best_lap_s = 0.0;          // shortest lap, simulated s; 0: no lap
  double sim_s = 0.0;               // simulated seconds driven
  double distance_m = 0.0;          // path driven
  std::uint64_t ticks = 0;          // control ticks
  std::uint64_t neutral_ticks = 0;  // ticks the supervisor forced neutral
  Percentiles driver_ms;            // wall-clock ms per driver call (render excluded)
};

// Drives `world` (created at clock.now()) until `options.laps` laps or max_sim_s. The clock
// advances by one control period per tick; a frame is taken every 1 / camera.fps.
LockstepResult run_lockstep(const config::Config& cfg, SimWorld& world, ManualClock& clock,
                            const FrameDriver& driver, const LockstepOptions& options);

// A FrameDriver that asks the simulator's expert (ignores the pixels).
FrameDriver expert_driver(const SimWorld& world);

}  // namespace rcpilot::sim
