// The renderer's ray path: a fisheye lens or a rolled camera. Each pixel's ray is precomputed
// once; per frame one 3x3 map takes every ray to the ground image, and cv::remap samples it.
#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "renderer_internal.hpp"
#include "sim/renderer.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kSkyTopElevationRad = 33.0 * kDegToRad;  // where the sky gradient ends
constexpr int kTreelineBins = 720;                        // tree line heights round the car
constexpr float kOutside = -1e5f;  // a map coordinate remap leaves alone (BORDER_TRANSPARENT)

double lens_hfov_deg(const std::string& lens) {
  if (lens == "wide120") return 120.0;
  if (lens == "wide160") return 160.0;
  return 0.0;  // pinhole
}

// Unit ray through pixel offset (du, dv) from the centre: pinhole, or equidistant fisheye
// (image radius proportional to the angle off the axis, r = f * theta).
cv::Vec3f lens_ray(double du, double dv, double focal_px, bool fisheye) {
  if (!fisheye) return cv::normalize(cv::Vec3d(du, dv, focal_px));
  const double r = std::hypot(du, dv);
  if (r < 1e-9) return {0.f, 0.f, 1.f};
  const double theta = r / focal_px;
  return cv::Vec3d(std::sin(theta) * du / r, std::sin(theta) * dv / r, std::cos(theta));
}

cv::Vec3b sky_colour(const cv::Vec3d& v, const std::vector<double>& treeline_rad) {
  const double elevation = std::atan2(v[2], std::hypot(v[0], v[1]));
  const double azimuth = std::atan2(v[1], v[0]);
  const auto bin = static_cast<std::size_t>(std::clamp(
      static_cast<int>((azimuth + M_PI) / (2 * M_PI) * kTreelineBins), 0, kTreelineBins - 1));
  if (elevation < treeline_rad[bin]) return kTreeBgr;
  const double t = std::clamp(1.0 - elevation / kSkyTopElevationRad, 0.0, 1.0);
  const cv::Vec3d c = kSkyTopBgr * (1 - t) + kSkyLowBgr * t;
  return cv::Vec3b(cv::saturate_cast<uchar>(c[0]), cv::saturate_cast<uchar>(c[1]),
                   cv::saturate_cast<uchar>(c[2]));
}

}  // namespace

void Renderer::build_rays(const config::SimConfig& sim) {
  const double lens_fov = lens_hfov_deg(sim.lens);
  if (lens_fov == 0.0 && sim.mount_roll_deg == 0.0) return;  // the pinhole path
  const bool fisheye = lens_fov > 0.0;
  const double focal = fisheye ? (width_ / 2.0) / (lens_fov / 2.0 * kDegToRad) : focal_px_;
  const double roll = sim.mount_roll_deg * kDegToRad;
  const double cx = (width_ - 1) / 2.0, cy = (height_ - 1) / 2.0;
  cv::RNG rng(7);
  std::vector<double> treeline(kTreelineBins);
  for (double& h : treeline) h = rng.uniform(1.0, 3.5) * kDegToRad;
  ray_maps_.rays.create(height_, width_, CV_32FC3);
  ray_maps_.sky.create(height_, width_, CV_8UC3);
  const cv::Matx33d to_vehicle = camera_rotation(pitch_deg_);
  for (int r = 0; r < height_; ++r) {
    for (int c = 0; c < width_; ++c) {
      // The camera is rolled: pixel offsets turn by the roll angle about the lens axis.
      const double du = c - cx, dv = r - cy;
      const double u = du * std::cos(roll) - dv * std::sin(roll);
      const double v = du * std::sin(roll) + dv * std::cos(roll);
      const cv::Vec3f ray = lens_ray(u, v, focal, fisheye);
      ray_maps_.rays.at<cv::Vec3f>(r, c) = ray;
      ray_maps_.sky.at<cv::Vec3b>(r, c) = sky_colour(to_vehicle * cv::Vec3d(ray), treeline);
    }
  }
  ray_maps_.map_x.create(height_, width_, CV_32F);
  ray_maps_.map_y.create(height_, width_, CV_32F);
}

