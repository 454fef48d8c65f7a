#include <stdexcept>

#include "common/plugin.hpp"
#include "sim_backend/simulated_car.hpp"

namespace rcpilot::sim_backend {
namespace {

constexpr const char* kRemedy =
    "; it is built with rcpilot and installed beside it by scripts/install (rebuild with "
    "scripts/build), or choose a real camera.source and motor.driver";

SimulatedCarFactory load_factory(const std::string& path) {
  std::string error;
  const auto entry = reinterpret_cast<SimPluginEntry>(plugin_entry(path, kSimPluginEntry, error));
  if (entry == nullptr) {
    throw std::runtime_error("the simulated car needs the simulator plugin " + path + " (" +
                             error + ")" + kRemedy);
  }
  SimulatedCarFactory factory = nullptr;
  std::size_t config_size = 0;
  if (entry(&factory, &config_size) != kSimPluginAbi || config_size != sizeof(config::Config) ||
      factory == nullptr) {
    throw std::runtime_error("the simulator plugin " + path +
                             " comes from another rcpilot build (its interface does not match)" +
                             kRemedy);
  }
  return factory;
}

}  // namespace

bool wants_simulated_car(const config::Config& cfg) {
  return cfg.camera.source == config::CameraSource::kSim || config::is_simulated(cfg.motor.driver);
}

std::unique_ptr<SimulatedCar> load_simulated_car(const std::string& plugin_path,
                                                 const config::Config& cfg, const Clock& clock) {
  return load_factory(plugin_path)(cfg, clock);
}

std::unique_ptr<SimulatedCar> load_simulated_car(const config::Config& cfg, const Clock& clock) {
  return load_simulated_car(installed_plugin_path(kSimPluginFile), cfg, clock);
}

}  // namespace rcpilot::sim_backend
