#include "sim/sim_motor_link.hpp"

#include "firmware_iface/drive_command.hpp"

namespace rcpilot::sim {

SimMotorLink::SimMotorLink(SimWorld& world, const Clock& clock) : world_(world), clock_(clock) {
  status_.alive = true;
}

bool SimMotorLink::send(const fw::DriveCommand& cmd) {
  std::lock_guard<PiMutex> lock(mutex_);
  if (closed_) {
    ++status_.send_failures;
    return false;
  }
  const fw::DriveCommand safe = fw::clamped(cmd);
  world_.set_command(safe.steering_norm, safe.throttle_norm, clock_.now());
  status_.last_command = safe;
  ++status_.commands_sent;
  return true;
}

void SimMotorLink::stop() {
  std::lock_guard<PiMutex> lock(mutex_);
  if (closed_) return;
  const TimePoint now = clock_.now();
  const fw::DriveCommand neutral = fw::neutral_command(status_.last_command.tick, now);
  world_.set_command(neutral.steering_norm, neutral.throttle_norm, now);
  status_.last_command = neutral;
  ++status_.commands_sent;
  status_.alive = false;
  closed_ = true;
}

fw::LinkStatus SimMotorLink::status() const {
  std::lock_guard<PiMutex> lock(mutex_);
  return status_;
}

std::string SimMotorLink::describe() const {
  return "sim motor link (car on track '" + world_.track().name() + "')";
}

}  // namespace rcpilot::sim
