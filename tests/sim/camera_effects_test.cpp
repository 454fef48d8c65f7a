// The simulated camera's realism effects over time: auto exposure and white balance, noise,
// JPEG, motion blur, latency and body pitch. Time is stepped, never waited for.
#include "sim/camera_effects.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include <opencv2/imgproc.hpp>

#include "sim/sim_camera.hpp"
#include "sim/sim_world.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kLevelTol = 3.0;  // 8-bit levels

TimePoint at_s(double s) { return TimePoint{} + seconds_to_duration(s); }

double mean_abs_difference(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3.0;
}

double luma(const cv::Mat& bgr) {
  const cv::Scalar m = cv::mean(bgr);
  return 0.114 * m[0] + 0.587 * m[1] + 0.299 * m[2];
}

cv::Mat render_now(const SimWorld& world) {
  cv::Mat bgr;
  world.render(bgr);
  return bgr;
}

// A world whose car drives straight on at `speed_mps`, stepped to `until_s`.
std::unique_ptr<SimWorld> driving_world(const config::SimConfig& sim, double speed_mps,
                                        double until_s) {
  auto world =
      std::make_unique<SimWorld>(sim, test::camera_config(), test::default_track(), TimePoint{});
  world->reset_pose(0.0, 0.0, 0.0, speed_mps);
  world->set_command(0.0, speed_mps / sim.max_speed_mps, TimePoint{});
  world->advance_to(at_s(until_s));
  return world;
}

TEST(CameraEffects, with_no_effect_set_a_frame_is_the_plain_renderers_bit_for_bit) {
  const config::SimConfig sim = test::sim_config();
  const auto world = driving_world(sim, 2.0, 0.5);
  const Renderer plain(sim, test::camera_config(), test::default_track());
  cv::Mat expected;
  const CarState c = world->car();
  plain.render({c.x_m, c.y_m, c.yaw_rad}, expected);
  EXPECT_EQ(cv::norm(render_now(*world), expected, cv::NORM_INF), 0.0);
}

TEST(CameraEffects, auto_exposure_brings_a_dark_scene_to_mid_grey_at_once) {
  config::SimConfig sim;
  sim.auto_exposure = true;
  CameraEffects fx(sim);
  cv::Mat dark(32, 32, CV_8UC3, cv::Scalar(40, 40, 40));
  fx.apply(dark, at_s(0));
  EXPECT_NEAR(luma(dark), 115.0, kLevelTol);
}

TEST(CameraEffects, auto_exposure_follows_a_change_of_light_with_its_time_constant) {
  config::SimConfig sim;
  sim.auto_exposure = true;
  sim.auto_exposure_tau_s = 0.5;
  CameraEffects fx(sim);
  const cv::Mat dark(32, 32, CV_8UC3, cv::Scalar(40, 40, 40));
  const cv::Mat bright(32, 32, CV_8UC3, cv::Scalar(100, 100, 100));
  cv::Mat frame = dark.clone();
  fx.apply(frame, at_s(0));  // gain 115 / 40
  const double dark_gain = fx.gains()[1];
  double t = 0.0;
  for (; t < 0.5 - 1e-9; t += 0.05) {  // the light comes up; one time constant of frames
    frame = bright.clone();
    fx.apply(frame, at_s(t + 0.05));
  }
  // After one time constant the gain has gone 1 - 1/e (63 %) of the way to 115 / 100.
  const double expected = 1.15 + (dark_gain - 1.15) * std::exp(-1.0);
  EXPECT_NEAR(fx.gains()[1], expected, 0.02);
  for (; t < 3.0; t += 0.05) {
    frame = bright.clone();
    fx.apply(frame, at_s(t + 0.05));
  }
  EXPECT_NEAR(luma(frame), 115.0, kLevelTol);
}

TEST(CameraEffects, white_balance_makes_a_tinted_scene_grey) {
  config::SimConfig sim;
  sim.auto_exposure = true;
  CameraEffects fx(sim);
  cv::Mat bluish(32, 32, CV_8UC3, cv::Scalar(150, 110, 80));
  fx.apply(bluish, at_s(0));
  const cv::Scalar m = cv::mean(bluish);
  EXPECT_NEAR(m[0], m[1], kLevelTol);
  EXPECT_NEAR(m[2], m[1], kLevelTol);
}

