// rcpilot-eval: runs the configured model over a recorded tub and reports how far its
// predictions are from the recorded steering and throttle, and how long inference takes.
#include <cstdio>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <opencv2/imgcodecs.hpp>

#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "config/program.hpp"
#include "perception/model_loader.hpp"
#include "perception/replay_eval.hpp"
#include "perception/tub_reader.hpp"

namespace {

struct Options {
  std::string config_path;             // empty: the embedded sim profile
  std::vector<std::string> overrides;  // --set section.key=value
  std::string tub;                     // tub folder to replay
  std::size_t limit = 0;               // records to evaluate; 0: all
  std::string plot;                    // PNG of recorded vs predicted steering; "": none
};

int evaluate(const rcpilot::config::Config& cfg, const Options& opt) {
  using namespace rcpilot;
  const perception::TubReader tub(opt.tub);
  auto pilot = perception::make_pilot(cfg);
  pilot->warm_up(cfg.model.warmup_runs);
  SteadyClock clock;
  const perception::EvalResult result = perception::evaluate_tub(*pilot, tub, clock, opt.limit);
  std::printf("tub: %s (%zu records, %zu deleted)\nmodel: %s\n%s", opt.tub.c_str(),
              tub.records().size(), tub.deleted_count(), pilot->describe().c_str(),
              perception::format_eval(result).c_str());
  if (!opt.plot.empty()) {
    if (!cv::imwrite(opt.plot, perception::plot_steering(result))) {
      throw perception::TubError("cannot write plot " + opt.plot);
    }
    std::printf("plot: %s\n", opt.plot.c_str());
  }
  if (result.samples.empty()) {
    spdlog::error("no record of {} had an image, user/angle and user/throttle to compare with",
                  opt.tub);
    return app::kExitRuntimeError;
  }
  return app::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rcpilot;
  namespace po = cli::po;
  Options opt;
  cli::CommandLine cli{
      "rcpilot-eval",
      "rcpilot-eval: run the configured model over a tub; MAE and inference timing"};
  cli.options()
      .option("tub", po::value(&opt.tub)->required(), "Donkey tub v2 folder to replay")
      .option("limit", po::value(&opt.limit), "Evaluate only the first N records (0: all)")
      .option("plot", po::value(&opt.plot), "Write recorded vs predicted steering to this PNG");
  cli::add_config_options(cli.options(), &opt.config_path, &opt.overrides);
  if (const auto exit_code = cli.parse(argc, argv)) return *exit_code;
  const std::optional<config::Config> loaded =
      app::load_config_or_report("rcpilot-eval", opt.config_path, opt.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& cfg = *loaded;
  app::setup_logging(cfg.log.level);
  try {
    return evaluate(cfg, opt);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return app::kExitStartupError;
  }
}
