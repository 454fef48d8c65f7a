#include "sim/renderer.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace rcpilot::sim {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kFarLimitM = 25.0;  // ground beyond this is drawn as a flat far colour
constexpr int kMaxLevels = 7;
constexpr int kTreelineRows = 5;  // dark band just above the horizon

// Maps level-0 pixel coordinates to level-k coordinates (pixel centres, halving per level).
cv::Matx33d level_scale(int level) {
  const double s = std::ldexp(1.0, -level);
  const double o = 0.5 * s - 0.5;
  return {s, 0, o, 0, s, o, 0, 0, 1};
}

}  // namespace

Renderer::Renderer(const config::SimConfig& sim, const config::CameraConfig& camera,
                   const Track& track, double metres_per_px)
    : ground_(build_ground(track, metres_per_px, sim.seed, sim.texture_variation)) {
  build_camera(sim, camera);
  levels_.push_back(ground_.bgr);
  while (static_cast<int>(levels_.size()) < kMaxLevels && levels_.back().cols > 128) {
    cv::Mat half;
    cv::resize(levels_.back(), half,
               cv::Size((levels_.back().cols + 1) / 2, (levels_.back().rows + 1) / 2), 0, 0,
               cv::INTER_AREA);
    levels_.push_back(half);
  }
  build_bands();
  build_sky();
  set_lighting(sim.seed, sim.lighting_variation);
}

void Renderer::build_camera(const config::SimConfig& sim, const config::CameraConfig& camera) {
  width_ = camera.width;
  height_ = camera.height;
  focal_px_ = (width_ / 2.0) / std::tan(sim.camera_hfov_deg * kDegToRad / 2.0);
  cam_height_m_ = sim.camera_height_m;
  const double cx = (width_ - 1) / 2.0, cy = (height_ - 1) / 2.0;
  const double sp = std::sin(sim.camera_pitch_deg * kDegToRad);
  const double cp = std::cos(sim.camera_pitch_deg * kDegToRad);
  const cv::Matx33d k_inv(1 / focal_px_, 0, -cx / focal_px_, 0, 1 / focal_px_, -cy / focal_px_, 0,
                          0, 1);
  // Camera axes (x right, y down, z forward) in the vehicle frame (x forward, y left, z up).
  const cv::Matx33d rot(0, -sp, cp, -1, 0, 0, 0, -cp, -sp);
  // Ray d from the lens at (forward, 0, height) meets the ground at ((f*-dz + h*dx), h*dy, -dz).
  const double h = sim.camera_height_m, f = sim.camera_forward_m;
  const cv::Matx33d to_ground(h, 0, -f, 0, h, 0, 0, 0, -1);
  camera_to_vehicle_ground_ = to_ground * rot * k_inv;
  const double horizon = cy - focal_px_ * sp / cp;
  ground_row0_ = std::clamp(static_cast<int>(std::floor(horizon)) + 1, 0, height_);
}

void Renderer::build_bands() {
  bands_.clear();
  for (int row = ground_row0_; row < height_; ++row) {
    const cv::Vec3d g = camera_to_vehicle_ground_ * cv::Vec3d(width_ / 2.0, row, 1.0);
    const cv::Vec3d g_next = camera_to_vehicle_ground_ * cv::Vec3d(width_ / 2.0 + 1, row + 1, 1.0);
    int level = -1;
    if (g[2] > 0 && g[0] / g[2] < kFarLimitM) {
      // Ground footprint of one pixel (geometric mean of along and across), in texels.
      const double along = std::fabs(g_next[0] / g_next[2] - g[0] / g[2]);
      const double across = std::fabs(g_next[1] / g_next[2] - g[1] / g[2]);
      const double texels = std::sqrt(std::max(along * across, 1e-12)) / ground_.metres_per_px;
      level = std::clamp(static_cast<int>(std::floor(std::log2(texels) + 0.5)), 0,
                         static_cast<int>(levels_.size()) - 1);
    }
    if (!bands_.empty() && bands_.back().level == level) {
      bands_.back().row1 = row + 1;
    } else {
      bands_.push_back({row, row + 1, level});
    }
  }
}

void Renderer::build_sky() {
  sky_.create(std::max(ground_row0_, 1), width_, CV_8UC3);
  const cv::Vec3d top(225, 175, 130), low(245, 232, 220);
  cv::RNG rng(7);
  for (int r = 0; r < sky_.rows; ++r) {
    const double t = sky_.rows > 1 ? static_cast<double>(r) / (sky_.rows - 1) : 1.0;
    const cv::Vec3d c = top * (1 - t) + low * t;
    sky_.row(r).setTo(cv::Scalar(c[0], c[1], c[2]));
  }
  // A distant tree line gives the horizon some texture.
  for (int x = 0; x < width_; ++x) {
    const int h = std::min(sky_.rows, kTreelineRows + rng.uniform(-2, 4));
    for (int r = sky_.rows - h; r < sky_.rows; ++r) {
      sky_.at<cv::Vec3b>(r, x) = cv::Vec3b(55, 85, 65);
    }
  }
}

cv::Matx33d Renderer::camera_to_ground_px(const Pose2& car) const {
  const double c = std::cos(car.yaw_rad), s = std::sin(car.yaw_rad);
  const cv::Matx33d to_world(c, -s, car.x_m, s, c, car.y_m, 0, 0, 1);
  const double inv = 1.0 / ground_.metres_per_px;
  const cv::Matx33d to_px(inv, 0, -ground_.x_min_m * inv - 0.5, 0, -inv,
                          ground_.y_max_m * inv - 0.5, 0, 0, 1);
  return to_px * to_world * camera_to_vehicle_ground_;
}

void Renderer::render(const Pose2& car, cv::Mat& bgr) const {
  bgr.create(height_, width_, CV_8UC3);
  if (ground_row0_ > 0) sky_.rowRange(0, ground_row0_).copyTo(bgr.rowRange(0, ground_row0_));
  const cv::Matx33d to_ground = camera_to_ground_px(car);
  for (const Band& band : bands_) {
    cv::Mat rows = bgr.rowRange(band.row0, band.row1);
    if (band.level < 0) {
      rows.setTo(ground_.far_bgr);
      continue;
    }
    const cv::Matx33d shift(1, 0, 0, 0, 1, band.row0, 0, 0, 1);
    const cv::Matx33d m = level_scale(band.level) * to_ground * shift;
    cv::warpPerspective(levels_[static_cast<std::size_t>(band.level)], rows, cv::Mat(m),
                        rows.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT,
                        ground_.far_bgr);
  }
  apply_lighting(bgr);
}

}  // namespace rcpilot::sim
