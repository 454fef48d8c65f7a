#pragma once
// Camera renderer: a pre-rendered top-down ground image seen through a pinhole camera by a
// ground-plane homography, with a sky above the horizon and seeded lighting variation.
#include <vector>

#include <opencv2/core.hpp>

#include "config/config.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {

// The top-down world image and how world metres map onto its pixels.
struct GroundImage {
  cv::Mat bgr;  // north up; 8-bit BGR
  double metres_per_px = 0.005;
  double x_min_m = 0.0;  // world x of the left edge of pixel column 0
  double y_max_m = 0.0;  // world y of the top edge of pixel row 0
  cv::Scalar far_bgr;    // colour of ground beyond the image (mean grass)

  cv::Point2d to_px(double x_m, double y_m) const;
};

// How the ground looks: texture variation and track variety (config keys in docs/simulator.md).
struct GroundStyle {
  unsigned seed = 1;       // picks every random choice below
  double variation = 0.0;  // 0..1, how far colours, noise and line wear stray from the defaults
  cv::Scalar edge_bgr{235, 235, 235};  // edge line colour before wear
  enum class Centre { kDashed, kSolid, kNone } centre = Centre::kDashed;
  double shadows = 0.0;            // 0..1, world-fixed shadows (share of ground and depth)
  double light_along_track = 0.0;  // 0..1, swing of the light level across the world
  double distractors = 0.0;        // 0..1, cones, tape and surface patches beside the road

  // From sim.seed, texture_variation, line_colour, centre_line, shadows, light_along_track,
  // distractors.
  static GroundStyle from(const config::SimConfig& sim);
};

// Builds the ground for `track`: grass-like ground, grey road, solid edge lines and a yellow
// centre line as `style` says, distractors beside the road, then world-fixed light and shadows.
GroundImage build_ground(const Track& track, double metres_per_px, const GroundStyle& style);
// The default look with `seed` and `variation` (see GroundStyle).
GroundImage build_ground(const Track& track, double metres_per_px, unsigned seed, double variation);

// Track variety drawn after the road (ground_extras.cpp): distractors, then light and shadows.
void draw_distractors(const Track& track, GroundImage& g, const GroundStyle& style);
void apply_world_light(const Track& track, GroundImage& g, const GroundStyle& style);

class Renderer {
 public:
  // Camera geometry from `sim` (camera_*, mount_*, lens), frame size from `camera`; ground from
  // GroundStyle::from(sim); lighting from sim.seed and sim.lighting_variation.
  Renderer(const config::SimConfig& sim, const config::CameraConfig& camera, const Track& track,
           double metres_per_px = 0.005);

  // Re-rolls the image-space lighting (gain, tint, vignette, shadow band). Not concurrent with
  // render().
  void set_lighting(unsigned seed, double variation);
  // Renders the view from a car whose rear axle is at `car` and whose body is pitched
  // `nose_up_deg` (acceleration), into `bgr` (re-used when it is already width x height
  // CV_8UC3). Const and allocation-free after the first call with a pinhole lens and no roll;
  // a fisheye lens or roll uses per-pixel rays and scratch maps, so calls must not overlap.
  void render(const Pose2& car, cv::Mat& bgr, double nose_up_deg = 0.0) const;

  const GroundImage& ground() const { return ground_; }
  int horizon_row() const { return ground_row0_; }  // first image row that shows ground
  // Maps camera pixels (u, v, 1) to level-0 ground pixels for the car pose (pinhole, level car).
  cv::Matx33d camera_to_ground_px(const Pose2& car) const;

 private:
  struct Band {
    int row0 = 0;
    int row1 = 0;   // exclusive
    int level = 0;  // pyramid level; -1: beyond the far limit, fill with far colour
  };
  static constexpr int kMaxBands = 24;
  struct Bands {
    Band items[kMaxBands];
    int count = 0;
  };
  // Rays from the lens through each pixel, for a fisheye lens or a rolled camera.
  struct RayMaps {
    cv::Mat rays;  // CV_32FC3 unit rays in the camera frame (x right, y down, z forward)
    cv::Mat sky;   // CV_8UC3 the sky at the nominal pitch (where no ray meets the ground)
    mutable cv::Mat map_x, map_y;  // CV_32F per-frame ground coordinates (scratch)
  };
  void build_camera(const config::SimConfig& sim, const config::CameraConfig& camera);
  // Camera px -> ground point in the rear-axle frame (homogeneous) at `pitch_deg` down.
  cv::Matx33d camera_to_vehicle_ground(double pitch_deg) const;
  cv::Matx33d world_to_ground_px(const Pose2& car) const;
  int horizon_for(double pitch_deg) const;
  void build_bands(const cv::Matx33d& cam_to_ground, int row0, Bands& out) const;
  int level_for(const cv::Vec3d& g, const cv::Vec3d& g_next) const;
  void build_sky();
  void build_rays(const config::SimConfig& sim);
  void build_ray_bands(const cv::Matx33d& to_vehicle, Bands& out) const;
  void render_pinhole(const Pose2& car, cv::Mat& bgr, double nose_up_deg) const;
  void render_rays(const Pose2& car, cv::Mat& bgr, double nose_up_deg) const;
  void apply_lighting(cv::Mat& bgr) const;

  int width_ = 224;
  int height_ = 224;
  double focal_px_ = 100.0;
  double cam_height_m_ = 0.14;
  double cam_forward_m_ = 0.10;
  double pitch_deg_ = 22.0;               // camera pitch with the mount offset, body level
  cv::Matx33d camera_to_vehicle_ground_;  // camera px -> ground point (rear-axle frame), homog.
  int ground_row0_ = 0;
  GroundImage ground_;
  std::vector<cv::Mat> levels_;  // ground_.bgr halved per level, for far rows (less aliasing)
  Bands bands_;
  cv::Mat sky_;       // 2 x height rows, the horizon between rows height-1 and height
  cv::Mat gain_q7_;   // CV_8UC3 per-pixel gain * 128 (0..2); empty = no change
  RayMaps ray_maps_;  // empty rays: the pinhole path
};

}  // namespace rcpilot::sim
