// Grab -> prediction latency and pilot rate of the node's real perception threads.
//
// For each source rate: the simulator camera (SimCamera, real time at --fps Hz, or unpaced
// with fps 0: read() renders at once, as fast as the grabber asks), FrameGrabber and
// PilotThread as in the node, with the model loaded by load_model() as in the node. A 50 Hz
// loop on the main thread drives the simulated car with the newest prediction, like the
// control loop. After --warmup s, for --seconds s: every valid prediction's latency
// (predicted_at - captured_at: waiting in the frame slot + preprocess + inference), unique
// frames inferred per second, camera frames never inferred, inference time. A plain main
// rather than Google Benchmark: each case is one timed run of threads, not a loop to repeat.
//
//   bench_pilot [--fps 30 --fps 60 --fps 240 --fps 0] [--seconds 20] [--warmup 2]
//               [--model PATH.onnx] [--threads 1] [--backend auto] [--precision auto]
//               [--json FILE]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "common/stats.hpp"
#include "config/command_line.hpp"
#include "config/config.hpp"
#include "perception/frame_grabber.hpp"
#include "perception/model_loader.hpp"
#include "perception/pilot.hpp"
#include "perception/pilot_thread.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_world.hpp"
#include "sim/track.hpp"

namespace {

using namespace rcpilot;

struct Options {
  std::vector<double> fps{30, 60, 240, 0};  // Hz per case; 0: unpaced
  double seconds = 20;                      // s measured per case
  double warmup = 2;                        // s run before measuring
  std::string model = std::string(RCPILOT_SOURCE_DIR) + "/models/linear.onnx";
  int threads = 1;                 // model.threads, as the sim profile
  std::string backend = "auto";    // model.backend
  std::string precision = "auto";  // model.precision
  std::string json;
};

struct CaseResult {
  double fps = 0;                     // source rate asked for; 0: unpaced
  double window_s = 0;                // measured span
  Percentiles latency_ms;             // predicted_at - captured_at, valid predictions
  Percentiles inference_ms;           // engine time, valid predictions
  double unique_fps = 0;              // predictions (each a new frame) per second
  double camera_fps = 0;              // frames the grabber published per second
  std::uint64_t predictions = 0;      // in the window
  std::uint64_t invalid = 0;          // of those, not valid
  std::uint64_t frames_skipped = 0;   // camera frames in the window never inferred
  std::uint64_t missed_instants = 0;  // paced camera: frame instants missed (grabber late)
};

// What the pilot thread records; read by the main thread only after it was stopped.
struct Recorder {
  const LatestSlot<perception::Prediction>* predictions = nullptr;
  std::atomic<bool> on{false};
  std::vector<double> latency_ms;
  std::vector<double> inference_ms;
  std::uint64_t invalid = 0;

