// Preprocess + inference time of the pilot on a camera-sized frame (Google Benchmark).
//
// BM_PilotPreprocessAndInfer: $RCPILOT_BENCH_MODEL, else models/linear.onnx under
// RCPILOT_SOURCE_DIR; metadata beside it (<model>.yaml) unless $RCPILOT_BENCH_METADATA names
// one. BM_Resnet18PreprocessAndInfer: $RCPILOT_BENCH_RESNET18, else models/resnet18.onnx under
// the build folder, as scripts/export_resnet18.py writes it (metadata beside it). Arguments:
// the backend (0 OpenCV DNN, 1 oneDNN in fp32, 2 oneDNN in bf16, loaded by load_model() as in
// the node; bf16 is skipped with the engine's error on a CPU without it) and its threads. Counters:
// p50_ms / p99_ms of preprocess + inference per frame, and the p50 of each part. main() comes from
// benchmark::benchmark_main.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "common/stats.hpp"
#include "perception/model_loader.hpp"
#include "perception/pilot.hpp"

namespace {

using rcpilot::perception::ModelMetadata;

std::string bench_model_path() {
  if (const char* env = std::getenv("RCPILOT_BENCH_MODEL")) return env;
#ifdef RCPILOT_SOURCE_DIR
  return std::string(RCPILOT_SOURCE_DIR) + "/models/linear.onnx";
#else
  return "models/linear.onnx";
#endif
}

std::string bench_metadata_path(const std::string& model) {
  if (const char* env = std::getenv("RCPILOT_BENCH_METADATA")) return env;
  return rcpilot::perception::default_metadata_path(model);
}

std::string resnet18_path() {
  if (const char* env = std::getenv("RCPILOT_BENCH_RESNET18")) return env;
#ifdef RCPILOT_BINARY_DIR
  return std::string(RCPILOT_BINARY_DIR) + "/models/resnet18.onnx";
#else
  return "build/models/resnet18.onnx";
#endif
}

const char* backend_name(std::int64_t arg) { return arg == 0 ? "opencv" : "onednn"; }
const char* precision_name(std::int64_t arg) { return arg == 2 ? "bf16" : "fp32"; }

// Times Pilot::infer (the node's preprocess + engine path) of `model` on a random frame.
void time_pilot(benchmark::State& state, const std::string& model, const std::string& metadata) {
  rcpilot::config::ModelConfig config;
  config.path = model;
  config.metadata = metadata;
  config.backend = backend_name(state.range(0));
  config.precision = precision_name(state.range(0));
  config.threads = static_cast<int>(state.range(1));
  rcpilot::perception::LoadedModel loaded;
  try {
    loaded = rcpilot::perception::load_model(config, "");
  } catch (const rcpilot::perception::ModelError& e) {
    state.SkipWithError(e.what());
    return;
  }
  const ModelMetadata meta = loaded.metadata;
  rcpilot::perception::Pilot pilot(std::move(loaded.engine), meta);
  pilot.warm_up(10);

  rcpilot::perception::Frame frame;
  frame.bgr = cv::Mat(meta.input.height(), meta.input.width(), CV_8UC3);
  cv::randu(frame.bgr, cv::Scalar::all(0), cv::Scalar::all(256));
  const rcpilot::SteadyClock clock;
  std::vector<double> total_ms, preprocess_ms, inference_ms;
  for (auto _ : state) {
    const auto p = pilot.infer(frame, clock);
    if (!p.valid) {
      state.SkipWithError(("inference failed: " + pilot.last_error()).c_str());
      break;
    }
    total_ms.push_back(p.preprocess_ms + p.inference_ms);
    preprocess_ms.push_back(p.preprocess_ms);
    inference_ms.push_back(p.inference_ms);
  }
  const auto total = rcpilot::summarize(total_ms);
  state.counters["p50_ms"] = total.p50;
  state.counters["p99_ms"] = total.p99;
  state.counters["preprocess_p50_ms"] = rcpilot::summarize(preprocess_ms).p50;
  state.counters["inference_p50_ms"] = rcpilot::summarize(inference_ms).p50;
  state.SetLabel(meta.architecture + " " + rcpilot::perception::format_shape(meta.input.shape) +
                 " " + backend_name(state.range(0)) + " " + precision_name(state.range(0)));
}

void BM_PilotPreprocessAndInfer(benchmark::State& state) {
  const std::string model = bench_model_path();
  if (!std::filesystem::exists(model)) {
    state.SkipWithError(("no model at " + model + "; set RCPILOT_BENCH_MODEL").c_str());
    return;
  }
  time_pilot(state, model, bench_metadata_path(model));
}

void BM_Resnet18PreprocessAndInfer(benchmark::State& state) {
  const std::string model = resnet18_path();
  if (!std::filesystem::exists(model)) {
    state.SkipWithError(("no ResNet18 at " + model +
                         ": write it with scripts/export_resnet18.py --out " + model +
                         " (or set RCPILOT_BENCH_RESNET18)")
                            .c_str());
    return;
  }
  time_pilot(state, model, rcpilot::perception::default_metadata_path(model));
}

BENCHMARK(BM_PilotPreprocessAndInfer)
    ->ArgNames({"backend", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({2, 1})
    ->Args({2, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(3.0);

// Some 12x the bundled model's multiply-adds: a longer run for enough samples behind p99.
BENCHMARK(BM_Resnet18PreprocessAndInfer)
    ->ArgNames({"backend", "threads"})
    ->Args({0, 1})
    ->Args({0, 2})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({2, 1})
    ->Args({2, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(10.0);

}  // namespace
