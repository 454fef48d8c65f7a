#pragma once
// The evaluation suite (`rcpilot-sim evaluate --suite`): a fixed set of held-out conditions
// (generated tracks from seeds training never uses, three road widths, three camera pitches,
// every camera realism effect on), each driven in lockstep by the driver under test and by the
// expert, with the figures issue 20's goals are measured in (docs/simulator.md).
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "perception/pilot.hpp"
#include "sim/camera_effects.hpp"
#include "sim/lockstep.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {

// Track seeds reserved for evaluation: `generate-track` seeds 9000-9999 must never be used to
// record training data, so the suite's tracks stay unseen.
constexpr unsigned kFirstEvalTrackSeed = 9001;

struct SuiteCondition {
  std::string name;               // e.g. "eval9001-w0.8-p+0", what --only matches
  unsigned track_seed = 0;        // generate_track seed (also sim.seed: noise, shadows, ...)
  double road_width_m = 0.8;      // m, edge line to edge line
  double pitch_offset_deg = 0.0;  // deg, sim.mount_pitch_offset_deg (+ looks down)
};

// The documented default suite: 3 tracks x widths 0.6 / 0.8 / 1.2 m x pitch -4 / 0 / +4 deg.
std::vector<SuiteCondition> default_suite();

// The conditions whose name contains `only` (all when empty); throws std::invalid_argument
// naming --only when none does.
std::vector<SuiteCondition> select_conditions(const std::vector<SuiteCondition>& all,
                                              const std::string& only);

// `base` with every realism effect on (with_all_effects) and the condition's seed, width and
// pitch offset.
config::Config condition_config(const config::Config& base, const SuiteCondition& condition);

// The condition's generated track (one layout per seed, laid out for the widest road so every
// width fits) at the condition's road width.
Track condition_track(const SuiteCondition& condition);

// Drives `laps` laps in lockstep from the start line: `pilot` on the camera frames, or the
// expert on the car's pose when `pilot` is null. Gives up after 120 simulated s per lap.
LockstepResult drive_laps(const config::Config& cfg, const Track& track, int laps,
                          perception::Pilot* pilot);

struct ConditionResult {
  SuiteCondition condition;
  double track_length_m = 0.0;
  LockstepResult driver;  // the driver under test (the model, or the expert with --expert-only)
  LockstepResult expert;  // the expert on the same condition, the yardstick
};

// Runs one condition: the driver under test (`pilot`, or the expert when null) and the expert.
ConditionResult run_condition(const config::Config& base, const SuiteCondition& condition, int laps,
                              perception::Pilot* pilot);

}  // namespace rcpilot::sim
