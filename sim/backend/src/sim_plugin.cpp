// librcpilot-sim.so: the simulated car behind the node's CameraSource and MotorLink
// interfaces (sim_backend/simulated_car.hpp).
#include <stdexcept>

#include "sim/sim_board_link.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_motor_link.hpp"
#include "sim/sim_world.hpp"
#include "sim/track.hpp"
#include "sim_backend/simulated_car.hpp"

namespace rcpilot::sim {
namespace {

class SimulatedCarImpl final : public sim_backend::SimulatedCar {
 public:
  SimulatedCarImpl(const config::Config& cfg, const Clock& clock)
      : cfg_(cfg), clock_(clock), world_(cfg.sim, cfg.camera, load_configured_track(cfg),
                                         clock.now()) {}

  std::unique_ptr<perception::CameraSource> make_camera() override {
    return std::make_unique<SimCamera>(world_, clock_, cfg_.camera.fps, /*realtime=*/true);
  }

  std::unique_ptr<fw::MotorLink> make_motor_link() override {
    if (cfg_.motor.driver == config::MotorDriver::kSim) return std::make_unique<SimMotorLink>(world_, clock_);
    auto link = std::make_unique<SimBoardLink>(cfg_.motor, world_, clock_, /*threaded=*/true);
    if (!link->wait_ready(std::chrono::seconds(2))) {
      link->stop();
      throw std::runtime_error("motor.driver native_sim: the simulated firmware board did not "
                               "answer on its pty within 2 s");
    }
    return link;
  }

  vehicle::DrivingProgress progress() const override {
    const Progress p = world_.progress();
    vehicle::DrivingProgress d;
    d.present = true;
    d.laps = p.laps;
    d.cte_m = p.cte_m;
    d.mean_abs_cte_m = p.mean_abs_cte_m;
    d.max_abs_cte_m = p.max_abs_cte_m;
    d.off_track_events = p.off_track_events;
    d.speed_mps = world_.car().speed_mps;
    return d;
  }

 private:
  const config::Config cfg_;
  const Clock& clock_;
  SimWorld world_;
};

std::unique_ptr<sim_backend::SimulatedCar> make_simulated_car(const config::Config& cfg,
                                                              const Clock& clock) {
  return std::make_unique<SimulatedCarImpl>(cfg, clock);
}

}  // namespace
}  // namespace rcpilot::sim

extern "C" __attribute__((visibility("default"))) int rcpilot_sim_plugin(
    rcpilot::sim_backend::SimulatedCarFactory* factory, std::size_t* config_size) {
  *factory = &rcpilot::sim::make_simulated_car;
  *config_size = sizeof(rcpilot::config::Config);
  return rcpilot::sim_backend::kSimPluginAbi;
}
