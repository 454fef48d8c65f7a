#pragma once
// The node: builds the car's parts from the config in one readable place and owns their start
// and stop order. main() parses arguments, builds a Node, waits for a stop and stops it.
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "common/stats.hpp"
#include "config/config.hpp"
#include "perception/types.hpp"
#include "telemetry/status_report.hpp"

namespace rcpilot::sim_backend {
class SimulatedCar;
}
namespace rcpilot::perception {
class CameraSource;
class FrameGrabber;
class Pilot;
class PilotThread;
}  // namespace rcpilot::perception
namespace rcpilot::fw {
class MotorLink;
}

namespace rcpilot::vehicle {

class ControlCore;
class ControlLoop;
class ControlHandler;
class ControlServer;
class GamepadReader;
class HealthMonitor;
class LinkEvents;
class LiveConfig;
class OperatorActions;
class OperatorInputs;
class Recorder;
class RecordingControl;
class ServiceNotifier;
class TelemetryPublisher;
class FanOutSink;

struct NodeOptions {
  std::string config_path;             // --config ("" for the embedded profile): SIGHUP rereads it
  std::vector<std::string> overrides;  // --set, applied again on every reload
};

class Node {
 public:
  // Start-up in order: the simulated car (only when the config asks for it), the model, the
  // camera and its first frame, the self-test, the motor link (neutral), telemetry and health,
  // the recorder, the control core and loop, the operator side. Throws on any failure before
  // anything moved (ConfigError for settings, other exceptions for model, camera or device).
  Node(const config::Config& cfg, NodeOptions options);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Starts the threads; returns once the first prediction arrived (READY=1 sent to systemd).
  // Throws perception::ModelError, after stopping the loop and link, when none comes in 10 s.
  void start();
  // Main-thread housekeeping, about twice a second: autostart, motor link events.
  void poll();
  // SIGHUP: rereads the config file; live keys apply, the rest is reported.
  void reload();
  // Neutral first, then the operator side, loop, link, camera, recorder, pilot, telemetry.
  // Idempotent.
  void stop();

  StatusSnapshot snapshot() const;
  // Seconds since start() returned (0 before).
  double driving_s() const;

 private:
  void build_perception();
  void build_outputs();
  void build_control();
  void build_operator();
  void publish_started() const;

  config::Config cfg_;
  NodeOptions options_;
  SteadyClock clock_;
  TimePoint started_{};
  Percentiles self_test_;
  bool autostart_done_ = false;
  bool stopped_ = false;

  // Declared in construction order; destroyed in reverse after stop().
  std::unique_ptr<sim_backend::SimulatedCar> sim_car_;
  std::unique_ptr<perception::Pilot> pilot_;
  std::unique_ptr<perception::CameraSource> camera_;
  LatestSlot<perception::Frame> frames_;
  std::unique_ptr<perception::FrameGrabber> grabber_;
  std::unique_ptr<fw::MotorLink> link_;
  std::unique_ptr<TelemetryPublisher> telemetry_;
  std::unique_ptr<HealthMonitor> health_;
  std::unique_ptr<Recorder> recorder_;
  std::unique_ptr<RecordingControl> recording_;
  std::unique_ptr<FanOutSink> sink_;
  LatestSlot<perception::Prediction> predictions_;
  std::unique_ptr<ControlCore> core_;
  std::unique_ptr<ControlLoop> loop_;
  std::unique_ptr<perception::PilotThread> pilot_thread_;
  std::unique_ptr<OperatorInputs> operators_;
  std::unique_ptr<LiveConfig> live_;
  std::unique_ptr<ControlHandler> handler_;
  std::unique_ptr<ControlServer> control_server_;
  std::unique_ptr<OperatorActions> actions_;
  std::unique_ptr<GamepadReader> gamepad_;
  std::unique_ptr<ServiceNotifier> notifier_;
  std::unique_ptr<LinkEvents> link_events_;
};

}  // namespace rcpilot::vehicle
