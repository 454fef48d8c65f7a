#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "sim/sim_world.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

using std::chrono::milliseconds;

SimWorld make_world(const Track& track = test::default_track()) {
  return SimWorld(test::sim_config(), test::camera_config(), track, TimePoint{});
}

// Drives the expert at the control rate for `seconds` of simulated time.
void drive_expert(SimWorld& world, TimePoint& now, double seconds) {
  const auto tick = milliseconds(20);
  for (int i = 0; i < static_cast<int>(seconds / 0.02); ++i) {
    const ExpertCommand cmd = world.expert_command();
    world.set_command(cmd.steering_norm, cmd.throttle_norm, now);
    now += tick;
  }
  world.advance_to(now);
}

TEST(SimWorld, the_expert_drives_three_laps_of_the_default_track_without_leaving_it) {
  SimWorld world = make_world();
  TimePoint now{};
  for (int guard = 0; guard < 200 && world.progress().laps < 3; ++guard) {
    drive_expert(world, now, 1.0);
  }
  const Progress p = world.progress();
  EXPECT_EQ(p.laps, 3);
  EXPECT_EQ(p.off_track_events, 0);
  EXPECT_LT(p.mean_abs_cte_m, world.track().road_width_m() / 8);
  EXPECT_LT(p.max_abs_cte_m, world.track().road_width_m() / 2);
  EXPECT_GT(p.distance_m, 3 * world.track().length_m() - 0.5);
  RecordProperty("mean_abs_cte_m", std::to_string(p.mean_abs_cte_m));
  RecordProperty("max_abs_cte_m", std::to_string(p.max_abs_cte_m));
}

TEST(SimWorld, the_expert_recovers_from_an_off_centre_off_heading_start) {
  SimWorld world = make_world();
  world.reset_pose(2.0, 0.24, 0.35, 1.0);
  TimePoint now{};
  drive_expert(world, now, 4.0);
  EXPECT_EQ(world.progress().off_track_events, 0);
  EXPECT_LT(std::fabs(world.progress().cte_m), 0.05);
}

TEST(SimWorld, reversing_back_and_forth_over_the_start_line_counts_no_lap) {
  SimWorld world = make_world();
  TimePoint now{};
  for (int i = 0; i < 6; ++i) {
    world.set_command(0.0, (i % 2 == 0) ? -0.3 : 0.3, now);
    now += milliseconds(1500);
  }
  world.advance_to(now);
  EXPECT_EQ(world.progress().laps, 0);
  EXPECT_GT(world.progress().distance_m, 4.0);
}

TEST(SimWorld, off_track_events_count_transitions_only) {
  SimWorld world = make_world();
  world.reset_pose(1.0, 0.6, 0.0, 0.0);
  world.reset_pose(1.0, 0.7, 0.0, 0.0);
  world.reset_pose(1.0, 0.0, 0.0, 0.0);
  world.reset_pose(1.0, -0.5, 0.0, 0.0);
  EXPECT_EQ(world.progress().off_track_events, 2);
  EXPECT_FALSE(world.progress().on_track);
}

// Holds the car's speed (1 m/s) with the wheels straight for `seconds` of simulated time.
void drive_straight(SimWorld& world, TimePoint& now, double seconds) {
  world.set_command(0.0, 1.0 / test::sim_config().max_speed_mps, now);
  now += seconds_to_duration(seconds);
  world.advance_to(now);
}

TEST(SimWorld, time_off_the_road_and_the_signed_bias_add_up_along_the_path_driven) {
  SimWorld world = make_world();  // the default track starts with a 5 m straight
  TimePoint now{};
  world.reset_pose(0.5, 0.3, 0.0, 1.0);  // 0.3 m left: on the 0.8 m road
  drive_straight(world, now, 1.0);
  EXPECT_DOUBLE_EQ(world.progress().off_track_s, 0.0);
  EXPECT_NEAR(world.progress().mean_cte_m, 0.3, 1e-3);
  world.reset_pose(2.0, -0.5, 0.0, 1.0);  // 0.5 m right: off the road
  drive_straight(world, now, 1.0);
  const Progress p = world.progress();
  EXPECT_EQ(p.off_track_events, 1);
  EXPECT_NEAR(p.off_track_s, 1.0, 0.01);
  EXPECT_NEAR(p.mean_cte_m, (0.3 - 0.5) / 2, 0.01);  // equal distances either side
  EXPECT_NEAR(p.mean_abs_cte_m, (0.3 + 0.5) / 2, 0.01);
}

TEST(SimWorld, lap_times_count_from_the_start_and_the_best_is_the_flying_lap) {
  SimWorld world = make_world();
  TimePoint now{};
  for (int guard = 0; guard < 200 && world.progress().laps < 2; ++guard) {
    drive_expert(world, now, 1.0);
  }
  const Progress p = world.progress();
  ASSERT_EQ(p.laps, 2);
  EXPECT_LE(p.laps_end_s, std::chrono::duration<double>(now - TimePoint{}).count());
  // The first lap starts from a standstill, so the second is the faster.
  EXPECT_LT(p.best_lap_s, p.laps_end_s / 2);
  EXPECT_GT(p.best_lap_s, world.track().length_m() / test::sim_config().max_speed_mps);
}

TEST(SimWorld, commands_apply_from_the_time_they_are_set) {
  SimWorld world = make_world();
  world.set_command(0.0, 0.5, TimePoint{});
  world.set_command(0.0, 0.0, TimePoint{} + milliseconds(1000));
  const double x_after_drive = world.car().x_m;
  EXPECT_GT(x_after_drive, 1.0);
  world.advance_to(TimePoint{} + milliseconds(500));  // the past: no-op
  EXPECT_DOUBLE_EQ(world.car().x_m, x_after_drive);
}

TEST(SimWorld, stepping_is_deterministic_regardless_of_the_call_pattern) {
  SimWorld a = make_world(), b = make_world();
  a.set_command(0.2, 0.4, TimePoint{});
  b.set_command(0.2, 0.4, TimePoint{});
  a.advance_to(TimePoint{} + milliseconds(2000));
  for (int i = 1; i <= 2000; i += 7) b.advance_to(TimePoint{} + milliseconds(i));
  b.advance_to(TimePoint{} + milliseconds(2000));
  EXPECT_DOUBLE_EQ(a.car().x_m, b.car().x_m);
  EXPECT_DOUBLE_EQ(a.car().yaw_rad, b.car().yaw_rad);
}

}  // namespace
}  // namespace rcpilot::sim
