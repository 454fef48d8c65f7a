// The named pads' mappings resolved through the kernel's control codes, on the code lists the
// drivers report for real pads (joydev numbers controls in code order, BTN_JOYSTICK and up
// first).
#include "operator/gamepad_pads.hpp"

#include <linux/input.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rcpilot::vehicle {
namespace {

using config::GamepadPad;

const std::vector<std::uint8_t> kStickAxes = {ABS_X,  ABS_Y,  ABS_Z,     ABS_RX,
                                              ABS_RY, ABS_RZ, ABS_HAT0X, ABS_HAT0Y};

// An Xbox 360 / One pad on xpad, and a Logitech F710 switched to X (XInput).
JoystickShape xpad() {
  const std::vector<std::uint16_t> buttons = {BTN_A,    BTN_B,      BTN_X,      BTN_Y,
                                              BTN_TL,   BTN_TR,     BTN_SELECT, BTN_START,
                                              BTN_MODE, BTN_THUMBL, BTN_THUMBR};
  return {8, 11, kStickAxes, buttons};
}

// A DualShock 4 or DualSense on hid-playstation / hid-sony (the triggers are buttons too).
JoystickShape dualshock4() {
  const std::vector<std::uint16_t> buttons = {
      BTN_SOUTH, BTN_EAST,   BTN_NORTH, BTN_WEST, BTN_TL,     BTN_TR,    BTN_TL2,
      BTN_TR2,   BTN_SELECT, BTN_START, BTN_MODE, BTN_THUMBL, BTN_THUMBR};
  return {8, 13, kStickAxes, buttons};
}

// A Sixaxis on hid-sony: the d-pad is four buttons.
JoystickShape sixaxis() {
  JoystickShape s = dualshock4();
  for (std::uint16_t b : {BTN_DPAD_UP, BTN_DPAD_DOWN, BTN_DPAD_LEFT, BTN_DPAD_RIGHT}) {
    s.button_codes.push_back(b);
  }
  s.axes = 6;
  s.axis_codes.resize(6);
  s.buttons = static_cast<int>(s.button_codes.size());
  return s;
}

config::GamepadConfig with_pad(GamepadPad pad) {
  config::GamepadConfig c;
  c.pad = pad;
  return c;
}

TEST(GamepadPads, an_xbox_pad_gets_donkeys_buttons_on_xpad_numbers) {
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(with_pad(GamepadPad::kXbox), xpad(), missing);
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(m.steering_axis, 0);
  EXPECT_EQ(m.throttle_axis, 4);
  EXPECT_EQ(m.mode_cycle_button, 0);           // A
  EXPECT_EQ(m.record_toggle_button, 1);        // B
  EXPECT_EQ(m.erase_records_button, 2);        // X
  EXPECT_EQ(m.estop_button, 3);                // Y
  EXPECT_EQ(m.throttle_scale_down_button, 4);  // LB
  EXPECT_EQ(m.throttle_scale_up_button, 5);    // RB
  EXPECT_EQ(m.disarm_button, 6);               // View
  EXPECT_EQ(m.arm_button, 7);                  // Menu
  EXPECT_EQ(m.throttle_scale_hat_axis, -1);
  GamepadDecoder accepted(m);
}

TEST(GamepadPads, a_bluetooth_xbox_pad_throttles_on_abs_rz_where_it_has_no_abs_ry) {
  JoystickShape bt = xpad();
  bt.axis_codes = {ABS_X, ABS_Y, ABS_Z, ABS_RZ, ABS_GAS, ABS_BRAKE, ABS_HAT0X, ABS_HAT0Y};
  std::vector<std::string> missing;
  EXPECT_EQ(resolve_pad(with_pad(GamepadPad::kXbox), bt, missing).throttle_axis, 3);
}

TEST(GamepadPads, a_ps4_pad_gets_donkeys_buttons_where_its_triggers_are_buttons) {
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(with_pad(GamepadPad::kPs4), dualshock4(), missing);
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(m.throttle_axis, 4);
  EXPECT_EQ(m.estop_button, 0);                // Cross
  EXPECT_EQ(m.record_toggle_button, 1);        // Circle
  EXPECT_EQ(m.erase_records_button, 2);        // Triangle
  EXPECT_EQ(m.throttle_scale_up_button, 4);    // L1
  EXPECT_EQ(m.throttle_scale_down_button, 5);  // R1
  EXPECT_EQ(m.mode_cycle_button, 8);           // Share
  EXPECT_EQ(m.arm_button, 9);                  // Options
  EXPECT_EQ(m.disarm_button, 10);              // PS
}

TEST(GamepadPads, a_ps3_pad_steps_the_throttle_scale_with_its_d_pad_buttons) {
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(with_pad(GamepadPad::kPs3), sixaxis(), missing);
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(m.throttle_scale_up_button, 13);
  EXPECT_EQ(m.throttle_scale_down_button, 14);
  EXPECT_EQ(m.mode_cycle_button, 8);  // Select
}

TEST(GamepadPads, an_f710_steps_the_throttle_scale_with_its_d_pad_axis) {
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(with_pad(GamepadPad::kF710), xpad(), missing);
  EXPECT_TRUE(missing.empty());
  EXPECT_EQ(m.throttle_scale_hat_axis, 7);
  EXPECT_EQ(m.throttle_scale_up_button, -1);
  EXPECT_EQ(m.mode_cycle_button, 7);     // Start
  EXPECT_EQ(m.estop_button, 0);          // A
  EXPECT_EQ(m.erase_records_button, 3);  // Y
  EXPECT_EQ(m.arm_button, 8);            // Logitech
}

TEST(GamepadPads, a_control_the_pad_lacks_is_unmapped_and_named) {
  JoystickShape no_mode = dualshock4();
  no_mode.button_codes[10] = BTN_TRIGGER_HAPPY1;
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(with_pad(GamepadPad::kPs4), no_mode, missing);
  EXPECT_EQ(m.disarm_button, -1);
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("BTN_MODE"), std::string::npos) << missing[0];
}

TEST(GamepadPads, a_device_that_reports_no_codes_maps_nothing_and_says_so) {
  std::vector<std::string> missing;
  const config::GamepadConfig m =
      resolve_pad(with_pad(GamepadPad::kXbox), JoystickShape{8, 11, {}, {}}, missing);
  EXPECT_EQ(m.estop_button, -1);
  EXPECT_EQ(m.throttle_axis, -1);
  EXPECT_EQ(missing.size(), 10u);
}

TEST(GamepadPads, a_named_pad_replaces_the_numbered_keys_and_custom_keeps_them) {
  config::GamepadConfig c = with_pad(GamepadPad::kPs4);
  c.estop_button = 12;
  c.throttle_scale_hat_axis = 6;
  std::vector<std::string> missing;
  const config::GamepadConfig m = resolve_pad(c, dualshock4(), missing);
  EXPECT_EQ(m.estop_button, 0);
  EXPECT_EQ(m.throttle_scale_hat_axis, -1) << "not part of the ps4 mapping";
  c.pad = GamepadPad::kCustom;
  const config::GamepadConfig same = resolve_pad(c, dualshock4(), missing);
  EXPECT_EQ(same.estop_button, 12);
  EXPECT_EQ(same.throttle_scale_hat_axis, 6);
}

}  // namespace
}  // namespace rcpilot::vehicle
