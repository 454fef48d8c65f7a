// The top-down ground image: seeded noise textures, the road and its painted lines.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "sim/renderer.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kMarginM = 3.0;       // ground shown beyond the road on every side
constexpr double kMaxGroundPx = 8000;  // per side: 192 MB of BGR at most (40 m at 5 mm)
constexpr double kEdgeLineWidthM = 0.04;
constexpr double kEdgeLineInsetM = 0.04;  // edge line centre inside the road edge
constexpr double kCentreLineWidthM = 0.025;
constexpr double kDashOnM = 0.30;
constexpr double kDashOffM = 0.30;
constexpr double kDrawStepM = 0.04;  // polyline vertex spacing for drawing

// Sum of bilinearly upsampled Gaussian noise octaves; (cell size px, amplitude) per octave.
cv::Mat fractal_noise(cv::Size size, cv::RNG& rng,
                      std::initializer_list<std::pair<double, double>> octaves) {
  cv::Mat sum(size, CV_32F, cv::Scalar(0));
  cv::Mat up;
  for (const auto& [cell_px, amplitude] : octaves) {
    const int w = std::max(2, static_cast<int>(size.width / cell_px) + 2);
    const int h = std::max(2, static_cast<int>(size.height / cell_px) + 2);
    cv::Mat coarse(h, w, CV_32F);
    rng.fill(coarse, cv::RNG::NORMAL, 0.0, amplitude);
    cv::resize(coarse, up, size, 0, 0, cell_px <= 1.0 ? cv::INTER_NEAREST : cv::INTER_LINEAR);
    sum += up;
  }
  return sum;
}

// base + noise * weight per channel, saturated to 8 bits.
cv::Mat colourise(const cv::Mat& noise, const cv::Vec3d& base, const cv::Vec3d& weight) {
  cv::Mat channels[3];
  for (int c = 0; c < 3; ++c) noise.convertTo(channels[c], CV_8U, weight[c], base[c]);
  cv::Mat out;
  cv::merge(channels, 3, out);
  return out;
}

std::vector<cv::Point> offset_polyline(const Track& track, const GroundImage& g, double lateral_m,
                                       double from_s, double to_s) {
  std::vector<cv::Point> pts;
  for (double s = from_s; s < to_s; s += kDrawStepM) {
    const Pose2 p = track.pose_at(s, lateral_m);
    pts.push_back(g.to_px(p.x_m, p.y_m) * 16.0);  // 4 fractional bits for LINE_AA
  }
  const Pose2 end = track.pose_at(to_s, lateral_m);
  pts.push_back(g.to_px(end.x_m, end.y_m) * 16.0);
  return pts;
}

int px(double metres, const GroundImage& g) {
  return std::max(1, static_cast<int>(std::lround(metres / g.metres_per_px)));
}

void draw_road(const Track& track, GroundImage& g, const cv::Mat& asphalt, cv::RNG& rng,
               const GroundStyle& style) {
  const double variation = style.variation;
  cv::Mat mask(g.bgr.size(), CV_8U, cv::Scalar(0));
  const auto centre = offset_polyline(track, g, 0.0, 0.0, track.length_m());
  cv::polylines(mask, centre, true, cv::Scalar(255), px(track.road_width_m(), g), cv::LINE_8, 4);
  asphalt.copyTo(g.bgr, mask);
  const double wear = 1.0 - variation * rng.uniform(0.0, 0.35);
  const cv::Scalar edge_colour = style.edge_bgr * wear;
  const double edge = track.road_width_m() / 2 - kEdgeLineInsetM;
  for (double side : {-1.0, 1.0}) {
    const auto line = offset_polyline(track, g, side * edge, 0.0, track.length_m());
    cv::polylines(g.bgr, line, true, edge_colour, px(kEdgeLineWidthM, g), cv::LINE_AA, 4);
  }
  const cv::Scalar yellow(20 * wear, 200 * wear, 235 * wear);
  if (style.centre == GroundStyle::Centre::kNone) return;
  if (style.centre == GroundStyle::Centre::kSolid) {
    const auto line = offset_polyline(track, g, 0.0, 0.0, track.length_m());
    cv::polylines(g.bgr, line, true, yellow, px(kCentreLineWidthM, g), cv::LINE_AA, 4);
    return;
  }
  for (double s = 0.0; s + kDashOnM <= track.length_m(); s += kDashOnM + kDashOffM) {
    const auto dash = offset_polyline(track, g, 0.0, s, s + kDashOnM);
    cv::polylines(g.bgr, dash, false, yellow, px(kCentreLineWidthM, g), cv::LINE_AA, 4);
  }
}

}  // namespace

