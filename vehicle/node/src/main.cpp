// rcpilot: the control node. Parses the command line, loads the config and runs a Node until
// SIGINT/SIGTERM or --duration.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <thread>

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "config/program.hpp"
#include "node/node.hpp"
#include "perception/model_loader.hpp"
#include "sim_backend/simulated_car.hpp"
#include "telemetry/status_report.hpp"

#include "operator/control_api_check.hpp"  // --check-config runs the control API's checks

namespace rcpilot {
namespace {

struct Options {
  std::string config_path;             // empty: the embedded sim profile
  std::vector<std::string> overrides;  // --set section.key=value
  bool print_config = false;
  bool check_config = false;
  bool config_reference = false;
  double duration_s = 0.0;  // 0: until SIGINT/SIGTERM
};

// The signals main waits for with sigtimedwait; blocked in every thread.
sigset_t node_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

// Waits for SIGINT/SIGTERM or the end of --duration, refreshing the status line and polling
// the node meanwhile; SIGHUP reloads the config.
void wait_for_stop(const config::Config& cfg, double duration_s, vehicle::Node& node) {
  const sigset_t stop_signals = node_signals();
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const double interval = cfg.log.status_interval_s > 0 ? cfg.log.status_interval_s : 0.5;
  const SteadyClock clock;
  const TimePoint start = clock.now();
  double next_plain = 5.0;  // not a terminal: a plain line every 5 s
  node.poll();
  for (;;) {
    const timespec ts{static_cast<time_t>(interval),
                      static_cast<long>((interval - static_cast<long>(interval)) * 1e9)};
    const int sig = sigtimedwait(&stop_signals, nullptr, &ts);
    if (sig == SIGHUP) node.reload();
    if (sig == SIGINT || sig == SIGTERM) {
      if (tty) std::printf("\n");
      spdlog::info("{} received: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
      return;
    }
    const auto s = node.snapshot();
    node.poll();
    if (duration_s > 0 && s.elapsed_s >= duration_s) break;
    if (cfg.log.status_interval_s <= 0) continue;
    if (tty) {
      std::printf("\r%s\x1b[K", vehicle::format_status_line(s).c_str());
      std::fflush(stdout);
    } else if (elapsed_ms(start, clock.now()) / 1000.0 >= next_plain) {
      std::printf("%s\n", vehicle::format_status_line(s).c_str());
      std::fflush(stdout);
      next_plain += 5.0;
    }
  }
  if (tty) std::printf("\n");
  spdlog::info("--duration {} s reached: stopping", duration_s);
}

// Runs the car until stopped. Throws on start-up failure (nothing moved).
int run_node(const config::Config& cfg, const Options& opt) {
  vehicle::Node node(cfg, {opt.config_path, opt.overrides});
  node.start();
  wait_for_stop(cfg, opt.duration_s, node);
  node.stop();
  std::printf("%s", vehicle::format_summary(node.snapshot()).c_str());
  return app::kExitOk;
}

int run(const Options& opt) {
  const std::optional<config::Config> loaded =
      app::load_config_or_report("rcpilot", opt.config_path, opt.overrides);
  if (!loaded) return app::kExitConfigError;
  const config::Config& cfg = *loaded;
  if (opt.print_config) {
    std::printf("%s", config::to_yaml(cfg).c_str());
    return app::kExitOk;
  }
  app::setup_logging(cfg.log.level);
  try {
    if (opt.check_config) {
      perception::make_pilot(cfg);
      if (sim_backend::wants_simulated_car(cfg)) sim_backend::load_simulated_car(cfg, SteadyClock{});
      vehicle::check_control_api_config(cfg);
      std::printf("%s: config and model OK\n", cfg.source_path.c_str());
      return app::kExitOk;
    }
    return run_node(cfg, opt);
  } catch (const config::ConfigError& e) {
    spdlog::critical("config error, nothing moved: {}", e.what());
    return app::kExitConfigError;
  } catch (const std::exception& e) {
    spdlog::critical("start-up failed, nothing moved: {}", e.what());
    return app::kExitStartupError;
  }
}

}  // namespace
}  // namespace rcpilot

int main(int argc, char** argv) {
  namespace cli = rcpilot::cli;
  rcpilot::Options opt;
  std::string duration = "0";  // checked as text: app::duration_problem names what is wrong
  cli::CommandLine command_line{"rcpilot", "rcpilot: the control node of a self-driving RC car"};
  cli::add_config_options(command_line.options(), &opt.config_path, &opt.overrides);
  command_line.options()
      .flag("print-config", &opt.print_config, "Print the effective config and exit")
      .flag("check-config", &opt.check_config, "Validate config and model, then exit")
      .flag("config-reference", &opt.config_reference,
            "Print the configuration reference (Markdown) and exit")
      .option("duration",
              cli::po::value(&duration)->notifier([](const std::string& text) {
                const std::string problem = rcpilot::app::duration_problem(text);
                if (!problem.empty()) throw cli::po::error("--duration: " + problem);
              }),
              "Stop after this many seconds (0: run until SIGINT/SIGTERM)");
  if (const auto exit_code = command_line.parse(argc, argv)) return *exit_code;
  opt.duration_s = std::strtod(duration.c_str(), nullptr);
  if (opt.config_reference) {
    std::printf("%s", rcpilot::config::reference_markdown().c_str());
    return 0;
  }
  // Block the node's signals in every thread; main waits for them with sigtimedwait.
  const sigset_t signals = rcpilot::node_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return rcpilot::run(opt);
}
