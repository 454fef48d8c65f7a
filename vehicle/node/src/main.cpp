// rcpilot: the control node. With wiring.cpp, the only place that picks implementations: the
// camera (camera.source) and motor link (motor.driver), real or simulated.
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/latest_slot.hpp"
#include "config/command_line.hpp"
#include "config/loader.hpp"
#include "firmware_iface/drive_command.hpp"
#include "operators.hpp"
#include "perception/frame_grabber.hpp"
#include "perception/pilot_thread.hpp"
#include "sim/sim_world.hpp"
#include "control/control_loop.hpp"
#include "telemetry/health.hpp"
#include "control/realtime.hpp"
#include "node/service_notifier.hpp"
#include "telemetry/status_report.hpp"
#include "telemetry/telemetry.hpp"
#include "config/program.hpp"
#include "perception/model_loader.hpp"
#include "wiring.hpp"

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

vehicle::DrivingProgress progress_of(const sim::SimWorld& world) {
  const auto p = world.progress();
  vehicle::DrivingProgress d;
  d.present = true;
  d.laps = p.laps;
  d.cte_m = p.cte_m;
  d.mean_abs_cte_m = p.mean_abs_cte_m;
  d.max_abs_cte_m = p.max_abs_cte_m;
  d.off_track_events = p.off_track_events;
  d.speed_mps = world.car().speed_mps;
  return d;
}

// The camera's first frame; the self-test runs on it. CameraError when none comes in time.
cv::Mat first_frame(const config::Config& cfg, const LatestSlot<perception::Frame>& frames) {
  // Cameras take a moment to start (Argus ~1-2 s); camera.timeout_ms is for a running camera.
  const auto wait =
      std::chrono::milliseconds(static_cast<long>(std::max(5000.0, cfg.camera.timeout_ms)));
  perception::Frame frame;
  std::uint64_t seen = 0;
  if (!frames.wait_newer(frame, seen, wait)) {
    throw perception::CameraError(fmt::format(
        "camera.source {}: no frame within {} ms of start; check the camera (camera.device, "
        "camera.path or camera.pipeline) and the log above",
        cfg.camera.source, wait.count()));
  }
  return frame.bgr.clone();  // the grabber may refill its buffers meanwhile
}

// Start-up self-test: warm-up, then timed inferences on a real camera frame. Autonomous modes
// are refused when the p99 cannot hold pilot.min_rate_hz.
Percentiles self_test(const config::Config& cfg, perception::Pilot& pilot, const cv::Mat& frame) {
  pilot.warm_up(cfg.model.warmup_runs);
  const Percentiles p = pilot.measure(30, frame);
  const double budget_ms = 1000.0 / cfg.pilot.min_rate_hz;
  spdlog::info("self-test: inference p50 {:.2f} ms, p99 {:.2f} ms (budget {:.1f} ms)", p.p50, p.p99,
               budget_ms);
  if (cfg.control.mode != "user" && p.p99 > budget_ms) {
    throw perception::ModelError(fmt::format(
        "self-test: inference p99 {:.1f} ms cannot hold pilot.min_rate_hz = {} (needs <= {:.1f} "
        "ms); use a faster model or backend, lower pilot.min_rate_hz, or start in "
        "control.mode: user",
        p.p99, cfg.pilot.min_rate_hz, budget_ms));
  }
  return p;
}

// Arms a headless car by itself once control.autostart_delay_s has passed (control.autostart).
// `done` is set once it has tried, so a refusal is not retried behind the operator's back.
void maybe_autostart(const config::Config& cfg, vehicle::DriveState& drive, double elapsed_s,
                     bool& done) {
  if (!cfg.control.autostart || done || elapsed_s < cfg.control.autostart_delay_s) return;
  done = true;
  const auto t = drive.arm(vehicle::OperatorInput{});
  if (t.ok) {
    spdlog::info("control.autostart: armed in {} mode", vehicle::to_string(drive.mode()));
  } else {
    spdlog::error("control.autostart: arming refused: {}", t.reason);
  }
}

// The signals main waits for with sigtimedwait; blocked in every thread.
sigset_t node_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  return signals;
}

