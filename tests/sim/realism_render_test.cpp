// Camera geometry and track variety: lenses, mount offsets, line colours, centre lines,
// distractors, world-fixed light and shadows, road width. Each is a seeded, timeless render.
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "config/loader.hpp"
#include "sim/renderer.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

cv::Mat render_with(const config::SimConfig& sim, double s_m = 3.0) {
  const Renderer r(sim, test::camera_config(), test::default_track(), 0.01);
  cv::Mat bgr;
  r.render(test::default_track().pose_at(s_m), bgr);
  return bgr;
}

// First row, top down, that is not sky (sky is bright blue-ish): the median over the columns
// col - 4 .. col + 4, since the tree line's height varies from column to column.
int horizon_in_column(const cv::Mat& bgr, int col) {
  std::vector<int> rows;
  for (int c = std::max(0, col - 4); c <= std::min(bgr.cols - 1, col + 4); ++c) {
    int r = 0;
    while (r < bgr.rows && bgr.at<cv::Vec3b>(r, c)[0] >= 150) ++r;
    rows.push_back(r);
  }
  std::nth_element(rows.begin(), rows.begin() + rows.size() / 2, rows.end());
  return rows[rows.size() / 2];
}

int count_pixels(const cv::Mat& bgr, bool (*is)(const cv::Vec3b&)) {
  int n = 0;
  for (int r = 0; r < bgr.rows; ++r) {
    for (int c = 0; c < bgr.cols; ++c) n += is(bgr.at<cv::Vec3b>(r, c));
  }
  return n;
}

bool yellow(const cv::Vec3b& p) { return p[2] > 140 && p[1] > 120 && p[0] < 110; }
bool blue(const cv::Vec3b& p) { return p[0] > 120 && p[1] < 120 && p[2] < 80; }
bool orange(const cv::Vec3b& p) { return p[2] > 180 && p[1] > 60 && p[1] < 140 && p[0] < 60; }

TEST(RealismRender, a_wide_angle_lens_bends_the_horizon_and_the_pinhole_keeps_it_straight) {
  config::SimConfig sim;
  const cv::Mat pinhole = render_with(sim);
  EXPECT_NEAR(horizon_in_column(pinhole, 5), horizon_in_column(pinhole, 112), 3);
  for (const char* lens : {"wide120", "wide160"}) {
    sim.lens = lens;
    const cv::Mat wide = render_with(sim);
    // Barrel distortion: the horizon, above the centre, curves down towards the sides.
    EXPECT_GT(horizon_in_column(wide, 5), horizon_in_column(wide, 112) + 6) << lens;
  }
}

TEST(RealismRender, a_rolled_mount_tilts_the_horizon) {
  config::SimConfig sim;
  sim.mount_roll_deg = 8;
  const cv::Mat rolled = render_with(sim);
  // + roll: the horizon rises to the right.
  EXPECT_LT(horizon_in_column(rolled, 200), horizon_in_column(rolled, 24) - 10);
}

