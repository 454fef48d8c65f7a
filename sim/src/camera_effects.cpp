#include "sim/camera_effects.hpp"

#include <algorithm>
#include <cmath>

#include "perception/jpeg_codec.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kTargetLevel = 115.0;  // 8-bit mean luma auto exposure aims for
constexpr double kMinGain = 0.25, kMaxGain = 4.0;
constexpr double kMinBalance = 0.5, kMaxBalance = 2.0;

// Auto exposure (mean luma to kTargetLevel) times grey-world white balance, per channel.
cv::Vec3d target_gains(const cv::Scalar& mean_bgr) {
  const double luma = 0.114 * mean_bgr[0] + 0.587 * mean_bgr[1] + 0.299 * mean_bgr[2];
  const double grey = (mean_bgr[0] + mean_bgr[1] + mean_bgr[2]) / 3.0;
  const double exposure = std::clamp(kTargetLevel / std::max(luma, 1.0), kMinGain, kMaxGain);
  cv::Vec3d g;
  for (int c = 0; c < 3; ++c) {
    g[c] = exposure * std::clamp(grey / std::max(mean_bgr[c], 1.0), kMinBalance, kMaxBalance);
  }
  return g;
}

}  // namespace

CameraEffects::CameraEffects(const config::SimConfig& sim)
    : auto_exposure_(sim.auto_exposure),
      tau_s_(sim.auto_exposure_tau_s),
      noise_std_(sim.noise_std),
      jpeg_quality_(sim.jpeg_quality),
      seed_(sim.seed) {}

void CameraEffects::apply(cv::Mat& bgr, TimePoint captured_at) {
  if (auto_exposure_) auto_expose(bgr, captured_at);
  if (noise_std_ > 0) add_noise(bgr);
  if (jpeg_quality_ > 0) compress(bgr);
  ++frame_;
}

void CameraEffects::auto_expose(cv::Mat& bgr, TimePoint captured_at) {
  // The gains set from earlier frames expose this one; this frame then moves them (a real
  // camera meters the frame it has just read out).
  const cv::Vec3d target = target_gains(cv::mean(bgr));
  if (!has_gains_) {
    gains_ = target;
    has_gains_ = true;
  }
  // One table look-up per byte (saturating): cv::multiply by a Scalar and cv::LUT on three
  // channels both cost several times more at this size.
  std::uint8_t lut[3][256];
  for (int c = 0; c < 3; ++c) {
    for (int v = 0; v < 256; ++v) lut[c][v] = cv::saturate_cast<std::uint8_t>(v * gains_[c]);
  }
  for (int r = 0; r < bgr.rows; ++r) {
    std::uint8_t* p = bgr.ptr<std::uint8_t>(r);
    for (int i = 0; i < bgr.cols; ++i, p += 3) {
      p[0] = lut[0][p[0]];
      p[1] = lut[1][p[1]];
      p[2] = lut[2][p[2]];
    }
  }
  const double dt_s =
      std::max(0.0, std::chrono::duration<double>(captured_at - last_frame_).count());
  const double follow = 1.0 - std::exp(-dt_s / tau_s_);
  gains_ += (target - gains_) * follow;
  last_frame_ = captured_at;
}

void CameraEffects::add_noise(cv::Mat& bgr) {
  if (noise_up_.empty()) {
    // A bank of noise twice the frame, generated once; each frame reads it at a seeded offset
    // (fresh Gaussian noise per pixel per frame costs more than the render).
    cv::RNG rng(0x6e015eull ^ (seed_ * 2654435761ull));
    cv::Mat noise(2 * bgr.rows, 2 * bgr.cols, CV_32FC3);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, noise_std_);
    noise.convertTo(noise_up_, CV_8U);  // negative values saturate to 0
    cv::Mat negated = -noise;
    negated.convertTo(noise_down_, CV_8U);
  }
  cv::RNG pick(seed_ * 7919ull + frame_ * 104729ull + 1);
  const cv::Rect at(pick.uniform(0, bgr.cols), pick.uniform(0, bgr.rows), bgr.cols, bgr.rows);
  cv::add(bgr, noise_up_(at), bgr);  // saturating
  cv::subtract(bgr, noise_down_(at), bgr);
}

void CameraEffects::compress(cv::Mat& bgr) {
  perception::encode_jpeg(bgr, jpeg_quality_, jpeg_);
  perception::decode_jpeg(jpeg_.data(), jpeg_.size()).copyTo(bgr);
}

config::SimConfig with_all_effects(config::SimConfig s) {
  s.noise_std = 4;
  s.exposure_ms = 10;
  s.jpeg_quality = 60;
  s.lens = "wide160";
  s.auto_exposure = true;
  s.latency_ms = 50;
  s.shadows = 0.6;
  s.light_along_track = 0.6;
  s.mount_roll_deg = 2;
  s.accel_pitch_deg_per_mps2 = 0.3;
  s.distractors = 0.6;
  s.lighting_variation = 0.5;
  s.texture_variation = 0.5;
  return s;
}

}  // namespace rcpilot::sim
