// rcpilot-sim: simulator tools. `record` writes training data as a Donkey tub v2, `evaluate`
// drives laps in lockstep with the model and the expert, `render` saves camera views.
#include <cstdio>
#include <filesystem>

#include <CLI/CLI.hpp>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "config/loader.hpp"
#include "perception/tub_writer.hpp"
#include "sim/dataset.hpp"
#include "sim/lockstep.hpp"
#include "config/program.hpp"
#include "perception/model_loader.hpp"

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
  int laps = 3;
  std::string track;      // overrides sim.track
  bool expert_only = false;
};

struct RenderOptions {
  std::string out;
  double s_m = 0.0;
  double offset_m = 0.0;
  double heading_deg = 0.0;
};

void add_common(CLI::App& cmd, CommonOptions& c) {
  cmd.add_option("-c,--config", c.config_path, "YAML config (default: the built-in sim profile)");
  cmd.add_option("--set", c.overrides, "Override a key: --set section.key=value")
      ->allow_extra_args(false);
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
      "%-7s laps %d | |cte| mean %.3f m max %.3f m | off-track %d | %.1f s simulated, %.1f m | "
      "neutral ticks %llu | driver p50 %.2f ms\n",
      who, r.laps, r.mean_abs_cte_m, r.max_abs_cte_m, r.off_track_events, r.sim_s, r.distance_m,
      static_cast<unsigned long long>(r.neutral_ticks), r.driver_ms.p50);
}

sim::LockstepResult drive(const config::Config& cfg, const sim::Track& track, int laps,
                              perception::Pilot* pilot) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(1));
  sim::SimWorld world(cfg.sim, cfg.camera, track, clock.now());
  sim::LockstepOptions opt;
  opt.laps = laps;
  opt.max_sim_s = 120.0 * laps;
  if (pilot == nullptr) return sim::run_lockstep(cfg, world, clock, sim::expert_driver(world), opt);
  auto model = [pilot](const perception::Frame& f, const Clock& c) { return pilot->infer(f, c); };
  return sim::run_lockstep(cfg, world, clock, model, opt);
}

int evaluate(config::Config cfg, const EvaluateOptions& opt) {
  if (!opt.track.empty()) cfg.sim.track = std::filesystem::absolute(opt.track).string();
  const sim::Track track = sim::load_configured_track(cfg);
  std::printf("track %s (%.1f m, road %.2f m), %d laps, control %.0f Hz, camera %.0f fps\n",
              track.name().c_str(), track.length_m(), track.road_width_m(), opt.laps,
              cfg.control.rate_hz, cfg.camera.fps);
  if (!opt.expert_only) {
    auto pilot = perception::make_pilot(cfg);
    print_result("model", drive(cfg, track, opt.laps, pilot.get()));
  }
  print_result("expert", drive(cfg, track, opt.laps, nullptr));
  return app::kExitOk;
}

int render(const config::Config& cfg, const RenderOptions& opt) {
  sim::SimWorld world(cfg.sim, cfg.camera, sim::load_configured_track(cfg), TimePoint{});
  world.reset_pose(opt.s_m, opt.offset_m, opt.heading_deg * M_PI / 180.0, 0.0);
  cv::Mat frame;
  world.render(frame);
  if (!cv::imwrite(opt.out, frame)) {
    std::fprintf(stderr, "rcpilot-sim: cannot write %s\n", opt.out.c_str());
    return app::kExitRuntimeError;
  }
  std::printf("wrote %s\n", opt.out.c_str());
  return app::kExitOk;
}

}  // namespace
}  // namespace rcpilot

int main(int argc, char** argv) {
  using namespace rcpilot;
  CLI::App cli{"rcpilot-sim: simulator tools (record training data, evaluate, render)"};
  cli.require_subcommand(1);
  CommonOptions common;
  RecordOptions rec;
  EvaluateOptions eval;
  RenderOptions ren;
  auto* rec_cmd = cli.add_subcommand("record", "Record expert driving as a Donkey tub v2");
  add_common(*rec_cmd, common);
  rec_cmd->add_option("--out", rec.out, "Tub folder to create")->required();
  rec_cmd->add_option("--records", rec.records, "Records to write")->check(CLI::PositiveNumber);
  rec_cmd->add_option("--seed", rec.seed, "Seed for poses, noise, lighting and texture");
  auto* eval_cmd = cli.add_subcommand("evaluate", "Drive laps in lockstep: model and expert");
  add_common(*eval_cmd, common);
  eval_cmd->add_option("--laps", eval.laps, "Laps to drive")->check(CLI::PositiveNumber);
  eval_cmd->add_option("--track", eval.track, "Track YAML (default: sim.track)");
  eval_cmd->add_flag("--expert-only", eval.expert_only, "Skip the model");
  auto* ren_cmd = cli.add_subcommand("render", "Save the camera view at a pose as an image");
  add_common(*ren_cmd, common);
  ren_cmd->add_option("--out", ren.out, "Image file (.png, .jpg)")->required();
  ren_cmd->add_option("--s", ren.s_m, "Arc length along the track, m");
  ren_cmd->add_option("--offset", ren.offset_m, "Lateral offset, m (+ left)");
  ren_cmd->add_option("--heading", ren.heading_deg, "Heading offset, deg (+ left)");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : app::kExitConfigError;
  }
  const std::optional<config::Config> loaded =
      app::load_config_or_report("rcpilot-sim", common.config_path, common.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& cfg = *loaded;
  app::setup_logging(cfg.log.level);
  try {
    if (rec_cmd->parsed()) return record(cfg, rec);
    if (eval_cmd->parsed()) return evaluate(cfg, eval);
    return render(cfg, ren);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return app::kExitStartupError;
  }
}
