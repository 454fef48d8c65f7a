// rcpilot-sim: simulator tools. `record` writes training data as a Donkey tub v2, `evaluate`
// drives laps in lockstep with the model and the expert, `render` saves camera views.
#include <cstdio>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <opencv2/imgcodecs.hpp>

#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "config/program.hpp"
#include "perception/model_loader.hpp"
#include "perception/tub_writer.hpp"
#include "sim/dataset.hpp"
#include "sim/eval_report.hpp"
#include "sim/eval_suite.hpp"
#include "sim/lockstep.hpp"
#include "sim/track_generator.hpp"

namespace rcpilot {
namespace {

struct CommonOptions {
  std::string config_path;
  std::vector<std::string> overrides;
};

struct RecordOptions {
  std::string out;
  std::size_t records = 10000;
  unsigned seed = 1;
};

struct EvaluateOptions {
  int laps = 0;       // 0: 3 laps, 1 per condition with --suite
  std::string track;  // overrides sim.track
  bool expert_only = false;
  bool suite = false;  // the held-out conditions of sim/eval_suite.hpp instead of one track
  bool json = false;   // with --suite: the figures as JSON on stdout
  std::string only;    // with --suite: only the conditions whose name contains this
};

struct RenderOptions {
  std::string out;
  double s_m = 0.0;
  double offset_m = 0.0;
  double heading_deg = 0.0;
  double speed_mps = 0.0;
  double throttle = -1.0;  // < 0: hold the speed
};

constexpr double kRenderLeadS = 0.3;  // s driven before `render --speed` takes its frame

struct GenerateOptions {
  std::string out;
  sim::TrackGenOptions track;
};

// Writes a random closed track; needs no config (the track is the output, not an input).
int generate_track(const GenerateOptions& opt) {
  const sim::TrackSpec spec = sim::generate_track(opt.track);
  std::FILE* f = std::fopen(opt.out.c_str(), "w");
  const std::string text = "# rcpilot-sim generate-track --seed " + std::to_string(opt.track.seed) +
                           "\n" + sim::track_to_yaml(spec);
  if (f == nullptr || std::fputs(text.c_str(), f) < 0 || std::fclose(f) != 0) {
    std::fprintf(stderr, "rcpilot-sim: cannot write track file %s (check the folder exists)\n",
                 opt.out.c_str());
    return app::kExitRuntimeError;
  }
  const sim::Track track(spec);
  std::printf("wrote %s: %.2f m long, road %.3f m, %zu segments (seed %u)\n", opt.out.c_str(),
              track.length_m(), track.road_width_m(), spec.segments.size(), opt.track.seed);
  return app::kExitOk;
}

int record(const config::Config& cfg, const RecordOptions& opt) {
  const sim::Track track = sim::load_configured_track(cfg);
  sim::DatasetOptions d;
  d.samples = opt.records;
  d.seed = opt.seed;
  const nlohmann::json metadata = {{"generator", "rcpilot-sim record"},
                                   {"seed", opt.seed},
                                   {"records", opt.records},
                                   {"track", track.name()}};
  perception::TubWriter tub(opt.out, metadata);
  const auto t0 = std::chrono::steady_clock::now();
  // Records carry wall-clock epoch ms like Donkey's, spaced by the simulated sample interval.
  const auto epoch_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const auto step_ms = static_cast<std::int64_t>(d.sample_dt_s * 1000.0);
  sim::generate_dataset(cfg.sim, cfg.camera, track, d, [&](const sim::Sample& s) {
    tub.write(s.bgr, s.steering_norm, s.throttle_norm, "user",
              epoch_ms + static_cast<std::int64_t>(s.index) * step_ms);
    if ((s.index + 1) % 1000 == 0) spdlog::info("recorded {} / {}", s.index + 1, opt.records);
  });
  tub.close();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("wrote %zu records to %s in %.1f s (seed %u, track %s)\n", opt.records,
              opt.out.c_str(), secs, opt.seed, track.name().c_str());
  return app::kExitOk;
}

void print_result(const char* who, const sim::LockstepResult& r) {
  std::printf(
      "%-7s laps %d | |cte| mean %.4f m max %.3f m | off-track %d | %.1f s simulated, %.1f m | "
      "neutral ticks %llu | driver p50 %.2f ms\n",
      who, r.laps, r.mean_abs_cte_m, r.max_abs_cte_m, r.off_track_events, r.sim_s, r.distance_m,
      static_cast<unsigned long long>(r.neutral_ticks), r.driver_ms.p50);
}

// --suite: every selected condition, driver under test and expert, then the table or JSON.
int evaluate_suite(const config::Config& cfg, EvaluateOptions opt) {
  if (!opt.track.empty()) {
    std::fprintf(stderr, "rcpilot-sim evaluate: --suite brings its own tracks; drop --track\n");
    return app::kExitConfigError;
  }
  if (opt.laps == 0) opt.laps = 1;
  std::vector<sim::SuiteCondition> conditions;
  try {
    conditions = sim::select_conditions(sim::default_suite(), opt.only);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "rcpilot-sim evaluate: %s\n", e.what());
    return app::kExitConfigError;
  }
  std::unique_ptr<perception::Pilot> pilot;
  if (!opt.expert_only) pilot = perception::make_pilot(cfg);
  std::vector<sim::ConditionResult> results;
  for (const sim::SuiteCondition& c : conditions) {
    spdlog::info("suite condition {} ({} of {})", c.name, results.size() + 1, conditions.size());
    results.push_back(sim::run_condition(cfg, c, opt.laps, pilot.get()));
  }
  const std::string driver = opt.expert_only ? "expert" : "model";
  if (opt.json) {
    std::printf("%s\n", sim::suite_json(results, driver, opt.laps).dump(2).c_str());
  } else {
    sim::print_suite(stdout, results, driver, opt.laps);
  }
  return app::kExitOk;
}

int evaluate(config::Config cfg, EvaluateOptions opt) {
  if (opt.suite) return evaluate_suite(cfg, opt);
  if (opt.json || !opt.only.empty()) {
    std::fprintf(stderr, "rcpilot-sim evaluate: --json and --only need --suite\n");
    return app::kExitConfigError;
  }
  if (opt.laps == 0) opt.laps = 3;
  if (!opt.track.empty()) cfg.sim.track = std::filesystem::absolute(opt.track).string();
  const sim::Track track = sim::load_configured_track(cfg);
  std::printf("track %s (%.1f m, road %.2f m), %d laps, control %.0f Hz, camera %.0f fps\n",
              track.name().c_str(), track.length_m(), track.road_width_m(), opt.laps,
              cfg.control.rate_hz, cfg.camera.fps);
  if (!opt.expert_only) {
    auto pilot = perception::make_pilot(cfg);
    print_result("model", sim::drive_laps(cfg, track, opt.laps, pilot.get()));
  }
  print_result("expert", sim::drive_laps(cfg, track, opt.laps, nullptr));
  return app::kExitOk;
}

int render(const config::Config& cfg, const RenderOptions& opt) {
  sim::SimWorld world(cfg.sim, cfg.camera, sim::load_configured_track(cfg), TimePoint{});
  if (opt.speed_mps > 0 || opt.throttle > 0) {
    // Motion blur, latency and body pitch need a moving car: drive up to the pose for 0.3 s.
    const double lead_m = opt.speed_mps * kRenderLeadS;
    world.reset_pose(opt.s_m - lead_m, opt.offset_m, opt.heading_deg * M_PI / 180.0, opt.speed_mps);
    const double hold = opt.speed_mps / cfg.sim.max_speed_mps;
    const Duration step = std::chrono::milliseconds(20);  // the expert steers, 50 Hz
    for (TimePoint t{}; t < TimePoint{} + seconds_to_duration(kRenderLeadS); t += step) {
      world.set_command(world.expert_command().steering_norm,
                        opt.throttle >= 0 ? opt.throttle : hold, t);
    }
    world.advance_to(TimePoint{} + seconds_to_duration(kRenderLeadS));
  } else {
    world.reset_pose(opt.s_m, opt.offset_m, opt.heading_deg * M_PI / 180.0, 0.0);
  }
  cv::Mat frame;
  world.render(frame);
  if (!cv::imwrite(opt.out, frame)) {
    std::fprintf(stderr, "rcpilot-sim: cannot write %s\n", opt.out.c_str());
    return app::kExitRuntimeError;
  }
  std::printf("wrote %s\n", opt.out.c_str());
  return app::kExitOk;
}

// generate-track's options (it needs no config: the track is its output).
void add_generate_command(cli::CommandLine& cli, GenerateOptions& gen) {
  namespace po = cli::po;
  auto& gen_cmd = cli.command("generate-track", "Write a random closed track file from a seed");
  gen_cmd.option("out", po::value(&gen.out)->required(), "Track YAML to write")
      .option("seed", po::value(&gen.track.seed), "Seed; the same seed gives the same track")
      .option("min-length",
              po::value(&gen.track.min_length_m)->notifier(cli::positive("--min-length")),
              "Shortest centreline, m")
      .option("max-length",
              po::value(&gen.track.max_length_m)->notifier(cli::positive("--max-length")),
              "Longest centreline, m")
      .option("min-radius",
              po::value(&gen.track.min_radius_m)->notifier(cli::positive("--min-radius")),
              "Tightest curve radius, m (curvature limit)")
      .option("min-width",
              po::value(&gen.track.min_width_m)->notifier(cli::positive("--min-width")),
              "Narrowest road, m")
      .option("max-width",
              po::value(&gen.track.max_width_m)->notifier(cli::positive("--max-width")),
              "Widest road, m")
      .option("name", po::value(&gen.track.name), "Track name (default generated-SEED)");
}

}  // namespace
}  // namespace rcpilot

