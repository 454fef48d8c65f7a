#pragma once
// The default mappings of the pads Donkey Car knows (its CONTROLLER_TYPE xbox, ps3, ps4, F710):
// the same button does the same thing as in Donkey's controller.py, found on the open device by
// the kernel's control codes (BTN_SOUTH, ABS_RY, ...) rather than by event numbers, which
// change with the driver and with which controls a pad has.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "operator/gamepad.hpp"

namespace rcpilot::vehicle {

// `config` with its axis and button numbers taken from `config.pad`'s mapping, resolved through
// `shape`'s control codes; the scales, dead zone and inversion stay as configured. A control
// the device does not have is left unmapped (-1) and named in `missing` (e.g. "disarm (BTN_MODE,
// the PS button)"). For pad custom, `config` as it is.
config::GamepadConfig resolve_pad(const config::GamepadConfig& config, const JoystickShape& shape,
                                  std::vector<std::string>& missing);

}  // namespace rcpilot::vehicle
