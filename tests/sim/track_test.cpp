#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "sim/track.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string error_of(const std::string& yaml) {
  try {
    Track t(parse_track_spec(yaml, "bad.yaml"));
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(Track, the_default_track_loads_closes_and_has_the_right_length) {
  const Track& t = test::default_track();
  EXPECT_EQ(t.name(), "default");
  EXPECT_NEAR(t.length_m(), 32.38, 0.05);
  EXPECT_DOUBLE_EQ(t.road_width_m(), 0.8);
  const TrackPoint end = t.at(t.length_m() - 1e-6);
  EXPECT_NEAR(end.x_m, t.start().x_m, 0.01);
  EXPECT_NEAR(end.y_m, t.start().y_m, 0.01);
}

TEST(Track, the_default_track_has_left_and_right_curves_and_an_s_bend) {
  bool left = false, right = false, s_bend = false;
  const auto& segs = test::default_track().segments();
  for (std::size_t i = 0; i < segs.size(); ++i) {
    left |= segs[i].angle_rad > 0;
    right |= segs[i].angle_rad < 0;
    if (i + 1 < segs.size()) s_bend |= segs[i].angle_rad * segs[i + 1].angle_rad < 0;
  }
  EXPECT_TRUE(left && right && s_bend);
}

TEST(Track, the_oval_track_loads) {
  const Track t = load_track(test::track_path("oval.yaml"));
  EXPECT_NEAR(t.length_m(), 8.0 + 2 * kPi * 1.5, 1e-6);
}

TEST(Track, an_unclosed_track_fails_naming_the_file_and_the_gap) {
  const std::string err = error_of(
      "road_width_m: 0.8\nsegments:\n  - straight: {length_m: 4}\n  - arc: {radius_m: 1.5, "
      "angle_deg: 180}\n  - straight: {length_m: 3}\n  - arc: {radius_m: 1.5, angle_deg: 180}\n");
  EXPECT_NE(err.find("bad.yaml"), std::string::npos) << err;
  EXPECT_NE(err.find("does not close"), std::string::npos) << err;
}

TEST(Track, a_malformed_segment_fails_naming_file_and_line) {
  const std::string err = error_of(
      "road_width_m: 0.8\nsegments:\n  - straight: {length_m: 4}\n  - arc: {radius_m: -1, "
      "angle_deg: 90}\n");
  EXPECT_NE(err.find("bad.yaml:4:"), std::string::npos) << err;
  EXPECT_NE(err.find("radius_m must be > 0"), std::string::npos) << err;
}

TEST(Track, unknown_keys_and_segment_types_are_rejected) {
  EXPECT_NE(error_of("road_width_m: 0.8\nlanes: 2\nsegments: []\n").find("unknown key 'lanes'"),
            std::string::npos);
  EXPECT_NE(error_of("road_width_m: 0.8\nsegments:\n  - spiral: {length_m: 1}\n")
                .find("bad.yaml:3: unknown segment type 'spiral'"),
            std::string::npos);
  EXPECT_NE(error_of("road_width_m: [\n").find("bad.yaml:"), std::string::npos);
}

TEST(Track, a_missing_file_error_names_the_path) {
  try {
    load_track("/nonexistent/track.yaml");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/track.yaml"), std::string::npos);
  }
}

TEST(Track, projection_gives_positive_cte_left_of_the_centreline_and_negative_right) {
  const Track& t = test::default_track();
  for (double s : {1.0, 6.0, 12.0, 20.0, 30.0}) {
    for (double lateral : {-0.3, 0.2}) {
      const Pose2 p = t.pose_at(s, lateral);
      const TrackProjection pr = t.project(p.x_m, p.y_m);
      EXPECT_NEAR(pr.cte_m, lateral, 0.005) << "s=" << s;
      EXPECT_NEAR(pr.s_m, s, 0.02);
      EXPECT_NEAR(std::remainder(pr.heading_rad - p.yaw_rad, 2 * kPi), 0.0, 0.02);
    }
  }
}

TEST(Track, local_projection_from_a_hint_matches_the_global_search) {
  const Track& t = test::default_track();
  TrackProjection last = t.project(0.0, 0.0);
  for (double s = 0.0; s < t.length_m(); s += 0.07) {
    const Pose2 p = t.pose_at(s, 0.25 * std::sin(s));
    const TrackProjection local = t.project(p.x_m, p.y_m, last.index);
    const TrackProjection global = t.project(p.x_m, p.y_m);
    EXPECT_NEAR(local.s_m, global.s_m, 1e-9);
    EXPECT_NEAR(local.cte_m, global.cte_m, 1e-9);
    last = local;
  }
}

}  // namespace
}  // namespace rcpilot::sim

namespace rcpilot::sim {
namespace {

TEST(Track, the_reversed_track_is_the_same_road_driven_the_other_way) {
  const Track& t = test::default_track();
  const Track r = t.reversed();
  EXPECT_NEAR(r.length_m(), t.length_m(), 1e-9);
  const Pose2 p = t.pose_at(7.0, 0.2);  // left of the forward centreline
  const TrackProjection pr = r.project(p.x_m, p.y_m);
  EXPECT_NEAR(pr.cte_m, -0.2, 0.005);
  EXPECT_NEAR(pr.s_m, t.length_m() - 7.0, 0.02);
}

TEST(Track, a_track_longer_than_the_simulator_takes_fails_naming_the_file) {
  const std::string err = error_of(
      "road_width_m: 0.8\nsegments:\n  - straight: {length_m: 1e12}\n  - arc: {radius_m: 1, "
      "angle_deg: 180}\n  - straight: {length_m: 1e12}\n  - arc: {radius_m: 1, angle_deg: 180}\n");
  EXPECT_NE(err.find("bad.yaml"), std::string::npos) << err;
  EXPECT_NE(err.find("at most"), std::string::npos) << err;
}

}  // namespace
}  // namespace rcpilot::sim
