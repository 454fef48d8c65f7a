#include "operator/gamepad_pads.hpp"

#include <linux/input.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace rcpilot::vehicle {
namespace {

using Key = int config::GamepadConfig::*;
using G = config::GamepadConfig;

// One control of a pad's mapping: the config key it fills and the kernel codes that may carry
// it, the first one the device has wins (a Bluetooth Xbox pad reports its right stick Y as
// ABS_RZ, the xpad driver as ABS_RY, where ABS_RZ is the right trigger).
struct Control {
  Key key;
  bool axis;
  std::array<std::uint16_t, 2> codes;  // 0 ends the list (ABS_X, code 0, is only ever first)
  const char* name;
};

// Donkey's assignments per pad (controller.py), with arm on Start/Options and disarm on the
// remaining system button, which Donkey gives to "constant throttle" (rcpilot has none).
const std::vector<Control>& controls_of(config::GamepadPad pad) {
  static const std::vector<Control> xbox = {
      {&G::steering_axis, true, {ABS_X, 0}, "steering (ABS_X, left stick X)"},
      {&G::throttle_axis, true, {ABS_RY, ABS_RZ}, "throttle (ABS_RY, right stick Y)"},
      {&G::mode_cycle_button, false, {BTN_SOUTH, 0}, "next mode (BTN_SOUTH, A)"},
      {&G::record_toggle_button, false, {BTN_EAST, 0}, "record on/off (BTN_EAST, B)"},
      {&G::erase_records_button, false, {BTN_X, 0}, "erase (BTN_X, X)"},
      {&G::estop_button, false, {BTN_Y, 0}, "e-stop (BTN_Y, Y)"},
      {&G::throttle_scale_up_button, false, {BTN_TR, 0}, "max throttle up (BTN_TR, RB)"},
      {&G::throttle_scale_down_button, false, {BTN_TL, 0}, "max throttle down (BTN_TL, LB)"},
      {&G::arm_button, false, {BTN_START, 0}, "arm (BTN_START, Menu)"},
      {&G::disarm_button, false, {BTN_SELECT, 0}, "disarm (BTN_SELECT, View)"},
  };
  static const std::vector<Control> ps3 = {
      {&G::steering_axis, true, {ABS_X, 0}, "steering (ABS_X, left stick X)"},
      {&G::throttle_axis, true, {ABS_RY, 0}, "throttle (ABS_RY, right stick Y)"},
      {&G::mode_cycle_button, false, {BTN_SELECT, 0}, "next mode (BTN_SELECT, Select)"},
      {&G::record_toggle_button, false, {BTN_EAST, 0}, "record on/off (BTN_EAST, Circle)"},
      {&G::erase_records_button, false, {BTN_NORTH, 0}, "erase (BTN_NORTH, Triangle)"},
      {&G::estop_button, false, {BTN_SOUTH, 0}, "e-stop (BTN_SOUTH, Cross)"},
      {&G::throttle_scale_up_button, false, {BTN_DPAD_UP, 0}, "max throttle up (d-pad up)"},
      {&G::throttle_scale_down_button, false, {BTN_DPAD_DOWN, 0}, "max throttle down (d-pad down)"},
      {&G::arm_button, false, {BTN_START, 0}, "arm (BTN_START, Start)"},
      {&G::disarm_button, false, {BTN_MODE, 0}, "disarm (BTN_MODE, PS)"},
  };
  static const std::vector<Control> ps4 = {
      {&G::steering_axis, true, {ABS_X, 0}, "steering (ABS_X, left stick X)"},
      {&G::throttle_axis, true, {ABS_RY, 0}, "throttle (ABS_RY, right stick Y)"},
      {&G::mode_cycle_button, false, {BTN_SELECT, 0}, "next mode (BTN_SELECT, Share)"},
      {&G::record_toggle_button, false, {BTN_EAST, 0}, "record on/off (BTN_EAST, Circle)"},
      {&G::erase_records_button, false, {BTN_NORTH, 0}, "erase (BTN_NORTH, Triangle)"},
      {&G::estop_button, false, {BTN_SOUTH, 0}, "e-stop (BTN_SOUTH, Cross)"},
      {&G::throttle_scale_up_button, false, {BTN_TL, 0}, "max throttle up (BTN_TL, L1)"},
      {&G::throttle_scale_down_button, false, {BTN_TR, 0}, "max throttle down (BTN_TR, R1)"},
      {&G::arm_button, false, {BTN_START, 0}, "arm (BTN_START, Options)"},
      {&G::disarm_button, false, {BTN_MODE, 0}, "disarm (BTN_MODE, PS)"},
  };
  static const std::vector<Control> f710 = {
      {&G::steering_axis, true, {ABS_X, 0}, "steering (ABS_X, left stick X)"},
      {&G::throttle_axis, true, {ABS_RY, 0}, "throttle (ABS_RY, right stick Y)"},
      {&G::mode_cycle_button, false, {BTN_START, 0}, "next mode (BTN_START, Start)"},
      {&G::record_toggle_button, false, {BTN_EAST, 0}, "record on/off (BTN_EAST, B)"},
      {&G::erase_records_button, false, {BTN_Y, 0}, "erase (BTN_Y, Y)"},
      {&G::estop_button, false, {BTN_SOUTH, 0}, "e-stop (BTN_SOUTH, A)"},
      {&G::throttle_scale_hat_axis, true, {ABS_HAT0Y, 0}, "max throttle up/down (d-pad)"},
      {&G::arm_button, false, {BTN_MODE, 0}, "arm (BTN_MODE, Logitech)"},
      {&G::disarm_button, false, {BTN_SELECT, 0}, "disarm (BTN_SELECT, Back)"},
  };
  static const std::vector<Control> none;
  switch (pad) {
    case config::GamepadPad::kXbox:
      return xbox;
    case config::GamepadPad::kPs3:
      return ps3;
    case config::GamepadPad::kPs4:
      return ps4;
    case config::GamepadPad::kF710:
      return f710;
    case config::GamepadPad::kCustom:
      break;
  }
  return none;
}

// The event number carrying `code` in `codes`, or -1.
template <typename T>
int number_of(const std::vector<T>& codes, std::uint16_t code) {
  const auto it = std::find(codes.begin(), codes.end(), code);
  return it == codes.end() ? -1 : static_cast<int>(it - codes.begin());
}

int find(const Control& c, const JoystickShape& shape) {
  for (std::size_t i = 0; i < c.codes.size(); ++i) {
    if (i > 0 && c.codes[i] == 0) break;
    const int n = c.axis ? number_of(shape.axis_codes, c.codes[i])
                         : number_of(shape.button_codes, c.codes[i]);
    if (n >= 0) return n;
  }
  return -1;
}

}  // namespace

config::GamepadConfig resolve_pad(const config::GamepadConfig& config, const JoystickShape& shape,
                                  std::vector<std::string>& missing) {
  if (config.pad == config::GamepadPad::kCustom) return config;
  config::GamepadConfig out = config;
  for (Key key :
       {&G::steering_axis, &G::throttle_axis, &G::throttle_scale_hat_axis, &G::mode_cycle_button,
        &G::arm_button, &G::disarm_button, &G::estop_button, &G::record_toggle_button,
        &G::erase_records_button, &G::throttle_scale_up_button, &G::throttle_scale_down_button}) {
    out.*key = -1;  // only what the pad's mapping names is mapped
  }
  for (const Control& c : controls_of(config.pad)) {
    out.*c.key = find(c, shape);
    if (out.*c.key < 0) missing.emplace_back(c.name);
  }
  return out;
}

}  // namespace rcpilot::vehicle
