// Image-space lighting variation: brightness, colour tint, vignette and a soft shadow band.
#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "sim/renderer.hpp"

namespace rcpilot::sim {
namespace {

struct Lighting {
  double brightness = 1.0;
  cv::Vec3d tint{1, 1, 1};
  double vignette = 0.0;       // fractional darkening at the corners
  double shadow = 0.0;         // fractional darkening inside the band
  double shadow_angle = 0.0;   // band direction, rad
  double shadow_offset = 0.0;  // band centre, fraction of the half diagonal
  double shadow_width = 0.3;   // band half width, fraction of the image
};

Lighting roll_lighting(unsigned seed, double v) {
  cv::RNG rng(0x51ed270bu ^ (seed * 2654435761u));
  Lighting l;
  l.brightness = 1.0 + v * rng.uniform(-0.45, 0.3);
  for (int c = 0; c < 3; ++c) l.tint[c] = 1.0 + v * rng.uniform(-0.12, 0.12);
  l.vignette = v * rng.uniform(0.0, 0.35);
  if (rng.uniform(0.0, 1.0) < 0.6 * v) {
    l.shadow = rng.uniform(0.2, 0.5);
    l.shadow_angle = rng.uniform(0.0, 3.14159265358979323846);
    l.shadow_offset = rng.uniform(-0.7, 0.7);
    l.shadow_width = rng.uniform(0.08, 0.3);
  }
  return l;
}

double spatial_gain(const Lighting& l, double nx, double ny) {
  double g = 1.0 - l.vignette * 0.5 * (nx * nx + ny * ny);
  if (l.shadow > 0) {
    const double d =
        nx * std::cos(l.shadow_angle) + ny * std::sin(l.shadow_angle) - l.shadow_offset;
    const double inside = std::clamp((l.shadow_width - std::fabs(d)) / 0.05, 0.0, 1.0);
    g *= 1.0 - l.shadow * inside;
  }
  return g;
}

}  // namespace

void Renderer::set_lighting(unsigned seed, double variation) {
  const double v = std::clamp(variation, 0.0, 1.0);
  if (v <= 0.0) {
    gain_q7_.release();
    return;
  }
  const Lighting l = roll_lighting(seed, v);
  gain_q7_.create(height_, width_, CV_8UC3);
  for (int r = 0; r < height_; ++r) {
    auto* row = gain_q7_.ptr<cv::Vec3b>(r);
    const double ny = 2.0 * r / std::max(1, height_ - 1) - 1.0;
    for (int c = 0; c < width_; ++c) {
      const double nx = 2.0 * c / std::max(1, width_ - 1) - 1.0;
      const double g = l.brightness * spatial_gain(l, nx, ny);
      for (int k = 0; k < 3; ++k) {
        row[c][k] = static_cast<std::uint8_t>(std::clamp(g * l.tint[k] * 128.0, 0.0, 255.0));
      }
    }
  }
}

void Renderer::apply_lighting(cv::Mat& bgr) const {
  if (gain_q7_.empty()) return;
  cv::multiply(bgr, gain_q7_, bgr, 1.0 / 128.0);  // saturating, SIMD, in place
}

}  // namespace rcpilot::sim
