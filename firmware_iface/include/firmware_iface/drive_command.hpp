#pragma once
#include "firmware_iface/motor_link.hpp"

namespace rcpilot::fw {

// The neutral setpoint (steering centred, throttle zero) stamped with `tick` and `now`.
DriveCommand neutral_command(std::uint64_t tick, TimePoint now);

// `cmd` with both channels clamped to [-1, 1]; NaN becomes 0 so bad math never moves the car.
DriveCommand clamped(DriveCommand cmd);

}  // namespace rcpilot::fw
