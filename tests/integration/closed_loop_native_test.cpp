// Closed loop in lockstep through the real motor protocol: the bundled model drives the default
// track with motor.driver native_sim, i.e. NativeLink over a real pty to the reference firmware
// core (arming, pulse limits, failsafe) whose pulse outputs steer the simulated car. The result
// must match the in-process link's.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "perception/model_loader.hpp"
#include "perception/pilot.hpp"
#include "sim/track.hpp"
#include "sim/lockstep.hpp"

namespace rcpilot::sim {
namespace {

struct ClosedLoopNative : ::testing::Test {
  config::Config cfg = config::load_config(RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml",
                                           {"motor.driver=native_sim"});
  Track track = load_track(config::resolve_path(cfg, cfg.sim.track));
  std::unique_ptr<perception::Pilot> pilot = make_pilot();

  std::unique_ptr<perception::Pilot> make_pilot() {
    auto model = perception::load_model(cfg.model, cfg.base_dir);
    return std::make_unique<perception::Pilot>(std::move(model.engine), std::move(model.metadata));
  }
  LockstepResult drive(const config::Config& c, int laps) {
    ManualClock clock{TimePoint{} + std::chrono::seconds(1)};
    SimWorld world(c.sim, c.camera, track, clock.now());
    LockstepOptions opt;
    opt.laps = laps;
    opt.max_sim_s = 400;
    return run_lockstep(
        c, world, clock,
        [this](const perception::Frame& f, const Clock& k) { return pilot->infer(f, k); }, opt);
  }
};

TEST_F(ClosedLoopNative, bundled_model_drives_three_laps_through_the_firmware_over_a_pty) {
  ASSERT_EQ(cfg.motor.driver, config::MotorDriver::kNativeSim);
  const auto r = drive(cfg, 3);
  EXPECT_EQ(r.laps, 3);
  EXPECT_EQ(r.off_track_events, 0);
  EXPECT_LT(r.mean_abs_cte_m, track.road_width_m() / 4) << "max |cte| " << r.max_abs_cte_m;
  EXPECT_EQ(r.neutral_ticks, 0u);
}

TEST_F(ClosedLoopNative, matches_the_in_process_link_lap_for_lap) {
  const auto native = drive(cfg, 1);
  config::Config in_process = cfg;
  in_process.motor.driver = config::MotorDriver::kSim;
  const auto direct = drive(in_process, 1);
  EXPECT_EQ(native.laps, direct.laps);
  // Pulses are whole microseconds (steering resolution 1/500), so the paths differ slightly.
  EXPECT_NEAR(native.mean_abs_cte_m, direct.mean_abs_cte_m, 0.01);
  EXPECT_NEAR(native.sim_s, direct.sim_s, 0.02 * direct.sim_s);
}

TEST_F(ClosedLoopNative, two_runs_through_the_pty_are_identical) {
  const auto first = drive(cfg, 1);
  const auto second = drive(cfg, 1);
  EXPECT_EQ(first.ticks, second.ticks);
  EXPECT_EQ(first.mean_abs_cte_m, second.mean_abs_cte_m);
  EXPECT_EQ(first.max_abs_cte_m, second.max_abs_cte_m);
  EXPECT_EQ(first.distance_m, second.distance_m);
}

}  // namespace
}  // namespace rcpilot::sim
