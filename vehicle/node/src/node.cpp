#include "node/node.hpp"

#include <thread>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "control/control_core.hpp"
#include "control/control_loop.hpp"
#include "control/realtime.hpp"
#include "firmware_iface/drive_command.hpp"
#include "node/service_notifier.hpp"
#include "operators.hpp"
#include "perception/frame_grabber.hpp"
#include "perception/model_loader.hpp"
#include "perception/pilot_thread.hpp"
#include "recording/recorder.hpp"
#include "sim_backend/simulated_car.hpp"
#include "telemetry/health.hpp"
#include "telemetry/link_events.hpp"
#include "telemetry/telemetry.hpp"
#include "wiring.hpp"

namespace rcpilot::vehicle {
namespace {

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
        config::to_string(cfg.camera.source), wait.count()));
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
  if (cfg.control.mode != DriveMode::kUser && p.p99 > budget_ms) {
    throw perception::ModelError(fmt::format(
        "self-test: inference p99 {:.1f} ms cannot hold pilot.min_rate_hz = {} (needs <= {:.1f} "
        "ms); use a faster model or backend, lower pilot.min_rate_hz, or start in "
        "control.mode: user",
        p.p99, cfg.pilot.min_rate_hz, budget_ms));
  }
  return p;
}

// Model loading and the self-test leave freed heap that glibc keeps (~20 MB for the linear
// model); hand it back so the node's resident size reflects what it uses while driving.
void release_startup_memory() {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

// Board health on the `health` topic every telemetry.health_interval_s, and a warning event
// when a thermal zone reaches telemetry.warn_temp_c. Null when telemetry or health is off.
std::unique_ptr<HealthMonitor> start_health(const config::Config& cfg,
                                            TelemetryPublisher* telemetry) {
  if (telemetry == nullptr || cfg.telemetry.health_interval_s <= 0) return nullptr;
  const double warn_c = cfg.telemetry.warn_temp_c;
  auto monitor = std::make_unique<HealthMonitor>(
      HealthReader("/", warn_c), seconds_to_duration(cfg.telemetry.health_interval_s),
      [telemetry, warn_c, was_hot = false](const HealthSample& s) mutable {
        telemetry->publish_health(health_to_json(s));
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

}  // namespace

Node::Node(const config::Config& cfg, NodeOptions options)
    : cfg_(cfg), options_(std::move(options)) {
  if (sim_backend::wants_simulated_car(cfg_)) {
    sim_car_ = sim_backend::load_simulated_car(cfg_, clock_);
  }
  build_perception();
  link_ = app::make_motor_link(cfg_, sim_car_.get(), clock_);
  link_->send(fw::neutral_command(0, clock_.now()));
  build_outputs();
  build_control();
  build_operator();
}

Node::~Node() { stop(); }

// The model, the camera and its grabber, and the self-test on the first frame.
void Node::build_perception() {
  pilot_ = perception::make_pilot(cfg_);
  camera_ = app::make_camera(cfg_, sim_car_.get(), clock_);
  perception::GrabberOptions grab = perception::grabber_options(cfg_.camera);
  grab.on_event = [this](perception::CameraEvent e, const std::string& detail) {
    spdlog::warn("{}: {}", perception::to_string(e), detail);
    if (telemetry_) telemetry_->publish_event(perception::to_string(e), detail);
  };
  grabber_ = std::make_unique<perception::FrameGrabber>(*camera_, clock_, frames_, grab);
  grabber_->start();
  self_test_ = self_test(cfg_, *pilot_, first_frame(cfg_, frames_));
  release_startup_memory();
}

// Telemetry (with the simulated car's progress in every `state`), health and the recorder.
void Node::build_outputs() {
  if (cfg_.telemetry.enabled) {
    telemetry_ = std::make_unique<TelemetryPublisher>(cfg_.telemetry);
    if (sim_car_) {
      telemetry_->set_extra_state([car = sim_car_.get()](nlohmann::json& body) {
        const DrivingProgress p = car->progress();
        body["sim"] = {{"laps", p.laps},
                       {"cte_m", p.cte_m},
                       {"off_track_events", p.off_track_events},
                       {"speed_mps", p.speed_mps}};
      });
    }
    telemetry_->set_frame_source(&frames_);
    telemetry_->start();
  }
  health_ = start_health(cfg_, telemetry_.get());
  recorder_ = std::make_unique<Recorder>(cfg_.record, record_tub_path(cfg_), frames_);
  recorder_->set_event_handler([this](const std::string& kind, const std::string& text) {
    spdlog::info("{}: {}", kind, text);
    if (telemetry_) telemetry_->publish_event(kind, text);
  });
  recording_ = std::make_unique<app::RecorderControl>(*recorder_);
  sink_ = std::make_unique<FanOutSink>();
  sink_->add(telemetry_.get());
  sink_->add(recorder_.get());
}

// The real-time core: drive state, loop, and the pilot thread that feeds it.
void Node::build_control() {
  core_ = std::make_unique<ControlCore>(cfg_.control, cfg_.pilot);
  core_->drive_state().set_self_test_passed(self_test_.p99 <= 1000.0 / cfg_.pilot.min_rate_hz);
  loop_ = std::make_unique<ControlLoop>(cfg_.control, *core_, predictions_, *link_, *sink_,
                                        clock_);
  pilot_thread_ = std::make_unique<perception::PilotThread>(
      *pilot_, frames_, predictions_, clock_, [loop = loop_.get()] { loop->notify_prediction(); });
  loop_->set_camera_check([grabber = grabber_.get()](TimePoint now) {
    return grabber->camera_alive(now);
  });
  operators_ = std::make_unique<OperatorInputs>();
  loop_->set_operator_inputs(operators_.get());
}

// The control API, live config and gamepad.
void Node::build_operator() {
  const EventFn events = app::event_publisher(telemetry_.get());
  live_ = std::make_unique<LiveConfig>(cfg_, options_.config_path, options_.overrides,
                                       core_->drive_state(), app::apply_live(*loop_));
  auto status = [this] { return status_to_json(snapshot(), link_->status()); };
  handler_ = std::make_unique<ControlHandler>(ControlTargets{
      core_->drive_state(), *operators_, *live_, clock_, status, recording_.get(), events});
  control_server_ = app::make_control_server(cfg_, *handler_);
  actions_ = std::make_unique<OperatorActions>(core_->drive_state(), events);
  gamepad_ = app::make_gamepad(cfg_, clock_, *operators_, *actions_, *live_, *recorder_, events);
  notifier_ = std::make_unique<ServiceNotifier>();
  link_events_ = std::make_unique<LinkEvents>();
}

void Node::start() {
  recorder_->start();
  for (const auto& warning : loop_->start()) spdlog::warn("{}", warning);
  pilot_thread_->start([cpu = cfg_.pilot.cpu] {
    const std::string warning = pin_this_thread(cpu, "pilot.cpu", "the pilot thread");
    if (!warning.empty()) spdlog::warn("{}", warning);
  });
  if (control_server_) control_server_->start();
  if (gamepad_) gamepad_->start();
  const TimePoint until = clock_.now() + std::chrono::seconds(10);
  while (pilot_thread_->stats().predictions == 0) {
    if (clock_.now() > until) {
      stop();
      throw perception::ModelError("no prediction within 10 s of start: check the camera");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  notifier_->ready("first frame inferred; control loop running");
  notifier_->start_watchdog([loop = loop_.get()] { return loop->heartbeat(); });
  started_ = clock_.now();
  spdlog::info("driving: {} mode, control {} Hz, camera {} fps, model {}",
               to_string(cfg_.control.mode),
               cfg_.control.rate_hz, cfg_.camera.fps, pilot_->describe());
  publish_started();
}

void Node::publish_started() const {
  if (!telemetry_) return;
  telemetry_->publish_event("started", "rcpilot is running",
                            {{"model", cfg_.model.path},
                             {"inference_p50_ms", self_test_.p50},
                             {"inference_p99_ms", self_test_.p99},
                             {"rate_hz", cfg_.control.rate_hz}});
}

void Node::poll() {
  const EventFn events = app::event_publisher(telemetry_.get());
  link_events_->check(link_->status(), events);
  // control.autostart arms a headless car once, after control.autostart_delay_s; a refusal is
  // not retried behind the operator's back.
  if (!cfg_.control.autostart || autostart_done_ || driving_s() < cfg_.control.autostart_delay_s) {
    return;
  }
  autostart_done_ = true;
  const Transition t = core_->drive_state().arm(OperatorInput{});
  if (t.ok) {
    spdlog::info("control.autostart: armed in {} mode", to_string(core_->drive_state().mode()));
  } else {
    spdlog::error("control.autostart: arming refused: {}", t.reason);
  }
}

void Node::reload() { app::reload_config(*live_, app::event_publisher(telemetry_.get())); }

double Node::driving_s() const {
  if (started_ == TimePoint{}) return 0.0;
  return elapsed_ms(started_, clock_.now()) / 1000.0;
}

StatusSnapshot Node::snapshot() const {
  StatusSnapshot s;
  s.elapsed_s = driving_s();
  s.rate_hz = cfg_.control.rate_hz;
  s.loop = loop_->stats();
  s.pilot = pilot_thread_->stats();
  s.camera = grabber_->stats();
  if (sim_car_) s.progress = sim_car_->progress();
  return s;
}

void Node::stop() {
  if (stopped_ || !loop_) return;
  stopped_ = true;
  notifier_->stopping();
  if (control_server_) control_server_->stop();
  if (gamepad_) gamepad_->stop();
  loop_->stop();  // neutral (reason shutdown) on the link
  link_->stop();
  grabber_->stop();
  recorder_->stop();
  pilot_thread_->stop();
  if (health_) health_->stop();
  if (telemetry_) {
    const fw::DriveCommand last = link_->status().last_command;
    telemetry_->publish_event(
        "shutdown", "rcpilot stopped; motor link neutral",
        {{"last_command", {{"steering", last.steering_norm}, {"throttle", last.throttle_norm}}}});
    telemetry_->stop();
  }
}

}  // namespace rcpilot::vehicle
