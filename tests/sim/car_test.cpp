#include <gtest/gtest.h>

#include <cmath>

#include "sim/car.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

Car make_car() { return Car(CarParams::from(test::sim_config())); }

TEST(Car, neutral_steering_drives_straight_along_the_heading) {
  Car car = make_car();
  for (int i = 0; i < 100; ++i) car.step(0.0, 0.5, 0.02);
  EXPECT_GT(car.state().x_m, 2.0);
  EXPECT_NEAR(car.state().y_m, 0.0, 1e-9);
  EXPECT_NEAR(car.state().yaw_rad, 0.0, 1e-9);
}

TEST(Car, positive_steering_turns_right) {
  Car car = make_car();
  for (int i = 0; i < 50; ++i) car.step(0.5, 0.3, 0.02);
  EXPECT_LT(car.state().yaw_rad, -0.1);
  EXPECT_LT(car.state().y_m, 0.0);
  EXPECT_GT(car.state().steer_rad, 0.0);
}

TEST(Car, negative_steering_turns_left) {
  Car car = make_car();
  for (int i = 0; i < 50; ++i) car.step(-0.5, 0.3, 0.02);
  EXPECT_GT(car.state().yaw_rad, 0.1);
  EXPECT_GT(car.state().y_m, 0.0);
}

TEST(Car, steering_slews_at_the_servo_rate) {
  const config::SimConfig cfg = test::sim_config();
  Car car = make_car();
  car.step(1.0, 0.0, 0.01);  // 400 deg/s * 10 ms = 4 deg
  EXPECT_NEAR(car.state().steer_rad / kDegToRad, cfg.servo_rate_deg_s * 0.01, 1e-6);
  car.step(1.0, 0.0, 1.0);
  EXPECT_NEAR(car.state().steer_rad / kDegToRad, cfg.max_steer_deg, 1e-6);
}

TEST(Car, speed_follows_throttle_with_a_first_order_lag) {
  const config::SimConfig cfg = test::sim_config();
  Car car = make_car();
  car.step(0.0, 0.5, cfg.speed_tau_s);
  const double target = 0.5 * cfg.max_speed_mps;
  EXPECT_NEAR(car.state().speed_mps, target * (1 - std::exp(-1.0)), 1e-6);
  car.step(0.0, 0.5, 10 * cfg.speed_tau_s);
  EXPECT_NEAR(car.state().speed_mps, target, 1e-3);
}

TEST(Car, nan_steering_reads_as_centre_and_out_of_range_throttle_is_clamped) {
  Car car = make_car();
  car.step(std::nan(""), 5.0, 5.0);
  EXPECT_NEAR(car.state().steer_rad, 0.0, 1e-12);
  EXPECT_NEAR(car.state().speed_mps, test::sim_config().max_speed_mps, 1e-3);
}

TEST(Car, the_result_does_not_depend_on_how_time_is_chunked) {
  Car a = make_car(), b = make_car();
  a.step(0.3, 0.4, 0.1);
  for (int i = 0; i < 20; ++i) b.step(0.3, 0.4, 0.005);
  EXPECT_NEAR(a.state().x_m, b.state().x_m, 1e-9);
  EXPECT_NEAR(a.state().yaw_rad, b.state().yaw_rad, 1e-9);
}

}  // namespace
}  // namespace rcpilot::sim