void Renderer::build_ray_bands(const cv::Matx33d& to_vehicle, Bands& out) const {
  // Pyramid level per row from the centre column, as on the pinhole path; rows whose centre
  // shows no ground take the coarsest level seen.
  const int centre = width_ / 2;
  int coarsest = 0;
  out.count = 0;
  for (int row = 0; row < height_; ++row) {
    const cv::Vec3d g = to_vehicle * cv::Vec3d(ray_maps_.rays.at<cv::Vec3f>(row, centre));
    const cv::Vec3d g_next = to_vehicle * cv::Vec3d(ray_maps_.rays.at<cv::Vec3f>(
                                              std::min(row + 1, height_ - 1), centre + 1));
    int level = level_for(g, g_next);
    coarsest = std::max(coarsest, level);
    if (level < 0) level = coarsest;
    Band* last = out.count > 0 ? &out.items[out.count - 1] : nullptr;
    if (last != nullptr && (last->level == level || out.count == kMaxBands)) {
      last->row1 = row + 1;
    } else {
      out.items[out.count++] = {row, row + 1, level};
    }
  }
}

void Renderer::render_rays(const Pose2& car, cv::Mat& bgr, double nose_up_deg) const {
  const cv::Matx33d to_vehicle =
      camera_rays_to_vehicle_ground(pitch_deg_ - nose_up_deg, cam_height_m_, cam_forward_m_);
  const cv::Matx33d to_px = world_to_ground_px(car) * to_vehicle;
  ray_maps_.sky.copyTo(bgr);
  Bands bands;
  build_ray_bands(to_vehicle, bands);
  const cv::Vec3b far(cv::saturate_cast<uchar>(ground_.far_bgr[0]),
                      cv::saturate_cast<uchar>(ground_.far_bgr[1]),
                      cv::saturate_cast<uchar>(ground_.far_bgr[2]));
  const float limit_sq = static_cast<float>(kFarLimitM * kFarLimitM);
  const cv::Matx33f v = to_vehicle;  // floats: this loop runs once per pixel per frame
  for (int i = 0; i < bands.count; ++i) {
    const Band& band = bands.items[i];
    const cv::Matx33f m = level_scale(band.level) * to_px;
    for (int r = band.row0; r < band.row1; ++r) {
      const auto* rays = ray_maps_.rays.ptr<cv::Vec3f>(r);
      auto* mx = ray_maps_.map_x.ptr<float>(r);
      auto* my = ray_maps_.map_y.ptr<float>(r);
      auto* out = bgr.ptr<cv::Vec3b>(r);
      for (int c = 0; c < width_; ++c) {
        const float dx = rays[c][0], dy = rays[c][1], dz = rays[c][2];
        // Rear-axle frame, homogeneous: w > 0 when the ray meets the ground.
        const float w = v(2, 0) * dx + v(2, 1) * dy + v(2, 2) * dz;
        const float gx = v(0, 0) * dx + v(0, 1) * dy + v(0, 2) * dz;
        const float gy = v(1, 0) * dx + v(1, 1) * dy + v(1, 2) * dz;
        mx[c] = my[c] = kOutside;
        if (!(w > 1e-9f) || gx * gx + gy * gy >= limit_sq * w * w) continue;
        out[c] = far;  // kept where the ground image ends
        const float px = m(0, 0) * dx + m(0, 1) * dy + m(0, 2) * dz;
        const float py = m(1, 0) * dx + m(1, 1) * dy + m(1, 2) * dz;
        mx[c] = px / w;  // m's last row is v's: the same w
        my[c] = py / w;
      }
    }
    cv::Mat rows = bgr.rowRange(band.row0, band.row1);
    cv::remap(levels_[static_cast<std::size_t>(band.level)], rows,
              ray_maps_.map_x.rowRange(band.row0, band.row1),
              ray_maps_.map_y.rowRange(band.row0, band.row1), cv::INTER_LINEAR,
              cv::BORDER_TRANSPARENT);
  }
}

}  // namespace rcpilot::sim
