// Closed loop in lockstep: the bundled model drives the simulated car like the expert would,
// and recovers when it starts off the racing line; the bundled categorical model drives the
// same laps.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "config/loader.hpp"
#include "perception/model_loader.hpp"
#include "perception/onednn_engine.hpp"
#include "perception/pilot.hpp"
#include "sim/lockstep.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {
namespace {

// Each inference backend this build has drives: OpenCV DNN always, oneDNN where built.
struct ClosedLoop : ::testing::TestWithParam<std::string> {
  config::Config cfg = config::load_config(RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml", {});
  Track track = load_track(config::resolve_path(cfg, cfg.sim.track));
  std::unique_ptr<perception::Pilot> pilot;
  ManualClock clock{TimePoint{} + std::chrono::seconds(1)};

  void SetUp() override {
    if (!model_path().empty()) cfg.model.path = model_path();
    pilot = make_pilot();
  }
  // The model to drive, relative to the sim profile; empty: the profile's (models/linear.onnx).
  virtual std::string model_path() const { return ""; }

  std::unique_ptr<perception::Pilot> make_pilot() {
    cfg.model.backend = "opencv";
    auto model = perception::load_model(cfg.model, cfg.base_dir);
#ifdef RCPILOT_ONEDNN_PLUGIN
    // onednn_auto: bf16 where the CPU computes it (the sim profile's choice), else fp32.
    if (GetParam() == "onednn_fp32" || GetParam() == "onednn_auto") {
      const perception::OneDnnOptions options{
          cfg.model.threads, GetParam() == "onednn_fp32" ? perception::OneDnnPrecision::kFp32
                                                         : perception::OneDnnPrecision::kAuto};
      model.engine = perception::load_onednn_plugin(RCPILOT_ONEDNN_PLUGIN)(model.model_path,
                                                                           model.metadata, options);
    }
#endif
    return std::make_unique<perception::Pilot>(std::move(model.engine), std::move(model.metadata));
  }
  FrameDriver model_driver() {
    return [this](const perception::Frame& f, const Clock& c) { return pilot->infer(f, c); };
  }

  // Three laps from the start line: no off-track, centred, the supervisor never steps in.
  void expect_three_clean_laps() {
    SimWorld world(cfg.sim, cfg.camera, track, clock.now());
    LockstepOptions opt;
    opt.laps = 3;
    opt.max_sim_s = 400;
    const auto r = run_lockstep(cfg, world, clock, model_driver(), opt);
    EXPECT_EQ(r.laps, 3);
    EXPECT_EQ(r.off_track_events, 0);
    // The road is the car's lane (it drives centred on the centre line): a quarter of it.
    EXPECT_LT(r.mean_abs_cte_m, track.road_width_m() / 4) << "max |cte| " << r.max_abs_cte_m;
    EXPECT_EQ(r.neutral_ticks, 0u) << "the supervisor should never have to intervene";
    // The figures docs/models.md compares between the models (simulated time, not wall time).
    std::cout << cfg.model.path << " " << GetParam() << ": " << r.laps << " laps, mean |cte| "
              << r.mean_abs_cte_m << " m, max |cte| " << r.max_abs_cte_m << " m, "
              << (r.laps > 0 ? r.sim_s / r.laps : 0.0) << " s per lap\n";
  }
};

// Donkey's categorical model (bin scores, decoded in output_decoder.hpp), same laps.
struct ClosedLoopCategorical : ClosedLoop {
  std::string model_path() const override { return "../../models/categorical.onnx"; }
};

TEST_P(ClosedLoop, bundled_model_drives_three_laps_without_leaving_the_road) {
  expect_three_clean_laps();
}

TEST_P(ClosedLoopCategorical,
       bundled_categorical_model_drives_three_laps_without_leaving_the_road) {
  expect_three_clean_laps();
}

TEST_P(ClosedLoop, bundled_model_recovers_from_an_off_centre_off_heading_start) {
  SimWorld world(cfg.sim, cfg.camera, track, clock.now());
  // 60% of the way to the road edge, pointing a further 15 degrees outwards, on a straight.
  const double offset_m = 0.6 * track.road_width_m() / 2;
  world.reset_pose(1.0, offset_m, 15.0 * M_PI / 180.0, 1.0);
  LockstepOptions opt;
  opt.laps = 1;
  opt.max_sim_s = 60;
  const auto r = run_lockstep(cfg, world, clock, model_driver(), opt);
  EXPECT_EQ(r.laps, 1);
  EXPECT_EQ(r.off_track_events, 0);
  EXPECT_LT(std::abs(world.progress().cte_m), 0.1) << "back near the centre line after a lap";
}

#ifdef RCPILOT_ONEDNN_PLUGIN
INSTANTIATE_TEST_SUITE_P(Backends, ClosedLoop,
                         ::testing::Values("opencv", "onednn_fp32", "onednn_auto"));
INSTANTIATE_TEST_SUITE_P(Backends, ClosedLoopCategorical,
                         ::testing::Values("opencv", "onednn_fp32", "onednn_auto"));
#else
INSTANTIATE_TEST_SUITE_P(Backends, ClosedLoop, ::testing::Values("opencv"));
INSTANTIATE_TEST_SUITE_P(Backends, ClosedLoopCategorical, ::testing::Values("opencv"));
#endif

}  // namespace
}  // namespace rcpilot::sim