cv::Point2d GroundImage::to_px(double x_m, double y_m) const {
  return {(x_m - x_min_m) / metres_per_px - 0.5, (y_max_m - y_m) / metres_per_px - 0.5};
}

GroundStyle GroundStyle::from(const config::SimConfig& sim) {
  GroundStyle st;
  st.seed = sim.seed;
  st.variation = sim.texture_variation;
  if (sim.line_colour == "yellow") st.edge_bgr = {20, 200, 235};
  if (sim.line_colour == "orange") st.edge_bgr = {20, 120, 240};
  if (sim.line_colour == "blue") st.edge_bgr = {190, 100, 30};
  if (sim.centre_line == "solid") st.centre = Centre::kSolid;
  if (sim.centre_line == "none") st.centre = Centre::kNone;
  st.shadows = sim.shadows;
  st.light_along_track = sim.light_along_track;
  st.distractors = sim.distractors;
  return st;
}

GroundImage build_ground(const Track& track, double metres_per_px, unsigned seed,
                         double variation) {
  GroundStyle style;
  style.seed = seed;
  style.variation = variation;
  return build_ground(track, metres_per_px, style);
}

GroundImage build_ground(const Track& track, double metres_per_px, const GroundStyle& style) {
  const unsigned seed = style.seed;
  GroundImage g;
  g.metres_per_px = metres_per_px;
  double x_min = std::numeric_limits<double>::max(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min;
  for (const TrackPoint& p : track.points()) {
    x_min = std::min(x_min, p.x_m), x_max = std::max(x_max, p.x_m);
    y_min = std::min(y_min, p.y_m), y_max = std::max(y_max, p.y_m);
  }
  const double margin = kMarginM + track.road_width_m() / 2;
  g.x_min_m = x_min - margin;
  g.y_max_m = y_max + margin;
  const double width_px = (x_max - x_min + 2 * margin) / metres_per_px;
  const double height_px = (y_max - y_min + 2 * margin) / metres_per_px;
  if (!(width_px <= kMaxGroundPx && height_px <= kMaxGroundPx)) {
    std::ostringstream msg;
    msg << track.source() << ": track '" << track.name() << "' spans " << x_max - x_min << " x "
        << y_max - y_min << " m; the simulator draws at most "
        << kMaxGroundPx * metres_per_px - 2 * margin
        << " m on a side (its ground image would not fit in memory): make the layout smaller";
    throw std::runtime_error(msg.str());
  }
  const cv::Size size(static_cast<int>(width_px), static_cast<int>(height_px));
  cv::RNG rng(0x9e3779b9u ^ seed);
  const double v = std::clamp(style.variation, 0.0, 1.0);
  // Grass: green by default; variation drifts it towards dry/brown and changes brightness.
  const double dry = v * rng.uniform(0.0, 1.0);
  const double bright = 1.0 + v * rng.uniform(-0.3, 0.3);
  const cv::Vec3d grass = cv::Vec3d(45 + 10 * dry, 105 + 10 * dry, 60 + 70 * dry) * bright;
  const double grass_amp = 1.0 + v * rng.uniform(-0.4, 0.6);
  const cv::Mat grass_noise = fractal_noise(
      size, rng, {{400.0, 14.0 * grass_amp}, {40.0, 8.0 * grass_amp}, {3.0, 12.0 * grass_amp}});
  g.bgr = colourise(grass_noise, grass, {0.6, 1.0, 0.8});
  g.far_bgr = cv::Scalar(grass[0], grass[1], grass[2]);
  // Asphalt: mid grey with fine grain and faint large stains.
  const double grey = 100 + v * rng.uniform(-35.0, 35.0);
  const double tint = v * rng.uniform(-8.0, 8.0);
  const cv::Mat asphalt_noise = fractal_noise(size, rng, {{300.0, 7.0}, {1.0, 9.0 * grass_amp}});
  const cv::Mat asphalt = colourise(asphalt_noise, {grey + tint, grey, grey - tint}, {1, 1, 1});
  GroundStyle clamped = style;
  clamped.variation = v;
  draw_road(track, g, asphalt, rng, clamped);
  draw_distractors(track, g, style);
  apply_world_light(track, g, style);
  return g;
}

}  // namespace rcpilot::sim
