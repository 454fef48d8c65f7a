#pragma once
// Shared by the renderer's pinhole path (renderer.cpp) and its ray path (renderer_rays.cpp).
#include <cmath>

#include <opencv2/core.hpp>

namespace rcpilot::sim {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;
constexpr double kFarLimitM = 25.0;  // ground beyond this is drawn as a flat far colour
inline const cv::Vec3d kSkyTopBgr(225, 175, 130);
inline const cv::Vec3d kSkyLowBgr(245, 232, 220);
inline const cv::Vec3b kTreeBgr(55, 85, 65);

// Maps level-0 pixel coordinates to level-k coordinates (pixel centres, halving per level).
inline cv::Matx33d level_scale(int level) {
  const double s = std::ldexp(1.0, -level);
  const double o = 0.5 * s - 0.5;
  return {s, 0, o, 0, s, o, 0, 0, 1};
}

// Camera axes (x right, y down, z forward) in the vehicle frame (x forward, y left, z up) for a
// camera pitched `pitch_deg` down.
inline cv::Matx33d camera_rotation(double pitch_deg) {
  const double sp = std::sin(pitch_deg * kDegToRad);
  const double cp = std::cos(pitch_deg * kDegToRad);
  return {0, -sp, cp, -1, 0, 0, 0, -cp, -sp};
}

// A camera-frame ray d from a lens `height_m` up and `forward_m` ahead of the rear axle meets
// the ground at (x / w, y / w) of the result (rear-axle frame, metres); w > 0 when it does.
inline cv::Matx33d camera_rays_to_vehicle_ground(double pitch_deg, double height_m,
                                                 double forward_m) {
  // Ray v in the vehicle frame meets the ground at (f * -vz + h * vx, h * vy, -vz) / -vz.
  const cv::Matx33d to_ground(height_m, 0, -forward_m, 0, height_m, 0, 0, 0, -1);
  return to_ground * camera_rotation(pitch_deg);
}

}  // namespace rcpilot::sim