  void on_prediction() {
    if (!on.load()) return;
    perception::Prediction p;
    predictions->peek(p);  // the one just published: only this thread publishes
    if (!p.valid) {
      ++invalid;
      return;
    }
    latency_ms.push_back(elapsed_ms(p.captured_at, p.predicted_at));
    inference_ms.push_back(p.inference_ms);
  }
};

// Drives the car with the newest prediction every 20 ms until `until`.
void drive(sim::SimWorld& world, const LatestSlot<perception::Prediction>& predictions,
           const Clock& clock, TimePoint until) {
  TimePoint next = clock.now();
  while (clock.now() < until) {
    perception::Prediction p;
    if (predictions.peek(p) != 0 && p.valid) {
      world.set_command(p.steering_norm, p.throttle_norm, clock.now());
    }
    next += std::chrono::milliseconds(20);
    std::this_thread::sleep_until(next);
  }
}

CaseResult run_case(double fps, const Options& opt, perception::Pilot& pilot,
                    const sim::Track& track) {
  const SteadyClock clock;
  config::CameraConfig camera_cfg;
  if (fps > 0) camera_cfg.fps = fps;
  sim::SimWorld world(config::SimConfig{}, camera_cfg, track, clock.now());
  sim::SimCamera camera(world, clock, camera_cfg.fps, /*realtime=*/fps > 0);
  LatestSlot<perception::Frame> frames;
  LatestSlot<perception::Prediction> predictions;
  Recorder rec;
  rec.predictions = &predictions;
  const auto expected = static_cast<std::size_t>(opt.seconds * 1000) + 1000;  // <= 1 per ms
  rec.latency_ms.reserve(expected);
  rec.inference_ms.reserve(expected);
  perception::FrameGrabber grabber(camera, clock, frames, perception::grabber_options(camera_cfg));
  perception::PilotThread pilot_thread(pilot, frames, predictions, clock,
                                       [&rec] { rec.on_prediction(); });
  grabber.start();
  pilot_thread.start();

  drive(world, predictions, clock, clock.now() + seconds_to_duration(opt.warmup));
  const perception::PilotStats pilot0 = pilot_thread.stats();
  const std::uint64_t frames0 = grabber.stats().frames;
  const std::uint64_t missed0 = camera.skipped_instants();
  const TimePoint start = clock.now();
  rec.on = true;
  drive(world, predictions, clock, start + seconds_to_duration(opt.seconds));
  rec.on = false;
  const TimePoint end = clock.now();
  const perception::PilotStats pilot1 = pilot_thread.stats();
  const std::uint64_t frames1 = grabber.stats().frames;
  const std::uint64_t missed1 = camera.skipped_instants();
  pilot_thread.stop();
  grabber.stop();

  CaseResult r;
  r.fps = fps;
  r.window_s = elapsed_ms(start, end) / 1000.0;
  r.latency_ms = summarize(rec.latency_ms);
  r.inference_ms = summarize(rec.inference_ms);
  r.predictions = pilot1.predictions - pilot0.predictions;
  r.invalid = rec.invalid;
  r.unique_fps = static_cast<double>(r.predictions) / r.window_s;
  r.camera_fps = static_cast<double>(frames1 - frames0) / r.window_s;
  r.frames_skipped = pilot1.frames_skipped - pilot0.frames_skipped;
  r.missed_instants = missed1 - missed0;
  return r;
}

std::string source_name(double fps) {
  if (fps <= 0) return "unpaced";
  char text[32];
  std::snprintf(text, sizeof text, "%g fps", fps);
  return text;
}

void print_table(const std::string& engine, const std::vector<CaseResult>& results) {
  std::printf("Engine: %s\n\n", engine.c_str());
  std::printf(
      "| source | grab->prediction p50 / p99 / max ms | inference p50 / p99 ms | unique frames/s "
      "| camera frames/s | frames skipped | predictions (invalid) | s |\n"
      "| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const CaseResult& r : results) {
    std::printf(
        "| %s | %.2f / %.2f / %.2f | %.2f / %.2f | %.1f | %.1f | %llu (%.1f %%) "
        "| %llu (%llu) | %.1f |\n",
        source_name(r.fps).c_str(), r.latency_ms.p50, r.latency_ms.p99, r.latency_ms.max,
        r.inference_ms.p50, r.inference_ms.p99, r.unique_fps, r.camera_fps,
        static_cast<unsigned long long>(r.frames_skipped),
        r.camera_fps > 0
            ? 100.0 * static_cast<double>(r.frames_skipped) / (r.camera_fps * r.window_s)
            : 0.0,
        static_cast<unsigned long long>(r.predictions), static_cast<unsigned long long>(r.invalid),
        r.window_s);
  }
}

nlohmann::json to_json(const Percentiles& p) {
  return {{"p50", p.p50}, {"p99", p.p99}, {"max", p.max}, {"mean", p.mean}, {"count", p.count}};
}

void write_json(const std::string& path, const Options& opt,
                const std::vector<CaseResult>& results) {
  nlohmann::json cases = nlohmann::json::array();
  for (const CaseResult& r : results) {
    cases.push_back({{"fps", r.fps},
                     {"source", source_name(r.fps)},
                     {"window_s", r.window_s},
                     {"latency_ms", to_json(r.latency_ms)},
                     {"inference_ms", to_json(r.inference_ms)},
                     {"unique_frames_per_s", r.unique_fps},
                     {"camera_frames_per_s", r.camera_fps},
                     {"frames_skipped", r.frames_skipped},
                     {"missed_instants", r.missed_instants},
                     {"predictions", r.predictions},
                     {"invalid", r.invalid}});
  }
  const nlohmann::json doc = {{"model", opt.model},         {"backend", opt.backend},
                              {"precision", opt.precision}, {"threads", opt.threads},
                              {"warmup_s", opt.warmup},     {"cases", cases}};
  std::ofstream(path) << doc.dump(2) << "\n";
}

// "0 20 30": the --fps default as --help shows it.
std::string fps_text(const std::vector<double>& fps) {
  std::string text;
  for (const double f : fps) {
    char number[32];
    std::snprintf(number, sizeof number, "%g", f);
    text += (text.empty() ? "" : " ") + std::string(number);
  }
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = rcpilot::cli::po;
  Options opt;
  rcpilot::cli::CommandLine cli{
      "bench_pilot", "bench_pilot: grab -> prediction latency and pilot rate on the sim camera"};
  cli.options()
      .option(
          "fps",
          po::value(&opt.fps)->multitoken()->composing()->default_value(opt.fps, fps_text(opt.fps)),
          "source rates in Hz, one case each; 0: unpaced")
      .option("seconds", po::value(&opt.seconds)->default_value(opt.seconds), "s measured per case")
      .option("warmup", po::value(&opt.warmup)->default_value(opt.warmup), "s run before measuring")
      .option("model", po::value(&opt.model)->default_value(opt.model),
              "ONNX model; metadata beside it")
      .option("threads", po::value(&opt.threads)->default_value(opt.threads), "inference threads")
      .option("backend", po::value(&opt.backend)->default_value(opt.backend),
              "model.backend: auto, opencv or onednn")
      .option("precision", po::value(&opt.precision)->default_value(opt.precision),
              "model.precision: auto, fp32 or bf16")
      .option("json", po::value(&opt.json), "also write the results here");
  if (const auto exit_code = cli.parse(argc, argv)) return *exit_code;

  try {
    config::ModelConfig model_cfg;
    model_cfg.path = opt.model;
    model_cfg.threads = opt.threads;
    model_cfg.backend = opt.backend;
    model_cfg.precision = opt.precision;
    perception::LoadedModel loaded = perception::load_model(model_cfg, "");
    const std::string engine = loaded.engine->describe();
    perception::Pilot pilot(std::move(loaded.engine), loaded.metadata);
    pilot.warm_up(model_cfg.warmup_runs);
    const sim::Track track =
        sim::load_track(std::string(RCPILOT_SOURCE_DIR) + "/sim/tracks/default.yaml");
    std::fprintf(stderr, "bench_pilot: %s, %g s per case after %g s warm-up\n", engine.c_str(),
                 opt.seconds, opt.warmup);
    std::vector<CaseResult> results;
    for (const double fps : opt.fps) {
      std::fprintf(stderr, "bench_pilot: source %s\n", source_name(fps).c_str());
      results.push_back(run_case(fps, opt, pilot, track));
    }
    print_table(engine, results);
    if (!opt.json.empty()) write_json(opt.json, opt, results);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_pilot: %s\n", e.what());
    return 1;
  }
  return 0;
}