TEST(CameraEffects, noise_has_the_configured_spread_and_repeats_for_a_seed) {
  config::SimConfig sim;
  sim.noise_std = 6.0;
  const cv::Mat grey(64, 64, CV_8UC3, cv::Scalar(128, 128, 128));
  CameraEffects a(sim), b(sim);
  cv::Mat fa = grey.clone(), fb = grey.clone(), fa2 = grey.clone();
  a.apply(fa, at_s(0));
  b.apply(fb, at_s(0));
  a.apply(fa2, at_s(0.033));
  cv::Mat diff;
  cv::subtract(fa, grey, diff, cv::noArray(), CV_32F);
  cv::Scalar mean, std;
  cv::meanStdDev(diff.reshape(1), mean, std);
  EXPECT_NEAR(std[0], 6.0, 0.6);
  EXPECT_NEAR(mean[0], 0.0, 0.5);
  EXPECT_EQ(cv::norm(fa, fb, cv::NORM_INF), 0.0) << "same seed, same frame number";
  EXPECT_GT(mean_abs_difference(fa, fa2), 2.0) << "the next frame has fresh noise";
  sim.seed = 2;
  CameraEffects c(sim);
  cv::Mat fc = grey.clone();
  c.apply(fc, at_s(0));
  EXPECT_GT(mean_abs_difference(fa, fc), 2.0) << "another seed, other noise";
}

TEST(CameraEffects, jpeg_loses_more_detail_at_lower_quality) {
  const cv::Mat clean = render_now(*driving_world(test::sim_config(), 0.0, 0.0));
  double error[2];
  const int qualities[2] = {90, 15};
  for (int i = 0; i < 2; ++i) {
    config::SimConfig sim;
    sim.jpeg_quality = qualities[i];
    CameraEffects fx(sim);
    cv::Mat frame = clean.clone();
    fx.apply(frame, at_s(0));
    error[i] = mean_abs_difference(frame, clean);
  }
  EXPECT_GT(error[0], 0.0);
  EXPECT_LT(error[0], 4.0);
  EXPECT_GT(error[1], error[0] * 1.5);
}

TEST(SimWorldRealism, exposure_averages_the_views_over_it_and_leaves_a_parked_car_sharp) {
  config::SimConfig sim;
  sim.exposure_ms = 20;
  const config::SimConfig plain;
  const cv::Mat blurred = render_now(*driving_world(sim, 3.0, 0.5));
  // The same drive without exposure, seen at the start, middle and end of the exposure.
  const auto world = driving_world(plain, 3.0, 0.48);
  cv::Mat sum, view;
  for (double t : {0.48, 0.49, 0.50}) {
    world->advance_to(at_s(t));
    world->render(view);
    if (sum.empty()) {
      view.convertTo(sum, CV_16U);
    } else {
      cv::add(sum, view, sum, cv::noArray(), CV_16U);
    }
  }
  cv::Mat average;
  sum.convertTo(average, CV_8U, 1.0 / 3);
  EXPECT_LE(cv::norm(blurred, average, cv::NORM_INF), 1.0);
  EXPECT_GT(mean_abs_difference(blurred, view), 1.0) << "differs from the view at the end";
  const cv::Mat parked = render_now(*driving_world(sim, 0.0, 0.5));
  EXPECT_EQ(cv::norm(parked, render_now(*driving_world(plain, 0.0, 0.5)), cv::NORM_INF), 0.0);
}

TEST(SimWorldRealism, latency_shows_the_world_as_it_was_and_stamps_the_frame_so) {
  config::SimConfig late = test::sim_config();
  late.latency_ms = 100;
  ManualClock clock(TimePoint{});
  SimWorld world(late, test::camera_config(), test::default_track(), clock.now());
  SimWorld reference(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  for (SimWorld* w : {&world, &reference}) {
    w->reset_pose(0.0, 0.0, 0.0, 2.0);
    w->set_command(0.0, 0.5, clock.now());
  }
  reference.advance_to(at_s(0.4));
  const cv::Mat then = render_now(reference);
  clock.advance(seconds_to_duration(0.5));
  SimCamera camera(world, clock, 30.0, /*realtime=*/false);
  cv::Mat frame;
  ASSERT_TRUE(camera.read(frame));
  EXPECT_EQ(camera.captured_at(), at_s(0.4));
  EXPECT_EQ(cv::norm(frame, then, cv::NORM_INF), 0.0);
}

TEST(SimWorldRealism, accelerating_lifts_the_nose_so_the_horizon_drops_and_braking_raises_it) {
  config::SimConfig sim = test::sim_config();
  sim.accel_pitch_deg_per_mps2 = 0.5;
  auto horizon_row = [](const cv::Mat& bgr) {  // first row at the centre that is not sky
    for (int r = 0; r < bgr.rows; ++r) {
      if (bgr.at<cv::Vec3b>(r, bgr.cols / 2)[0] < 150) return r;
    }
    return bgr.rows;
  };
  auto frame_after = [&](double speed, double throttle) {
    SimWorld world(sim, test::camera_config(), test::default_track(), TimePoint{});
    world.reset_pose(0.0, 0.0, 0.0, speed);
    world.set_command(0.0, throttle, TimePoint{});
    world.advance_to(at_s(0.2));
    return render_now(world);
  };
  const int cruising = horizon_row(frame_after(1.0, 0.25));
  EXPECT_GT(horizon_row(frame_after(0.0, 1.0)), cruising + 3);
  EXPECT_LT(horizon_row(frame_after(3.0, 0.0)), cruising - 3);
}

}  // namespace
}  // namespace rcpilot::sim
