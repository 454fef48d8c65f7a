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

// Builds the ground for `track`: grass-like ground, grey road, white solid edge lines and a
// dashed yellow centre line. `seed` picks the noise; `variation` (0..1) how far colours, noise
// and line wear stray from the defaults.
GroundImage build_ground(const Track& track, double metres_per_px, unsigned seed, double variation);

class Renderer {
 public:
  // Camera geometry from `sim` (camera_*), frame size from `camera`; ground from sim.seed and
  // sim.texture_variation; lighting from sim.seed and sim.lighting_variation.
  Renderer(const config::SimConfig& sim, const config::CameraConfig& camera, const Track& track,
           double metres_per_px = 0.005);

  // Re-rolls the image-space lighting (gain, tint, vignette, shadow band). Not concurrent with
  // render().
  void set_lighting(unsigned seed, double variation);
  // Renders the view from a car whose rear axle is at `car`, into `bgr` (re-used when it is
  // already width x height CV_8UC3). Const and allocation-free after the first call.
  void render(const Pose2& car, cv::Mat& bgr) const;

  const GroundImage& ground() const { return ground_; }
  int horizon_row() const { return ground_row0_; }  // first image row that shows ground
  // Maps camera pixels (u, v, 1) to level-0 ground pixels for the car pose.
  cv::Matx33d camera_to_ground_px(const Pose2& car) const;

 private:
  struct Band {
    int row0 = 0;
    int row1 = 0;   // exclusive
    int level = 0;  // pyramid level; -1: beyond the far limit, fill with far colour
  };
  void build_camera(const config::SimConfig& sim, const config::CameraConfig& camera);
  void build_bands();
  void build_sky();
  void apply_lighting(cv::Mat& bgr) const;

  int width_ = 224;
  int height_ = 224;
  double focal_px_ = 100.0;
  double cam_height_m_ = 0.14;
  cv::Matx33d camera_to_vehicle_ground_;  // camera px -> ground point (rear-axle frame), homog.
  int ground_row0_ = 0;
  GroundImage ground_;
  std::vector<cv::Mat> levels_;  // ground_.bgr halved per level, for far rows (less aliasing)
  std::vector<Band> bands_;
  cv::Mat sky_;      // rows [0, ground_row0_)
  cv::Mat gain_q7_;  // CV_8UC3 per-pixel gain * 128 (0..2); empty = no change
};

}  // namespace rcpilot::sim
