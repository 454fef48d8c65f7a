#include "sim/eval_suite.hpp"

#include <cstdio>
#include <stdexcept>

#include "sim/track_generator.hpp"

namespace rcpilot::sim {
namespace {

constexpr int kEvalTracks = 3;
constexpr double kWidthsM[] = {0.6, 0.8, 1.2};
constexpr double kPitchOffsetsDeg[] = {-4.0, 0.0, 4.0};
// The generated layouts leave room for the widest road, so one layout serves every width.
constexpr double kLayoutWidthM = 1.2;
constexpr double kMaxSimSPerLap = 120.0;  // simulated s per lap before a run gives up

std::string condition_name(unsigned seed, double width_m, double pitch_deg) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "eval%u-w%.1f-p%+.0f", seed, width_m, pitch_deg);
  return buf;
}

}  // namespace

std::vector<SuiteCondition> default_suite() {
  std::vector<SuiteCondition> suite;
  for (int t = 0; t < kEvalTracks; ++t) {
    const unsigned seed = kFirstEvalTrackSeed + static_cast<unsigned>(t);
    for (const double width_m : kWidthsM) {
      for (const double pitch_deg : kPitchOffsetsDeg) {
        suite.push_back({condition_name(seed, width_m, pitch_deg), seed, width_m, pitch_deg});
      }
    }
  }
  return suite;
}

std::vector<SuiteCondition> select_conditions(const std::vector<SuiteCondition>& all,
                                              const std::string& only) {
  std::vector<SuiteCondition> chosen;
  for (const SuiteCondition& c : all) {
    if (c.name.find(only) != std::string::npos) chosen.push_back(c);
  }
  if (chosen.empty()) {
    throw std::invalid_argument("--only " + only + " matches no suite condition (names look like " +
                                all.front().name + ")");
  }
  return chosen;
}

config::Config condition_config(const config::Config& base, const SuiteCondition& condition) {
  config::Config cfg = base;
  cfg.sim = with_all_effects(base.sim);
  cfg.sim.seed = condition.track_seed;
  cfg.sim.mount_pitch_offset_deg = condition.pitch_offset_deg;
  cfg.sim.road_width_m = condition.road_width_m;
  return cfg;
}

Track condition_track(const SuiteCondition& condition) {
  TrackGenOptions gen;
  gen.seed = condition.track_seed;
  gen.min_width_m = kLayoutWidthM;
  gen.max_width_m = kLayoutWidthM;
  gen.name = "eval" + std::to_string(condition.track_seed);
  TrackSpec spec = generate_track(gen);
  spec.road_width_m = condition.road_width_m;
  return Track(std::move(spec));
}

LockstepResult drive_laps(const config::Config& cfg, const Track& track, int laps,
                          perception::Pilot* pilot) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(1));
  SimWorld world(cfg.sim, cfg.camera, track, clock.now());
  LockstepOptions opt;
  opt.laps = laps;
  opt.max_sim_s = kMaxSimSPerLap * laps;
  if (pilot == nullptr) {
    opt.render_frames = false;  // the expert reads the car's pose, not the pixels
    return run_lockstep(cfg, world, clock, expert_driver(world), opt);
  }
  auto model = [pilot](const perception::Frame& f, const Clock& c) { return pilot->infer(f, c); };
  return run_lockstep(cfg, world, clock, model, opt);
}

ConditionResult run_condition(const config::Config& base, const SuiteCondition& condition, int laps,
                              perception::Pilot* pilot) {
  const config::Config cfg = condition_config(base, condition);
  const Track track = condition_track(condition);
  ConditionResult r;
  r.condition = condition;
  r.track_length_m = track.length_m();
  r.expert = drive_laps(cfg, track, laps, nullptr);
  // Driven even when it is the expert again: its ratio to itself must come out 1.
  r.driver = drive_laps(cfg, track, laps, pilot);
  return r;
}

}  // namespace rcpilot::sim