// Waits for SIGINT/SIGTERM or the end of --duration, refreshing the status line and calling
// `on_wake` (with the seconds since driving started) meanwhile; SIGHUP calls `on_reload`.
void wait_for_stop(const config::Config& cfg, double duration_s,
                   const std::function<vehicle::StatusSnapshot()>& snapshot,
                   const std::function<void(double)>& on_wake,
                   const std::function<void()>& on_reload) {
  const sigset_t stop_signals = node_signals();
  const bool tty = isatty(STDOUT_FILENO) != 0;
  const double interval = cfg.log.status_interval_s > 0 ? cfg.log.status_interval_s : 0.5;
  const SteadyClock clock;
  const TimePoint start = clock.now();
  double next_plain = 5.0;  // not a terminal: a plain line every 5 s
  on_wake(0.0);
  for (;;) {
    const timespec ts{static_cast<time_t>(interval),
                      static_cast<long>((interval - static_cast<long>(interval)) * 1e9)};
    const int sig = sigtimedwait(&stop_signals, nullptr, &ts);
    if (sig == SIGHUP) on_reload();
    if (sig == SIGINT || sig == SIGTERM) {
      if (tty) std::printf("\n");
      spdlog::info("{} received: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
      return;
    }
    const auto s = snapshot();
    on_wake(s.elapsed_s);
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

// Model loading and the self-test leave freed heap that glibc keeps (~20 MB for the linear
// model); hand it back so the node's resident size reflects what it uses while driving.
void release_startup_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Waits up to `timeout` for the pilot's first prediction (the node can drive from then on).
bool wait_first_prediction(const perception::PilotThread& pilot, std::chrono::seconds timeout) {
  const SteadyClock clock;
  const TimePoint until = clock.now() + timeout;
  while (pilot.stats().predictions == 0) {
    if (clock.now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Telemetry with the simulator's lap and cross-track error in every `state`; null when off.
std::unique_ptr<vehicle::TelemetryPublisher> start_telemetry(
    const config::Config& cfg, const sim::SimWorld& world,
    const LatestSlot<perception::Frame>& frames) {
  if (!cfg.telemetry.enabled) return nullptr;
  auto telemetry = std::make_unique<vehicle::TelemetryPublisher>(cfg.telemetry);
  telemetry->set_extra_state([&world](nlohmann::json& body) {
    const auto p = progress_of(world);
    body["sim"] = {{"laps", p.laps},
                   {"cte_m", p.cte_m},
                   {"off_track_events", p.off_track_events},
                   {"speed_mps", p.speed_mps}};
  });
  telemetry->set_frame_source(&frames);
  telemetry->start();
  return telemetry;
}

// Board health on the `health` topic every telemetry.health_interval_s, and a warning event
// when a thermal zone reaches telemetry.warn_temp_c. Null when telemetry or health is off.
std::unique_ptr<vehicle::HealthMonitor> start_health(const config::Config& cfg,
                                                     vehicle::TelemetryPublisher* telemetry) {
  if (telemetry == nullptr || cfg.telemetry.health_interval_s <= 0) return nullptr;
  const double warn_c = cfg.telemetry.warn_temp_c;
  auto monitor = std::make_unique<vehicle::HealthMonitor>(
      vehicle::HealthReader("/", warn_c), seconds_to_duration(cfg.telemetry.health_interval_s),
      [telemetry, warn_c, was_hot = false](const vehicle::HealthSample& s) mutable {
        telemetry->publish_health(vehicle::health_to_json(s));
        const bool hot = !s.hot_zones.empty();
        if (hot && !was_hot) {
          telemetry->publish_event(
              "warning",
              fmt::format("temperature at or above {} C: {}", warn_c, fmt::join(s.hot_zones, ", ")),
              {{"zones", s.hot_zones}});
        }
        was_hot = hot;
      });
  monitor->start();
  return monitor;
}

void publish_shutdown(vehicle::TelemetryPublisher& telemetry, const fw::DriveCommand& last) {
  telemetry.publish_event(
      "shutdown", "rcpilot stopped; motor link neutral",
      {{"last_command", {{"steering", last.steering_norm}, {"throttle", last.throttle_norm}}}});
  telemetry.stop();
}

// Runs the simulated car until stopped. Throws ModelError / runtime_error on start-up failure.
int run_node(const config::Config& cfg, const Options& opt) {
  SteadyClock clock;
  auto pilot = perception::make_pilot(cfg);
  sim::SimWorld world(cfg.sim, cfg.camera, app::load_sim_track(cfg), clock.now());
  const std::unique_ptr<perception::CameraSource> camera_source =
      app::make_camera(cfg, &world, clock);
  LatestSlot<perception::Frame> frames;
  perception::FrameGrabber grabber(*camera_source, clock, frames,
                                   perception::grabber_options(cfg.camera));
  grabber.start();
  const Percentiles self = self_test(cfg, *pilot, first_frame(cfg, frames));
  release_startup_memory();

  const std::unique_ptr<fw::MotorLink> motor = app::make_motor_link(cfg, &world, clock);
  fw::MotorLink& link = *motor;
  link.send(fw::neutral_command(0, clock.now()));

  auto telemetry = start_telemetry(cfg, world, frames);
  auto health = start_health(cfg, telemetry.get());
  vehicle::Recorder recorder(cfg.record, vehicle::record_tub_path(cfg), frames);
  recorder.set_event_handler([&telemetry](const std::string& kind, const std::string& text) {
    spdlog::info("{}: {}", kind, text);
    if (telemetry) telemetry->publish_event(kind, text);
  });
  app::RecorderControl recording(recorder);
  vehicle::FanOutSink sink;
  sink.add(telemetry.get());
  sink.add(&recorder);

  LatestSlot<perception::Prediction> predictions;
  vehicle::ControlCore core(cfg.control, cfg.pilot);
  core.drive_state().set_self_test_passed(self.p99 <= 1000.0 / cfg.pilot.min_rate_hz);
  vehicle::ControlLoop loop(cfg.control, core, predictions, link, sink, clock);
  perception::PilotThread pilot_thread(*pilot, frames, predictions, clock,
                                       [&loop] { loop.notify_prediction(); });
  loop.set_camera_check([&grabber](TimePoint now) { return grabber.camera_alive(now); });
  vehicle::OperatorInputs operators;
  loop.set_operator_inputs(&operators);
  const vehicle::EventFn events = app::event_publisher(telemetry.get());
  vehicle::LiveConfig live(cfg, opt.config_path, opt.overrides,
                           app::apply_live(core.drive_state(), loop));
  TimePoint started = clock.now();  // reset once driving starts
  auto snapshot = [&] {
    vehicle::StatusSnapshot s;
    s.elapsed_s = elapsed_ms(started, clock.now()) / 1000.0;
    s.rate_hz = cfg.control.rate_hz;
    s.loop = loop.stats();
    s.pilot = pilot_thread.stats();
    s.progress = progress_of(world);
    return s;
  };
  auto status = [&] { return vehicle::status_to_json(snapshot(), link.status()); };
  vehicle::ControlHandler handler(
      {core.drive_state(), operators, live, clock, status, &recording, events});
  auto control_server = app::make_control_server(cfg, handler);
  auto gamepad =
      app::make_gamepad(cfg, clock, operators, handler, core.drive_state(), recorder, events);

  vehicle::ServiceNotifier notifier;
  recorder.start();
  for (const auto& warning : loop.start()) spdlog::warn("{}", warning);
  pilot_thread.start([cpu = cfg.pilot.cpu] {
    const std::string warning = vehicle::pin_this_thread(cpu, "pilot.cpu", "the pilot thread");
    if (!warning.empty()) spdlog::warn("{}", warning);
  });
  if (control_server) control_server->start();
  if (gamepad) gamepad->start();
  if (!wait_first_prediction(pilot_thread, std::chrono::seconds(10))) {
    loop.stop();
    link.stop();
    throw perception::ModelError("no prediction within 10 s of start: check the camera");
  }
  notifier.ready("first frame inferred; control loop running");
  notifier.start_watchdog([&loop] { return loop.heartbeat(); });
  started = clock.now();
  spdlog::info("driving: {} mode, control {} Hz, camera {} fps, model {}", cfg.control.mode,
               cfg.control.rate_hz, cfg.camera.fps, pilot->describe());
  if (telemetry) {
    telemetry->publish_event("started", "rcpilot is running",
                             {{"model", cfg.model.path},
                              {"inference_p50_ms", self.p50},
                              {"inference_p99_ms", self.p99},
                              {"rate_hz", cfg.control.rate_hz}});
  }
  bool autostart_done = false;
  vehicle::LinkEvents link_events;
  wait_for_stop(
      cfg, opt.duration_s, snapshot,
      [&](double elapsed_s) {
        maybe_autostart(cfg, core.drive_state(), elapsed_s, autostart_done);
        link_events.check(link.status(), events);
      },
      [&] { app::reload_config(live, events); });

  // Neutral first, then everything else.
  notifier.stopping();
  if (control_server) control_server->stop();
  if (gamepad) gamepad->stop();
  loop.stop();
  link.stop();
  grabber.stop();
  recorder.stop();
  pilot_thread.stop();
  if (health) health->stop();
  if (telemetry) publish_shutdown(*telemetry, link.status().last_command);
  std::printf("%s", vehicle::format_summary(snapshot()).c_str());
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
      app::load_sim_track(cfg);
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
  cli::CommandLine command_line{"rcpilot", "rcpilot: the control node of a self-driving RC car"};
  cli::add_config_options(command_line.options(), &opt.config_path, &opt.overrides);
  command_line.options()
      .flag("print-config", &opt.print_config, "Print the effective config and exit")
      .flag("check-config", &opt.check_config, "Validate config and model, then exit")
      .flag("config-reference", &opt.config_reference,
            "Print the configuration reference (Markdown) and exit")
      .option("duration",
              cli::po::value(&opt.duration_s)->notifier(cli::non_negative("--duration")),
              "Stop after this many seconds (0: run until SIGINT/SIGTERM)");
  if (const auto exit_code = command_line.parse(argc, argv)) return *exit_code;
  if (opt.config_reference) {
    std::printf("%s", rcpilot::config::reference_markdown().c_str());
    return 0;
  }
  // Block the node's signals in every thread; main waits for them with sigtimedwait.
  const sigset_t signals = rcpilot::node_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return rcpilot::run(opt);
}
