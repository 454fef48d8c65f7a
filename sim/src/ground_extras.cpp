// Track variety drawn onto the top-down ground after the road: distractors beside the road
// (cones, tape strips, patches of other surfaces), then world-fixed light and shadows.
#include <algorithm>
#include <array>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "sim/renderer.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kDistractorsPerM = 1.5;  // per metre of track at distractors = 1
constexpr double kShadowsPerM = 1.2;      // per metre of track at shadows = 1
constexpr int kLightCoarse = 8;           // the light map has 1/8 of the ground's resolution
constexpr double kLightCellM = 5.0;       // m, size of the sun and cloud patches
constexpr double kPenumbraM = 0.04;       // m, soft edge of a shadow

bool off_road(const Track& track, cv::Point2d p, double clearance_m) {
  return std::fabs(track.project(p.x, p.y).cte_m) > track.road_width_m() / 2 + clearance_m;
}

// Corners of a length x width rectangle centred at c along angle a (world metres).
std::array<cv::Point2d, 4> rectangle(cv::Point2d c, double a, double length, double width) {
  const cv::Point2d u(std::cos(a) * length / 2, std::sin(a) * length / 2);
  const cv::Point2d v(-std::sin(a) * width / 2, std::cos(a) * width / 2);
  return {c - u - v, c + u - v, c + u + v, c - u + v};
}

// Fills the rectangle when all its corners are off the road; false otherwise.
bool fill_off_road(const Track& track, GroundImage& g, const std::array<cv::Point2d, 4>& corners,
                   const cv::Scalar& bgr) {
  std::array<cv::Point, 4> px;
  for (std::size_t i = 0; i < 4; ++i) {
    if (!off_road(track, corners[i], 0.03)) return false;
    px[i] = g.to_px(corners[i].x, corners[i].y) * 16.0;
  }
  cv::fillConvexPoly(g.bgr, px.data(), 4, bgr, cv::LINE_AA, 4);
  return true;
}

void draw_cone(GroundImage& g, cv::Point2d at, double radius_m) {
  const cv::Point c = g.to_px(at.x, at.y) * 16.0;
  const int r = static_cast<int>(16 * radius_m / g.metres_per_px);
  cv::circle(g.bgr, c, r, cv::Scalar(10, 100, 245), cv::FILLED, cv::LINE_AA, 4);  // orange
  cv::circle(g.bgr, c, r * 6 / 10, cv::Scalar(240, 240, 240), std::max(1, r / 16 / 4), cv::LINE_AA,
             4);  // the white band, seen from above
}

void draw_one_distractor(const Track& track, GroundImage& g, cv::RNG& rng) {
  const double half = track.road_width_m() / 2;
  const double side = rng.uniform(0, 2) == 0 ? -1.0 : 1.0;
  const int kind = rng.uniform(0, 3);
  const double s = rng.uniform(0.0, track.length_m());
  const double along = track.at(s).heading_rad;
  if (kind == 0) {  // a cone, 5-8 cm base radius
    const Pose2 p = track.pose_at(s, side * (half + rng.uniform(0.12, 0.5)));
    if (off_road(track, {p.x_m, p.y_m}, 0.1)) draw_cone(g, {p.x_m, p.y_m}, rng.uniform(0.05, 0.08));
  } else if (kind == 1) {  // tape roughly along the road: the lines a model must not follow
    static const cv::Scalar kTape[] = {
        {235, 235, 235}, {200, 90, 20}, {40, 40, 210}, {30, 200, 230}, {25, 25, 25}};
    const Pose2 p = track.pose_at(s, side * (half + rng.uniform(0.06, 0.4)));
    fill_off_road(track, g,
                  rectangle({p.x_m, p.y_m}, along + rng.uniform(-0.5, 0.5), rng.uniform(0.3, 1.2),
                            rng.uniform(0.03, 0.06)),
                  kTape[rng.uniform(0, 5)]);
  } else {  // concrete, dirt, rubber mat, light gravel
    static const cv::Scalar kSurface[] = {
        {165, 170, 172}, {60, 95, 125}, {45, 45, 48}, {140, 150, 160}};
    const Pose2 p = track.pose_at(s, side * (half + rng.uniform(0.3, 1.2)));
    fill_off_road(track, g,
                  rectangle({p.x_m, p.y_m}, along + rng.uniform(-1.0, 1.0), rng.uniform(0.5, 2.0),
                            rng.uniform(0.3, 1.2)),
                  kSurface[rng.uniform(0, 4)]);
  }
}

