// Closed loop in lockstep: the bundled model drives the default track like the expert would.
#include <gtest/gtest.h>

#include "config/loader.hpp"
#include "perception/model_loader.hpp"
#include "perception/pilot.hpp"
#include "sim/track.hpp"
#include "vehicle/lockstep.hpp"

namespace rcpilot::vehicle {
namespace {

TEST(ClosedLoop, bundled_model_drives_three_laps_without_leaving_the_road) {
  const auto cfg = config::load_config(RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml", {});
  auto model = perception::load_model(cfg.model, cfg.base_dir);
  perception::Pilot pilot(std::move(model.engine), std::move(model.metadata));
  const sim::Track track = sim::load_track(config::resolve_path(cfg, cfg.sim.track));
  ManualClock clock(TimePoint{} + std::chrono::seconds(1));
  sim::SimWorld world(cfg.sim, cfg.camera, track, clock.now());
  LockstepOptions opt;
  opt.laps = 3;
  opt.max_sim_s = 400;
  const auto r = run_lockstep(
      cfg, world, clock,
      [&](const perception::Frame& f, const Clock& c) { return pilot.infer(f, c); }, opt);
  EXPECT_EQ(r.laps, 3);
  EXPECT_EQ(r.off_track_events, 0);
  EXPECT_LT(r.mean_abs_cte_m, track.road_width_m() / 4) << "max |cte| " << r.max_abs_cte_m;
  EXPECT_EQ(r.neutral_ticks, 0u) << "the supervisor should never have to intervene";
}

}  // namespace
}  // namespace rcpilot::vehicle