int main(int argc, char** argv) {
  using namespace rcpilot;
  namespace po = cli::po;
  cli::CommandLine cli{
      "rcpilot-sim",
      "rcpilot-sim: simulator tools (record training data, evaluate, render, generate tracks)"};
  cli.require_command();
  CommonOptions common;
  RecordOptions rec;
  EvaluateOptions eval;
  RenderOptions ren;
  auto& rec_cmd = cli.command("record", "Record expert driving as a Donkey tub v2");
  cli::add_config_options(rec_cmd, &common.config_path, &common.overrides);
  rec_cmd.option("out", po::value(&rec.out)->required(), "Tub folder to create")
      .option("records", po::value(&rec.records)->notifier(cli::positive_size("--records")),
              "Records to write")
      .option("seed", po::value(&rec.seed), "Seed for poses, noise, lighting and texture");
  auto& eval_cmd = cli.command("evaluate", "Drive laps in lockstep: model and expert");
  cli::add_config_options(eval_cmd, &common.config_path, &common.overrides);
  eval_cmd
      .option("laps", po::value(&eval.laps)->notifier(cli::positive_count("--laps")),
              "Laps to drive (default 3; with --suite 1 per condition)")
      .option("track", po::value(&eval.track), "Track YAML (default: sim.track)")
      .flag("expert-only", &eval.expert_only, "Skip the model (--suite: the expert is the driver)")
      .flag("suite", &eval.suite, "Run the held-out evaluation suite (docs/simulator.md)")
      .flag("json", &eval.json, "With --suite: print the figures as JSON")
      .option("only", po::value(&eval.only),
              "With --suite: only the conditions whose name contains this (e.g. w0.8-p+0)");
  auto& ren_cmd = cli.command("render", "Save the camera view at a pose as an image");
  cli::add_config_options(ren_cmd, &common.config_path, &common.overrides);
  ren_cmd.option("out", po::value(&ren.out)->required(), "Image file (.png, .jpg)")
      .option("s", po::value(&ren.s_m), "Arc length along the track, m")
      .option("offset", po::value(&ren.offset_m), "Lateral offset, m (+ left)")
      .option("heading", po::value(&ren.heading_deg), "Heading offset, deg (+ left)")
      .option("speed", po::value(&ren.speed_mps)->notifier(cli::non_negative("--speed")),
              "Drive at this speed, m/s, for 0.3 s up to the pose (motion blur, latency)")
      .option("throttle", po::value(&ren.throttle)->notifier(cli::in_range("--throttle", 0.0, 1.0)),
              "Throttle over those 0.3 s (default: hold --speed; more accelerates: body pitch)");
  GenerateOptions gen;
  add_generate_command(cli, gen);
  if (const auto exit_code = cli.parse(argc, argv)) return *exit_code;
  if (cli.chosen_command() == "generate-track") {
    try {
      return generate_track(gen);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "rcpilot-sim generate-track: %s\n", e.what());
      return app::kExitConfigError;
    }
  }
  const std::optional<config::Config> loaded =
      app::load_config_or_report("rcpilot-sim", common.config_path, common.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& cfg = *loaded;
  app::setup_logging(cfg.log.level);
  try {
    if (cli.chosen_command() == "record") return record(cfg, rec);
    if (cli.chosen_command() == "evaluate") return evaluate(cfg, eval);
    return render(cfg, ren);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return app::kExitStartupError;
  }
}
