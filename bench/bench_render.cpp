// Camera render cost of the simulator: ms per 224x224 frame (see bench/RESULTS.md).
#include <benchmark/benchmark.h>

#include <string>

#include "config/config.hpp"
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
void render_frame(benchmark::State& state, double lighting_variation) {
  rcpilot::config::SimConfig sim;
  sim.lighting_variation = lighting_variation;
  const rcpilot::config::CameraConfig camera;
  const rcpilot::sim::Renderer renderer(sim, camera, bench_track());
  cv::Mat frame;
  double s = 0.0;
  for (auto _ : state) {
    renderer.render(bench_track().pose_at(s, 0.1), frame);
    benchmark::DoNotOptimize(frame.data);
    s += 0.37;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RenderFrame224(benchmark::State& state) { render_frame(state, 0.0); }
void BM_RenderFrame224WithLighting(benchmark::State& state) { render_frame(state, 1.0); }

// Full SimCamera path cost minus the sleep: advance 33 ms of physics, then render.
void BM_WorldStepAndRender(benchmark::State& state) {
  rcpilot::sim::SimWorld world(rcpilot::config::SimConfig{}, rcpilot::config::CameraConfig{},
                               bench_track(), rcpilot::TimePoint{});
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

}  // namespace

BENCHMARK(BM_RenderFrame224)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RenderFrame224WithLighting)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_WorldStepAndRender)->Unit(benchmark::kMillisecond);
