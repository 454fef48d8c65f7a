#pragma once
// A motor link whose "board" is the simulated car.
#include <mutex>

#include "common/clock.hpp"
#include "common/pi_mutex.hpp"
#include "firmware_iface/motor_link.hpp"
#include "sim/sim_world.hpp"

namespace rcpilot::sim {

class SimMotorLink final : public fw::MotorLink {
 public:
  // `world` and `clock` must outlive the link.
  SimMotorLink(SimWorld& world, const Clock& clock);

  // Clamps, records and applies `cmd` to the car at clock.now(). False once stopped.
  bool send(const fw::DriveCommand& cmd) override;
  // Applies neutral and closes the link; later sends fail. Idempotent.
  void stop() override;
  fw::LinkStatus status() const override;
  std::string describe() const override;

 private:
  SimWorld& world_;
  const Clock& clock_;
  mutable PiMutex mutex_;  // the control loop takes it in send(): priority inheritance
  fw::LinkStatus status_;
  bool closed_ = false;
};

}  // namespace rcpilot::sim