TEST(RealismRender, mount_offsets_add_to_the_nominal_pitch_and_height) {
  config::SimConfig offset;
  offset.mount_pitch_offset_deg = 4;
  offset.mount_height_offset_m = 0.03;
  config::SimConfig nominal;
  nominal.camera_pitch_deg += 4;
  nominal.camera_height_m += 0.03;
  EXPECT_EQ(cv::norm(render_with(offset), render_with(nominal), cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(render_with(offset), render_with(config::SimConfig{}), cv::NORM_L1), 0.0);
}

TEST(RealismRender, edge_lines_take_the_configured_colour) {
  config::SimConfig sim;
  EXPECT_LT(count_pixels(render_with(sim), blue), 10);
  sim.line_colour = "blue";
  EXPECT_GT(count_pixels(render_with(sim), blue), 200);
}

TEST(RealismRender, the_centre_line_can_be_solid_or_missing) {
  const Track& track = test::default_track();
  GroundStyle style;
  const int dashed = count_pixels(build_ground(track, 0.02, style).bgr, yellow);
  style.centre = GroundStyle::Centre::kSolid;
  const int solid = count_pixels(build_ground(track, 0.02, style).bgr, yellow);
  style.centre = GroundStyle::Centre::kNone;
  const int none = count_pixels(build_ground(track, 0.02, style).bgr, yellow);
  EXPECT_GT(solid, dashed * 3 / 2);
  EXPECT_LT(none, dashed / 20);
}

TEST(RealismRender, distractors_lie_beside_the_road_never_on_it_and_repeat_for_a_seed) {
  const Track& track = test::default_track();
  GroundStyle style;
  style.distractors = 1.0;
  const GroundImage with = build_ground(track, 0.01, style);
  const GroundImage again = build_ground(track, 0.01, style);
  style.distractors = 0.0;
  const GroundImage without = build_ground(track, 0.01, style);
  EXPECT_EQ(cv::norm(with.bgr, again.bgr, cv::NORM_INF), 0.0);
  EXPECT_GT(count_pixels(with.bgr, orange), 100) << "cones";
  // Every changed pixel is off the road (edge lines included).
  cv::Mat changed;
  cv::absdiff(with.bgr, without.bgr, changed);
  int on_road = 0, off_road = 0;
  for (int r = 0; r < changed.rows; r += 2) {
    for (int c = 0; c < changed.cols; c += 2) {
      const cv::Vec3b d = changed.at<cv::Vec3b>(r, c);
      if (d[0] + d[1] + d[2] < 30) continue;
      const double x = with.x_min_m + (c + 0.5) * with.metres_per_px;
      const double y = with.y_max_m - (r + 0.5) * with.metres_per_px;
      (std::fabs(track.project(x, y).cte_m) < track.road_width_m() / 2 ? on_road : off_road)++;
    }
  }
  EXPECT_GT(off_road, 500);
  EXPECT_EQ(on_road, 0);
}

TEST(RealismRender, shadows_only_darken_the_world_and_stay_fixed_to_it) {
  const Track& track = test::default_track();
  GroundStyle style;
  const GroundImage sunny = build_ground(track, 0.02, style);
  style.shadows = 1.0;
  const GroundImage shaded = build_ground(track, 0.02, style);
  cv::Mat brighter;
  cv::subtract(shaded.bgr, sunny.bgr, brighter);  // saturates at 0 where darker
  EXPECT_EQ(cv::countNonZero(brighter.reshape(1)), 0);
  EXPECT_LT(cv::mean(shaded.bgr)[1], cv::mean(sunny.bgr)[1] - 3);
  // World-fixed: the same seed puts the same shadow at the same place.
  EXPECT_EQ(cv::norm(shaded.bgr, build_ground(track, 0.02, style).bgr, cv::NORM_INF), 0.0);
}

TEST(RealismRender, the_light_level_varies_along_the_track) {
  const Track& track = test::default_track();
  GroundStyle style;
  auto spread_of_road_light = [&track](const GroundImage& g) {
    std::vector<double> levels;
    for (double s = 0; s < track.length_m(); s += 2.0) {
      const Pose2 p = track.pose_at(s, 0.2);
      const cv::Point2d px = g.to_px(p.x_m, p.y_m);
      const cv::Rect patch(static_cast<int>(px.x) - 5, static_cast<int>(px.y) - 5, 10, 10);
      levels.push_back(cv::mean(g.bgr(patch))[1]);
    }
    cv::Scalar mean, std;
    cv::meanStdDev(levels, mean, std);
    return std[0];
  };
  const double flat = spread_of_road_light(build_ground(track, 0.02, style));
  style.light_along_track = 1.0;
  EXPECT_GT(spread_of_road_light(build_ground(track, 0.02, style)), flat + 8.0);
}

TEST(RealismRender, the_configured_road_width_replaces_the_track_files) {
  config::Config cfg =
      config::load_config(std::string(RCPILOT_SOURCE_DIR) + "/config/profiles/sim.yaml", {});
  cfg.sim.road_width_m = 1.2;
  EXPECT_DOUBLE_EQ(load_configured_track(cfg).road_width_m(), 1.2);
  cfg.sim.road_width_m = 3.5;  // wider than the 1.0 m radius curves allow
  try {
    load_configured_track(cfg);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("default.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("sim.road_width_m"), std::string::npos) << e.what();
  }
}

TEST(RealismRender, a_layout_too_large_for_the_ground_image_fails_naming_the_file) {
  // A 60 m circle: closed and within the length limit, but 120 m across.
  const Track big(
      parse_track_spec("road_width_m: 0.8\nsegments:\n  - arc: {radius_m: 60, "
                       "angle_deg: 360}\n",
                       "big.yaml"));
  try {
    build_ground(big, 0.005, GroundStyle{});
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("big.yaml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("smaller"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rcpilot::sim