// 1 + amplitude * smooth noise in -1..1, on the coarse light map.
cv::Mat light_field(cv::Size size, double metres_per_px, double amplitude, cv::RNG& rng) {
  const double cell_px = kLightCellM / metres_per_px;
  cv::Mat coarse(std::max(2, static_cast<int>(size.height / cell_px) + 2),
                 std::max(2, static_cast<int>(size.width / cell_px) + 2), CV_32F);
  rng.fill(coarse, cv::RNG::UNIFORM, -1.0, 1.0);
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  field.convertTo(field, CV_32F, amplitude, 1.0);
  return field;
}

// 1 where a shadow falls, 0 in the sun, soft at the edges. Half the shadows lie on the road.
cv::Mat shadow_mask(const Track& track, const GroundImage& g, cv::Size size, double shadows,
                    cv::RNG& rng) {
  cv::Mat mask(size, CV_32F, cv::Scalar(0));
  const double px_per_m = 1.0 / (g.metres_per_px * kLightCoarse);
  const int count = static_cast<int>(std::lround(shadows * kShadowsPerM * track.length_m()));
  for (int i = 0; i < count; ++i) {
    const Pose2 p = track.pose_at(rng.uniform(0.0, track.length_m()), rng.uniform(-2.5, 2.5));
    const cv::Point2d c = g.to_px(p.x_m, p.y_m) * (1.0 / kLightCoarse);
    const double angle_deg = rng.uniform(0.0, 180.0);
    if (rng.uniform(0.0, 1.0) < 0.7) {  // a tree or bush
      const cv::Size axes(static_cast<int>(rng.uniform(0.3, 1.4) * px_per_m),
                          static_cast<int>(rng.uniform(0.2, 0.8) * px_per_m));
      cv::ellipse(mask, cv::Point(c), axes, angle_deg, 0, 360, cv::Scalar(1), cv::FILLED);
    } else {  // a pole or a building edge: long and straight
      const cv::RotatedRect r(c,
                              cv::Size2f(static_cast<float>(rng.uniform(2.0, 5.0) * px_per_m),
                                         static_cast<float>(rng.uniform(0.08, 0.4) * px_per_m)),
                              static_cast<float>(angle_deg));
      cv::Point2f corners[4];
      r.points(corners);
      std::array<cv::Point, 4> pts;
      for (int k = 0; k < 4; ++k) pts[static_cast<std::size_t>(k)] = corners[k];
      cv::fillConvexPoly(mask, pts.data(), 4, cv::Scalar(1));
    }
  }
  cv::GaussianBlur(mask, mask, cv::Size(0, 0), std::max(0.5, kPenumbraM * px_per_m));
  return mask;
}

}  // namespace

void draw_distractors(const Track& track, GroundImage& g, const GroundStyle& style) {
  if (style.distractors <= 0) return;
  cv::RNG rng(0xd157ac7ull ^ (style.seed * 2654435761ull));
  const int count = static_cast<int>(
      std::lround(std::min(style.distractors, 1.0) * kDistractorsPerM * track.length_m()));
  for (int i = 0; i < count; ++i) draw_one_distractor(track, g, rng);
}

void apply_world_light(const Track& track, GroundImage& g, const GroundStyle& style) {
  if (style.shadows <= 0 && style.light_along_track <= 0) return;
  cv::RNG rng(0x5eed5a11ull ^ (style.seed * 2246822519ull));
  const cv::Size small((g.bgr.cols + kLightCoarse - 1) / kLightCoarse,
                       (g.bgr.rows + kLightCoarse - 1) / kLightCoarse);
  cv::Mat gain(small, CV_32F, cv::Scalar(1));
  if (style.light_along_track > 0) {
    gain = light_field(small, g.metres_per_px * kLightCoarse,
                       0.45 * std::min(style.light_along_track, 1.0), rng);
  }
  if (style.shadows > 0) {
    const double depth = 0.3 + 0.3 * std::min(style.shadows, 1.0);  // share of the light blocked
    const cv::Mat mask = shadow_mask(track, g, small, std::min(style.shadows, 1.0), rng);
    gain = gain.mul(1.0 - depth * cv::min(mask, 1.0));
  }
  cv::Mat full, q7;
  cv::resize(gain, full, g.bgr.size(), 0, 0, cv::INTER_LINEAR);
  full.convertTo(q7, CV_8U, 128.0);
  cv::Mat q7_bgr;
  cv::merge(std::vector<cv::Mat>{q7, q7, q7}, q7_bgr);
  cv::multiply(g.bgr, q7_bgr, g.bgr, 1.0 / 128.0);
}

}  // namespace rcpilot::sim
