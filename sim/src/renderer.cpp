#include "sim/renderer.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "renderer_internal.hpp"

namespace rcpilot::sim {
namespace {

constexpr int kMaxLevels = 7;
constexpr int kTreelineRows = 5;  // dark band just above the horizon

}  // namespace

Renderer::Renderer(const config::SimConfig& sim, const config::CameraConfig& camera,
                   const Track& track, double metres_per_px)
    : ground_(build_ground(track, metres_per_px, GroundStyle::from(sim))) {
  build_camera(sim, camera);
  levels_.push_back(ground_.bgr);
  while (static_cast<int>(levels_.size()) < kMaxLevels && levels_.back().cols > 128) {
    cv::Mat half;
    cv::resize(levels_.back(), half,
               cv::Size((levels_.back().cols + 1) / 2, (levels_.back().rows + 1) / 2), 0, 0,
               cv::INTER_AREA);
    levels_.push_back(half);
  }
  build_bands(camera_to_vehicle_ground_, ground_row0_, bands_);
  build_sky();
  build_rays(sim);
  set_lighting(sim.seed, sim.lighting_variation);
}

void Renderer::build_camera(const config::SimConfig& sim, const config::CameraConfig& camera) {
  width_ = camera.width;
  height_ = camera.height;
  focal_px_ = (width_ / 2.0) / std::tan(sim.camera_hfov_deg * kDegToRad / 2.0);
  cam_height_m_ = sim.camera_height_m + sim.mount_height_offset_m;
  cam_forward_m_ = sim.camera_forward_m;
  pitch_deg_ = sim.camera_pitch_deg + sim.mount_pitch_offset_deg;
  camera_to_vehicle_ground_ = camera_to_vehicle_ground(pitch_deg_);
  ground_row0_ = horizon_for(pitch_deg_);
}

cv::Matx33d Renderer::camera_to_vehicle_ground(double pitch_deg) const {
  const double cx = (width_ - 1) / 2.0, cy = (height_ - 1) / 2.0;
  const cv::Matx33d k_inv(1 / focal_px_, 0, -cx / focal_px_, 0, 1 / focal_px_, -cy / focal_px_, 0,
                          0, 1);
  return camera_rays_to_vehicle_ground(pitch_deg, cam_height_m_, cam_forward_m_) * k_inv;
}

int Renderer::horizon_for(double pitch_deg) const {
  const double cy = (height_ - 1) / 2.0;
  const double sp = std::sin(pitch_deg * kDegToRad);
  const double cp = std::cos(pitch_deg * kDegToRad);
  const double horizon = cy - focal_px_ * sp / cp;
  return std::clamp(static_cast<int>(std::floor(horizon)) + 1, 0, height_);
}

int Renderer::level_for(const cv::Vec3d& g, const cv::Vec3d& g_next) const {
  if (!(g[2] > 0 && g[0] / g[2] < kFarLimitM)) return -1;
  // Ground footprint of one pixel (geometric mean of along and across), in texels.
  const double along = std::fabs(g_next[0] / g_next[2] - g[0] / g[2]);
  const double across = std::fabs(g_next[1] / g_next[2] - g[1] / g[2]);
  const double texels = std::sqrt(std::max(along * across, 1e-12)) / ground_.metres_per_px;
  return std::clamp(static_cast<int>(std::floor(std::log2(texels) + 0.5)), 0,
                    static_cast<int>(levels_.size()) - 1);
}

void Renderer::build_bands(const cv::Matx33d& cam_to_ground, int row0, Bands& out) const {
  out.count = 0;
  for (int row = row0; row < height_; ++row) {
    const cv::Vec3d g = cam_to_ground * cv::Vec3d(width_ / 2.0, row, 1.0);
    const cv::Vec3d g_next = cam_to_ground * cv::Vec3d(width_ / 2.0 + 1, row + 1, 1.0);
    const int level = level_for(g, g_next);
    if (out.count > 0 && (out.items[out.count - 1].level == level || out.count == kMaxBands)) {
      out.items[out.count - 1].row1 = row + 1;
    } else {
      out.items[out.count++] = {row, row + 1, level};
    }
  }
}

void Renderer::build_sky() {
  // Two image heights with the horizon at row height_, so a pitched body can show more sky.
  sky_.create(2 * height_, width_, CV_8UC3);
  const int rows = std::max(ground_row0_, 1);  // the sky the level camera shows
  const int offset = height_ - rows;
  cv::RNG rng(7);
  for (int r = 0; r < sky_.rows; ++r) {
    const double t =
        std::clamp(rows > 1 ? static_cast<double>(r - offset) / (rows - 1) : 1.0, 0.0, 1.0);
    const cv::Vec3d c = kSkyTopBgr * (1 - t) + kSkyLowBgr * t;
    sky_.row(r).setTo(cv::Scalar(c[0], c[1], c[2]));
  }
  // A distant tree line gives the horizon some texture.
  for (int x = 0; x < width_; ++x) {
    const int h = std::min(rows, kTreelineRows + rng.uniform(-2, 4));
    for (int r = rows - h; r < rows; ++r) sky_.at<cv::Vec3b>(offset + r, x) = kTreeBgr;
  }
}

cv::Matx33d Renderer::world_to_ground_px(const Pose2& car) const {
  const double c = std::cos(car.yaw_rad), s = std::sin(car.yaw_rad);
  const cv::Matx33d to_world(c, -s, car.x_m, s, c, car.y_m, 0, 0, 1);
  const double inv = 1.0 / ground_.metres_per_px;
  const cv::Matx33d to_px(inv, 0, -ground_.x_min_m * inv - 0.5, 0, -inv,
                          ground_.y_max_m * inv - 0.5, 0, 0, 1);
  return to_px * to_world;
}

cv::Matx33d Renderer::camera_to_ground_px(const Pose2& car) const {
  return world_to_ground_px(car) * camera_to_vehicle_ground_;
}

void Renderer::render(const Pose2& car, cv::Mat& bgr, double nose_up_deg) const {
  bgr.create(height_, width_, CV_8UC3);
  if (ray_maps_.rays.empty()) {
    render_pinhole(car, bgr, nose_up_deg);
  } else {
    render_rays(car, bgr, nose_up_deg);
  }
  apply_lighting(bgr);
}

void Renderer::render_pinhole(const Pose2& car, cv::Mat& bgr, double nose_up_deg) const {
  cv::Matx33d cam = camera_to_vehicle_ground_;
  int row0 = ground_row0_;
  Bands pitched;
  const Bands* bands = &bands_;
  if (nose_up_deg != 0.0) {  // the body's pitch turns the camera: a new horizon and bands
    cam = camera_to_vehicle_ground(pitch_deg_ - nose_up_deg);
    row0 = horizon_for(pitch_deg_ - nose_up_deg);
    build_bands(cam, row0, pitched);
    bands = &pitched;
  }
  if (row0 > 0) sky_.rowRange(height_ - row0, height_).copyTo(bgr.rowRange(0, row0));
  const cv::Matx33d to_ground = world_to_ground_px(car) * cam;
  for (int i = 0; i < bands->count; ++i) {
    const Band& band = bands->items[i];
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
}

}  // namespace rcpilot::sim
