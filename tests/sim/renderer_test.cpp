#include <gtest/gtest.h>

#include <cstdlib>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "sim/renderer.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

const Renderer& plain_renderer() {
  static const Renderer r(test::sim_config(), test::camera_config(), test::default_track());
  return r;
}

bool is_asphalt(const cv::Vec3b& p) {
  const int lo = std::min({p[0], p[1], p[2]}), hi = std::max({p[0], p[1], p[2]});
  return hi - lo < 20 && hi > 50 && hi < 170;
}

bool is_yellow(const cv::Vec3b& p) { return p[2] > 140 && p[1] > 120 && p[0] < 110; }

// Mean column of centre-line pixels in the lower half; -1 when there are none.
double centre_line_column(const cv::Mat& bgr) {
  double sum = 0;
  int n = 0;
  for (int r = bgr.rows / 2; r < bgr.rows; ++r) {
    for (int c = 0; c < bgr.cols; ++c) {
      if (is_yellow(bgr.at<cv::Vec3b>(r, c))) sum += c, ++n;
    }
  }
  return n > 20 ? sum / n : -1.0;
}

TEST(Renderer, a_frame_has_the_configured_size_and_road_in_the_lower_half) {
  cv::Mat frame;
  plain_renderer().render(test::default_track().pose_at(0.0), frame);
  ASSERT_EQ(frame.cols, 224);
  ASSERT_EQ(frame.rows, 224);
  ASSERT_EQ(frame.type(), CV_8UC3);
  int road = 0;
  for (int r = frame.rows / 2; r < frame.rows; ++r) {
    for (int c = 0; c < frame.cols; ++c) road += is_asphalt(frame.at<cv::Vec3b>(r, c));
  }
  EXPECT_GT(road, frame.rows * frame.cols / 2 / 4);
}

TEST(Renderer, the_centre_line_is_centred_and_shifts_right_when_the_car_is_left_of_it) {
  const Track& t = test::default_track();
  cv::Mat frame;
  plain_renderer().render(t.pose_at(0.0), frame);
  const double centred = centre_line_column(frame);
  plain_renderer().render(t.pose_at(0.0, 0.15), frame);
  const double left_of_line = centre_line_column(frame);
  plain_renderer().render(t.pose_at(0.0, -0.15), frame);
  const double right_of_line = centre_line_column(frame);
  EXPECT_NEAR(centred, (frame.cols - 1) / 2.0, 6.0);
  EXPECT_GT(left_of_line, centred + 10);
  EXPECT_LT(right_of_line, centred - 10);
}

TEST(Renderer, the_sky_is_above_the_horizon) {
  cv::Mat frame;
  plain_renderer().render(test::default_track().pose_at(3.0), frame);
  const int horizon = plain_renderer().horizon_row();
  EXPECT_GT(horizon, 40);
  EXPECT_LT(horizon, 112);
  const cv::Vec3b sky = frame.at<cv::Vec3b>(2, 112);
  EXPECT_GT(sky[0], sky[2]);  // blue-ish
}

TEST(Renderer, rendering_reuses_the_callers_buffer) {
  cv::Mat frame(224, 224, CV_8UC3);
  const uchar* data = frame.data;
  plain_renderer().render(test::default_track().pose_at(5.0), frame);
  EXPECT_EQ(frame.data, data);
}

TEST(Renderer, the_lighting_seed_changes_the_image) {
  config::SimConfig cfg = test::sim_config();
  cfg.lighting_variation = 1.0;
  Renderer r(cfg, test::camera_config(), test::default_track());
  cv::Mat a, b;
  const Pose2 pose = test::default_track().pose_at(8.0);
  r.set_lighting(1, 1.0);
  r.render(pose, a);
  r.set_lighting(2, 1.0);
  r.render(pose, b);
  EXPECT_GT(cv::norm(a, b, cv::NORM_L1) / a.total(), 5.0);
  r.set_lighting(1, 1.0);
  r.render(pose, b);
  EXPECT_EQ(cv::norm(a, b, cv::NORM_L1), 0.0);
}

TEST(Renderer, the_texture_seed_changes_the_ground) {
  config::SimConfig cfg = test::sim_config();
  cfg.texture_variation = 1.0;
  cfg.seed = 5;
  const GroundImage a = build_ground(test::default_track(), 0.02, 5, 1.0);
  const GroundImage b = build_ground(test::default_track(), 0.02, 6, 1.0);
  EXPECT_GT(cv::norm(a.bgr, b.bgr, cv::NORM_L1) / a.bgr.total(), 5.0);
}

// Writes /tmp/sim_frame.png and /tmp/sim_track.png when RCPILOT_SIM_DUMP is set (for humans).
TEST(Renderer, snapshots_are_written_on_request) {
  if (std::getenv("RCPILOT_SIM_DUMP") == nullptr) GTEST_SKIP() << "set RCPILOT_SIM_DUMP=1";
  cv::Mat frame;
  plain_renderer().render(test::default_track().pose_at(3.5), frame);
  cv::imwrite("/tmp/sim_frame.png", frame);
  cv::Mat top;
  cv::resize(plain_renderer().ground().bgr, top, cv::Size(), 0.25, 0.25, cv::INTER_AREA);
  cv::imwrite("/tmp/sim_track.png", top);
}

}  // namespace
}  // namespace rcpilot::sim
