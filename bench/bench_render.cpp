// Camera render cost of the simulator: ms per 224x224 frame (see bench/RESULTS.md).
#include <benchmark/benchmark.h>

#include <string>

#include "config/config.hpp"
#include "sim/camera_effects.hpp"
#include "sim/renderer.hpp"
#include "sim/sim_world.hpp"
#include "sim/track.hpp"

namespace {

using rcpilot::sim::Track;

const Track& bench_track() {
  static const Track track =
      rcpilot::sim::load_track(std::string(RCPILOT_SOURCE_DIR) + "/sim/tracks/default.yaml");
  return track;
}

// Renders poses spread round the track, as the car would see them, into one re-used buffer.
void render_frames(benchmark::State& state, const rcpilot::config::SimConfig& sim) {
  const rcpilot::sim::Renderer renderer(sim, rcpilot::config::CameraConfig{}, bench_track());
  cv::Mat frame;
  double s = 0.0;
  for (auto _ : state) {
    renderer.render(bench_track().pose_at(s, 0.1), frame);
    benchmark::DoNotOptimize(frame.data);
    s += 0.37;
  }
  state.SetItemsProcessed(state.iterations());
}

void render_frame(benchmark::State& state, double lighting_variation) {
  rcpilot::config::SimConfig sim;
  sim.lighting_variation = lighting_variation;
  render_frames(state, sim);
}

void BM_RenderFrame224(benchmark::State& state) { render_frame(state, 0.0); }
void BM_RenderFrame224WithLighting(benchmark::State& state) { render_frame(state, 1.0); }

// Drives `sim` with the expert: 33 ms of physics, then a render, per iteration.
void step_and_render(benchmark::State& state, const rcpilot::config::SimConfig& sim) {
  rcpilot::sim::SimWorld world(sim, rcpilot::config::CameraConfig{}, bench_track(),
                               rcpilot::TimePoint{});
  cv::Mat frame;
  rcpilot::TimePoint now{};
  for (auto _ : state) {
    const auto cmd = world.expert_command();
    world.set_command(cmd.steering_norm, cmd.throttle_norm, now);
    now += std::chrono::milliseconds(33);
    world.advance_to(now);
    world.render(frame);
    benchmark::DoNotOptimize(frame.data);
  }
}

// Full SimCamera path cost minus the sleep: advance 33 ms of physics, then render.
void BM_WorldStepAndRender(benchmark::State& state) {
  step_and_render(state, rcpilot::config::SimConfig{});
}

// Every camera realism effect on (the set bench/sim_speed.py and docs/sim-effects/all-on.png
// use): fisheye ray path, three views for motion blur, auto exposure, noise and JPEG.
rcpilot::config::SimConfig all_effects() {
  rcpilot::config::SimConfig sim = rcpilot::sim::with_all_effects({});
  sim.mount_pitch_offset_deg = 2;
  return sim;
}

// The renderer alone on the fisheye ray path.
void BM_RenderFrame224Wide160(benchmark::State& state) {
  rcpilot::config::SimConfig sim;
  sim.lens = "wide160";
  render_frames(state, sim);
}

// BM_WorldStepAndRender with every effect on.
void BM_WorldStepAndRenderAllEffects(benchmark::State& state) {
  step_and_render(state, all_effects());
}

// One image-space effect on a rendered frame (copy included, ~0.01 ms).
void effect(benchmark::State& state, const rcpilot::config::SimConfig& sim) {
  const rcpilot::sim::Renderer renderer(rcpilot::config::SimConfig{},
                                        rcpilot::config::CameraConfig{}, bench_track());
  cv::Mat clean, frame;
  renderer.render(bench_track().pose_at(6.0, 0.1), clean);
  rcpilot::sim::CameraEffects fx(sim);
  rcpilot::TimePoint t{};
  for (auto _ : state) {
    clean.copyTo(frame);
    fx.apply(frame, t += std::chrono::milliseconds(33));
    benchmark::DoNotOptimize(frame.data);
  }
}

void BM_EffectJpeg60(benchmark::State& state) {
  rcpilot::config::SimConfig sim;
  sim.jpeg_quality = 60;
  effect(state, sim);
}

void BM_EffectNoise(benchmark::State& state) {
  rcpilot::config::SimConfig sim;
  sim.noise_std = 4;
  effect(state, sim);
}

void BM_EffectAutoExposure(benchmark::State& state) {
  rcpilot::config::SimConfig sim;
  sim.auto_exposure = true;
  effect(state, sim);
}

}  // namespace

BENCHMARK(BM_EffectJpeg60)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EffectNoise)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EffectAutoExposure)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderFrame224Wide160)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorldStepAndRenderAllEffects)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderFrame224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderFrame224WithLighting)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorldStepAndRender)->Unit(benchmark::kMillisecond);
