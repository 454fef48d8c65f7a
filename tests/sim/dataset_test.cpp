#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sim/dataset.hpp"
#include "sim/expert.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

struct Record {
  float steering;
  float throttle;
  double s_m;
  double cte_m;
  double heading_error_rad;
  double pixel_sum;
  bool reversed;
};

std::vector<Record> generate(unsigned seed, std::size_t n) {
  DatasetOptions opt;
  opt.samples = n;
  opt.seed = seed;
  opt.episode_s = 5.0;
  opt.texture_every_episodes = 2;
  std::vector<Record> out;
  generate_dataset(test::sim_config(), test::camera_config(), test::default_track(), opt,
                   [&](const Sample& s) {
                     out.push_back({s.steering_norm, s.throttle_norm, s.s_m, s.cte_m,
                                    s.heading_error_rad, cv::sum(s.bgr)[0], s.reversed});
                   });
  return out;
}

TEST(Dataset, the_same_seed_gives_the_same_records_and_another_seed_does_not) {
  const auto a = generate(3, 150), b = generate(3, 150), c = generate(4, 150);
  ASSERT_EQ(a.size(), 150u);
  ASSERT_EQ(b.size(), 150u);
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].steering, b[i].steering);
    EXPECT_EQ(a[i].pixel_sum, b[i].pixel_sum);
    differs |= a[i].steering != c[i].steering;
  }
  EXPECT_TRUE(differs);
}

TEST(Dataset, labels_are_the_experts_command_at_the_pose) {
  const Track forward = test::default_track();
  const Track reversed = forward.reversed();
  const Expert expert_forward(forward, ExpertParams::from(test::sim_config()));
  const Expert expert_reversed(reversed, ExpertParams::from(test::sim_config()));
  for (const Record& r : generate(9, 300)) {
    // Rebuild the car pose from the record's track coordinates and ask the expert.
    const Track& t = r.reversed ? reversed : forward;
    const Expert& expert = r.reversed ? expert_reversed : expert_forward;
    Pose2 p = t.pose_at(r.s_m, r.cte_m);
    CarState car;
    car.x_m = p.x_m;
    car.y_m = p.y_m;
    car.yaw_rad = p.yaw_rad + r.heading_error_rad;
    const ExpertCommand cmd = expert.command(car);
    EXPECT_NEAR(r.steering, cmd.steering_norm, 0.02);
    EXPECT_NEAR(r.throttle, cmd.throttle_norm, 1e-4);
  }
}

TEST(Dataset, records_cover_both_sides_of_the_road_both_directions_and_most_of_the_track) {
  const auto records = generate(11, 1200);
  int left = 0, right = 0, reversed = 0, steer_left = 0, steer_right = 0;
  std::vector<bool> bins(10, false);
  for (const Record& r : records) {
    reversed += r.reversed;
    steer_left += r.steering < -0.15;
    steer_right += r.steering > 0.15;
    left += r.cte_m > 0.08;
    right += r.cte_m < -0.08;
    bins[static_cast<std::size_t>(r.s_m / test::default_track().length_m() * 10) % 10] = true;
  }
  EXPECT_GT(left, 30);
  EXPECT_GT(right, 30);
  int covered = 0;
  for (bool b : bins) covered += b;
  EXPECT_GE(covered, 8);
  EXPECT_GT(reversed, 200);
  EXPECT_GT(steer_right, steer_left / 3);  // both curve directions are well represented
}

}  // namespace
}  // namespace rcpilot::sim
