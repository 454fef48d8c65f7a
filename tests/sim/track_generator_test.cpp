#include "sim/track_generator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace rcpilot::sim {
namespace {

constexpr int kSeeds = 60;

// Proper crossing of segments ab and cd (touching ends and collinear pieces of one straight,
// whose side products are rounding noise, do not count).
bool segments_cross(const TrackPoint& a, const TrackPoint& b, const TrackPoint& c,
                    const TrackPoint& d) {
  auto side = [](const TrackPoint& p, const TrackPoint& q, const TrackPoint& r) {
    return (q.x_m - p.x_m) * (r.y_m - p.y_m) - (q.y_m - p.y_m) * (r.x_m - p.x_m);
  };
  constexpr double kEps = 1e-6;  // m^2
  return side(a, b, c) * side(a, b, d) < -kEps * kEps &&
         side(c, d, a) * side(c, d, b) < -kEps * kEps;
}

bool centreline_crosses_itself(const Track& track) {
  std::vector<TrackPoint> p;
  for (double s = 0; s < track.length_m(); s += 0.1) p.push_back(track.at(s));
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 2; j < n; ++j) {
      if (i == 0 && j == n - 1) continue;  // the closing segment touches the first
      if (segments_cross(p[i], p[i + 1], p[j], p[(j + 1) % n])) return true;
    }
  }
  return false;
}

TEST(TrackGenerator, the_same_seed_gives_the_same_track_file) {
  TrackGenOptions o;
  o.seed = 42;
  EXPECT_EQ(track_to_yaml(generate_track(o)), track_to_yaml(generate_track(o)));
  o.seed = 43;
  const std::string other = track_to_yaml(generate_track(o));
  o.seed = 42;
  EXPECT_NE(track_to_yaml(generate_track(o)), other);
}

TEST(TrackGenerator, generated_tracks_close_and_read_back_from_their_file) {
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    TrackGenOptions o;
    o.seed = seed;
    const std::string yaml = track_to_yaml(generate_track(o));
    const Track t(parse_track_spec(yaml, "generated.yaml"));  // throws when it does not close
    const TrackPoint end = t.at(t.length_m() - 1e-9);
    EXPECT_NEAR(end.x_m, t.start().x_m, 1e-3) << "seed " << seed;
    EXPECT_NEAR(end.y_m, t.start().y_m, 1e-3) << "seed " << seed;
  }
}

TEST(TrackGenerator, generated_tracks_respect_length_width_and_curvature_limits) {
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    TrackGenOptions o;
    o.seed = seed;
    o.min_length_m = 25;
    o.max_length_m = 35;
    o.min_radius_m = 1.2;
    o.min_width_m = 0.7;
    o.max_width_m = 1.0;
    const Track t(generate_track(o));
    EXPECT_GE(t.length_m(), 25 - 1e-6) << "seed " << seed;
    EXPECT_LE(t.length_m(), 35 + 1e-6) << "seed " << seed;
    EXPECT_GE(t.road_width_m(), 0.7) << "seed " << seed;
    EXPECT_LE(t.road_width_m(), 1.0) << "seed " << seed;
    for (const TrackPoint& p : t.points()) {
      ASSERT_LE(std::fabs(p.curvature_1pm), 1 / 1.2 + 1e-9) << "seed " << seed;
    }
  }
}

TEST(TrackGenerator, generated_tracks_never_cross_or_overlap_themselves) {
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    TrackGenOptions o;
    o.seed = seed;
    const Track t(generate_track(o));
    EXPECT_FALSE(centreline_crosses_itself(t)) << "seed " << seed;
    EXPECT_FALSE(track_overlaps_itself(t, t.road_width_m())) << "seed " << seed;
  }
}

TEST(TrackGenerator, generated_tracks_turn_both_ways_across_seeds) {
  bool left = false, right = false;
  for (unsigned seed = 1; seed <= kSeeds; ++seed) {
    TrackGenOptions o;
    o.seed = seed;
    for (const TrackSegment& s : generate_track(o).segments) {
      left |= s.angle_rad > 0;
      right |= s.angle_rad < 0;
    }
  }
  EXPECT_TRUE(left && right);
}

TEST(TrackGenerator, the_overlap_check_finds_a_figure_of_eight_crossing) {
  // Two loops joined at the start: the road passes the start point twice.
  const Track eight(
      parse_track_spec("road_width_m: 0.8\nsegments:\n  - arc: {radius_m: 2, angle_deg: 360}\n"
                       "  - arc: {radius_m: 2, angle_deg: -360}\n",
                       "eight.yaml"));
  EXPECT_TRUE(track_overlaps_itself(eight, 0.8));
}

TEST(TrackGenerator, inconsistent_limits_fail_naming_the_limit) {
  TrackGenOptions o;
  o.min_length_m = 50;
  o.max_length_m = 40;
  EXPECT_THROW(generate_track(o), std::invalid_argument);
  o = TrackGenOptions{};
  o.min_radius_m = 0.3;  // below half of the 1.2 m maximum width
  try {
    generate_track(o);
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("minimum radius"), std::string::npos) << e.what();
  }
}

TEST(TrackGenerator, impossible_limits_fail_after_bounded_attempts) {
  TrackGenOptions o;
  o.min_length_m = 3;
  o.max_length_m = 4;  // too short for five corners of 1 m radius
  EXPECT_THROW(generate_track(o), std::runtime_error);
}

}  // namespace
}  // namespace rcpilot::sim
