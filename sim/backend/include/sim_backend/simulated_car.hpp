#pragma once
// The simulated car as the node sees it, ArduPilot-SITL style: a camera and a motor link behind
// the same interfaces as the real ones, and how the car is doing on its track. The simulator
// itself lives in a plugin, librcpilot-sim.so, loaded only when the config asks for
// camera.source: sim or motor.driver: sim | native_sim; the car's programs never link it.
#include <cstddef>
#include <memory>
#include <string>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "firmware_iface/motor_link.hpp"
#include "perception/camera_source.hpp"
#include "telemetry/driving_progress.hpp"

namespace rcpilot::sim_backend {

class SimulatedCar {
 public:
  virtual ~SimulatedCar() = default;
  // camera.source sim: the world filmed at camera.fps in real time. The car must outlive it.
  virtual std::unique_ptr<perception::CameraSource> make_camera() = 0;
  // motor.driver sim (in process) or native_sim (the native protocol over a pty to the
  // reference firmware driving the world). Throws std::runtime_error when the simulated board
  // does not answer. The car must outlive it.
  virtual std::unique_ptr<fw::MotorLink> make_motor_link() = 0;
  virtual vehicle::DrivingProgress progress() const = 0;
};

// True when `cfg` asks for any part of the simulated car.
bool wants_simulated_car(const config::Config& cfg);

// Loads the simulator plugin from <program's folder>/../lib/rcpilot/ and builds the car from
// `cfg` (it reads sim.track); `clock` must outlive the car. Throws std::runtime_error naming the
// plugin file or the track and what to do.
std::unique_ptr<SimulatedCar> load_simulated_car(const config::Config& cfg, const Clock& clock);
// The same from the plugin at `plugin_path` (tests).
std::unique_ptr<SimulatedCar> load_simulated_car(const std::string& plugin_path,
                                                 const config::Config& cfg, const Clock& clock);

// The plugin's interface: its one exported entry point fills in the factory and reports the
// ABI and sizeof(config::Config), so a plugin left over from another build is refused.
inline constexpr const char* kSimPluginFile = "librcpilot-sim.so";
inline constexpr const char* kSimPluginEntry = "rcpilot_sim_plugin";
inline constexpr int kSimPluginAbi = 1;
using SimulatedCarFactory = std::unique_ptr<SimulatedCar> (*)(const config::Config& cfg,
                                                              const Clock& clock);
using SimPluginEntry = int (*)(SimulatedCarFactory* factory, std::size_t* config_size);

}  // namespace rcpilot::sim_backend
