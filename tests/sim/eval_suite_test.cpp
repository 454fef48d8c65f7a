// The evaluation suite's conditions and its arithmetic: held-out tracks at every width and
// pitch, runs combined into the overall figures, ratios and goals (including a run that left
// the road, recorded by the simulator itself).
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "sim/eval_report.hpp"
#include "sim/eval_suite.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

LockstepResult run_of(int laps, double mean_abs_cte_m, double mean_lap_s, double distance_m) {
  LockstepResult r;
  r.laps = laps;
  r.mean_abs_cte_m = mean_abs_cte_m;
  r.max_abs_cte_m = 2 * mean_abs_cte_m;
  r.mean_lap_s = mean_lap_s;
  r.best_lap_s = mean_lap_s;
  r.distance_m = distance_m;
  r.sim_s = mean_lap_s * laps;
  return r;
}

TEST(EvalSuite, the_default_suite_crosses_three_held_out_tracks_widths_and_pitches) {
  const auto suite = default_suite();
  ASSERT_EQ(suite.size(), 27u);
  std::set<std::string> names;
  std::set<unsigned> seeds;
  std::set<double> widths, pitches;
  for (const SuiteCondition& c : suite) {
    names.insert(c.name);
    seeds.insert(c.track_seed);
    widths.insert(c.road_width_m);
    pitches.insert(c.pitch_offset_deg);
  }
  EXPECT_EQ(names.size(), suite.size());
  EXPECT_EQ(seeds, (std::set<unsigned>{9001, 9002, 9003}));
  EXPECT_EQ(widths, (std::set<double>{0.6, 0.8, 1.2}));
  EXPECT_EQ(pitches, (std::set<double>{-4.0, 0.0, 4.0}));
  EXPECT_EQ(suite.front().name, "eval9001-w0.6-p-4");
}

TEST(EvalSuite, only_selects_by_name_and_refuses_a_filter_that_matches_nothing) {
  EXPECT_EQ(select_conditions(default_suite(), "w0.8-p+0").size(), 3u);
  EXPECT_EQ(select_conditions(default_suite(), "").size(), 27u);
  try {
    select_conditions(default_suite(), "w9.9");
    ADD_FAILURE() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("--only w9.9"), std::string::npos) << e.what();
  }
}

TEST(EvalSuite, a_condition_keeps_its_layout_at_every_width_and_turns_every_effect_on) {
  const auto suite = select_conditions(default_suite(), "eval9002-");
  const Track narrow = condition_track(suite.front()), wide = condition_track(suite.back());
  EXPECT_DOUBLE_EQ(narrow.length_m(), wide.length_m());
  EXPECT_DOUBLE_EQ(narrow.road_width_m(), 0.6);
  EXPECT_DOUBLE_EQ(wide.road_width_m(), 1.2);
  const config::Config cfg = condition_config(config::Config{}, suite.back());
  EXPECT_EQ(cfg.sim.seed, 9002u);
  EXPECT_DOUBLE_EQ(cfg.sim.mount_pitch_offset_deg, 4.0);
  EXPECT_EQ(cfg.sim.lens, "wide160");
  EXPECT_TRUE(cfg.sim.auto_exposure);
  EXPECT_GT(cfg.sim.noise_std * cfg.sim.exposure_ms * cfg.sim.latency_ms * cfg.sim.shadows *
                cfg.sim.distractors * cfg.sim.accel_pitch_deg_per_mps2,
            0.0);
}

TEST(EvalSuite, combined_runs_weight_the_error_by_distance_and_the_lap_time_by_laps) {
  const LockstepResult all = combine_runs({run_of(1, 0.01, 30, 30), run_of(3, 0.03, 10, 10)});
  EXPECT_EQ(all.laps, 4);
  EXPECT_NEAR(all.mean_abs_cte_m, (0.01 * 30 + 0.03 * 10) / 40, 1e-12);
  EXPECT_DOUBLE_EQ(all.max_abs_cte_m, 0.06);
  EXPECT_NEAR(all.mean_lap_s, (30.0 + 3 * 10) / 4, 1e-12);
  EXPECT_DOUBLE_EQ(all.best_lap_s, 10);
}

TEST(EvalSuite, a_ratio_without_a_lap_is_missing_and_misses_the_goals) {
  ConditionResult r;
  r.expert = run_of(1, 0.01, 30, 30);
  r.driver = run_of(1, 0.019, 32, 30);
  EXPECT_TRUE(meets_goals(r));
  r.driver = run_of(0, 0.01, 0, 30);
  EXPECT_TRUE(std::isnan(ratio(r.driver.mean_lap_s, r.expert.mean_lap_s)));
  EXPECT_FALSE(meets_goals(r));
  const nlohmann::json j = suite_json({r}, "model", 1);
  EXPECT_TRUE(j["conditions"][0]["ratio"]["mean_lap_s"].is_null());
  EXPECT_TRUE(j["conditions"][0]["driver"]["mean_lap_s"].is_null());
  EXPECT_FALSE(j["overall"]["goals"]["lap_time_within_10pct"].get<bool>());
}

// A real run off the road: the car, pointed off the 0.8 m road, drives straight over its edge.
TEST(EvalSuite, a_run_that_leaves_the_road_is_counted_and_misses_the_off_track_goal) {
  config::Config cfg;
  cfg.sim = test::sim_config();
  SimWorld world(cfg.sim, cfg.camera, test::default_track(), TimePoint{});
  world.reset_pose(0.5, 0.0, 0.5, 1.0);  // 29 deg to the left of the road
  world.set_command(0.0, 0.25, TimePoint{});
  world.advance_to(TimePoint{} + seconds_to_duration(2.0));
  const Progress p = world.progress();
  ConditionResult r;
  r.expert = run_of(1, 0.01, 30, 30);
  r.driver = run_of(1, p.mean_abs_cte_m, 30, p.distance_m);
  r.driver.off_track_events = p.off_track_events;
  r.driver.off_track_s = p.off_track_s;
  EXPECT_EQ(r.driver.off_track_events, 1);
  EXPECT_GT(r.driver.off_track_s, 1.0);
  EXPECT_FALSE(meets_goals(r));
  const nlohmann::json j = suite_json({r}, "model", 1);
  EXPECT_EQ(j["overall"]["driver"]["off_track_events"].get<int>(), 1);
  EXPECT_FALSE(j["overall"]["goals"]["no_off_track"].get<bool>());
}

}  // namespace
}  // namespace rcpilot::sim
