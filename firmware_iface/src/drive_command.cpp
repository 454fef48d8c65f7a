#include "firmware_iface/drive_command.hpp"

#include <algorithm>
#include <cmath>

namespace rcpilot::fw {

DriveCommand neutral_command(std::uint64_t tick, TimePoint now) {
  DriveCommand cmd;
  cmd.tick = tick;
  cmd.issued_at = now;
  return cmd;
}

namespace {
float clamp_unit(float v) { return std::isfinite(v) ? std::clamp(v, -1.0f, 1.0f) : 0.0f; }
}  // namespace

DriveCommand clamped(DriveCommand cmd) {
  cmd.steering_norm = clamp_unit(cmd.steering_norm);
  cmd.throttle_norm = clamp_unit(cmd.throttle_norm);
  return cmd;
}

}  // namespace rcpilot::fw
