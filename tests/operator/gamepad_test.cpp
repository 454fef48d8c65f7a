#include "operator/gamepad.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace rcpilot::vehicle {
namespace {

js_event axis(int number, int value, bool init = false) {
  js_event e{};
  e.type = static_cast<__u8>(JS_EVENT_AXIS | (init ? JS_EVENT_INIT : 0));
  e.number = static_cast<__u8>(number);
  e.value = static_cast<__s16>(value);
  return e;
}

js_event button(int number, bool down, bool init = false, std::uint32_t time_ms = 0) {
  js_event e{};
  e.time = time_ms;
  e.type = static_cast<__u8>(JS_EVENT_BUTTON | (init ? JS_EVENT_INIT : 0));
  e.number = static_cast<__u8>(number);
  e.value = down ? 1 : 0;
  return e;
}

// Axis 0 steers, axis 1 throttles, no dead zone, no scaling, no inversion.
config::GamepadConfig plain() {
  config::GamepadConfig c;
  c.steering_axis = 0;
  c.throttle_axis = 1;
  c.dead_zone = 0.0;
  c.steering_scale = 1.0;
  c.throttle_scale = 1.0;
  c.steering_inverted = false;
  c.throttle_inverted = false;
  return c;
}

TEST(GamepadDecoder, full_stick_maps_to_plus_and_minus_one) {
  GamepadDecoder d(plain());
  d.apply(axis(0, 32767));
  d.apply(axis(1, -32767));
  EXPECT_FLOAT_EQ(d.steering_norm(), 1.0f);
  EXPECT_FLOAT_EQ(d.throttle_norm(), -1.0f);
  d.apply(axis(0, -32768));  // the one value below -32767 still reads -1, not beyond
  EXPECT_FLOAT_EQ(d.steering_norm(), -1.0f);
}

TEST(GamepadDecoder, inputs_start_centred_and_are_valid_and_stamped) {
  GamepadDecoder d(plain());
  const TimePoint t = TimePoint{} + std::chrono::seconds(7);
  const OperatorInput in = d.input(t);
  EXPECT_TRUE(in.valid);
  EXPECT_EQ(in.received_at, t);
  EXPECT_FLOAT_EQ(in.steering_norm, 0.0f);
  EXPECT_FLOAT_EQ(in.throttle_norm, 0.0f);
}

TEST(GamepadDecoder, dead_zone_reads_zero_and_output_is_continuous_past_it) {
  config::GamepadConfig c = plain();
  c.dead_zone = 0.2;
  GamepadDecoder d(c);
  d.apply(axis(0, static_cast<int>(0.19 * 32767)));
  EXPECT_FLOAT_EQ(d.steering_norm(), 0.0f);
  d.apply(axis(0, static_cast<int>(-0.2 * 32767)));
  EXPECT_FLOAT_EQ(d.steering_norm(), 0.0f);
  // Just past the edge the output is near 0 (no jump to 0.2)...
  d.apply(axis(0, static_cast<int>(0.21 * 32767)));
  EXPECT_NEAR(d.steering_norm(), 0.01f / 0.8f, 1e-3);
  // ...halfway through the live range it is 0.5, and full stick is still 1.
  d.apply(axis(0, static_cast<int>(-0.6 * 32767)));
  EXPECT_NEAR(d.steering_norm(), -0.5f, 1e-3);
  d.apply(axis(0, 32767));
  EXPECT_FLOAT_EQ(d.steering_norm(), 1.0f);
}

TEST(GamepadDecoder, scale_and_inversion_apply_per_axis) {
  config::GamepadConfig c = plain();
  c.steering_scale = 0.8;
  c.throttle_scale = 0.5;
  c.throttle_inverted = true;
  GamepadDecoder d(c);
  d.apply(axis(0, 32767));
  d.apply(axis(1, -32767));  // stick pushed forward reads negative
  EXPECT_FLOAT_EQ(d.steering_norm(), 0.8f);
  EXPECT_FLOAT_EQ(d.throttle_norm(), 0.5f);
  c.steering_inverted = true;
  GamepadDecoder inverted(c);
  inverted.apply(axis(0, 32767));
  EXPECT_FLOAT_EQ(inverted.steering_norm(), -0.8f);
}

TEST(GamepadDecoder, unmapped_axes_change_nothing) {
  GamepadDecoder d(plain());
  const GamepadUpdate u = d.apply(axis(3, 32767));
  EXPECT_FALSE(u.input_changed);
  EXPECT_FLOAT_EQ(d.steering_norm(), 0.0f);
  EXPECT_FLOAT_EQ(d.throttle_norm(), 0.0f);
  config::GamepadConfig c = plain();
  c.steering_axis = -1;
  GamepadDecoder none(c);
  none.apply(axis(0, 32767));
  EXPECT_FLOAT_EQ(none.steering_norm(), 0.0f);
}

TEST(GamepadDecoder, input_changed_only_when_the_output_changes) {
  config::GamepadConfig c = plain();
  c.dead_zone = 0.1;
  GamepadDecoder d(c);
  EXPECT_FALSE(d.apply(axis(0, 100)).input_changed);  // inside the dead zone: still 0
  EXPECT_TRUE(d.apply(axis(0, 20000)).input_changed);
  EXPECT_FALSE(d.apply(axis(0, 20000)).input_changed);
}

TEST(GamepadDecoder, axis_init_events_set_where_the_stick_is) {
  GamepadDecoder d(plain());
  const GamepadUpdate u = d.apply(axis(0, 16384, true));
  EXPECT_TRUE(u.input_changed);
  EXPECT_NEAR(d.steering_norm(), 0.5f, 1e-3);
}

TEST(GamepadDecoder, a_press_gives_its_action_once_and_a_release_none) {
  config::GamepadConfig c = plain();
  c.estop_button = 5;
  GamepadDecoder d(c);
  const GamepadUpdate press = d.apply(button(5, true));
  ASSERT_TRUE(press.action.has_value());
  EXPECT_EQ(*press.action, GamepadAction::kEstop);
  EXPECT_FALSE(press.input_changed);
  EXPECT_FALSE(d.apply(button(5, true)).action.has_value()) << "still held: no second press";
  EXPECT_FALSE(d.apply(button(5, false)).action.has_value());
  EXPECT_TRUE(d.apply(button(5, true)).action.has_value());
}

TEST(GamepadDecoder, every_configured_button_maps_to_its_action) {
  config::GamepadConfig c = plain();
  c.mode_cycle_button = 10;
  c.arm_button = 11;
  c.disarm_button = 12;
  c.estop_button = 13;
  c.record_toggle_button = 14;
  c.erase_records_button = 15;
  GamepadDecoder d(c);
  const GamepadAction expected[] = {GamepadAction::kModeCycle, GamepadAction::kArm,
                                    GamepadAction::kDisarm, GamepadAction::kEstop,
                                    GamepadAction::kRecordToggle};
  for (int i = 0; i < 5; ++i) {
    const GamepadUpdate u = d.apply(button(10 + i, true));
    ASSERT_TRUE(u.action.has_value()) << "button " << 10 + i;
    EXPECT_EQ(*u.action, expected[i]) << to_string(*u.action);
  }
  EXPECT_FALSE(d.apply(button(9, true)).action.has_value()) << "unmapped button";
  // Erase: press, hold erase_hold_ms, release.
  EXPECT_FALSE(d.apply(button(15, true, false, 100)).action.has_value());
  const auto erase = d.apply(button(15, false, false, 100 + c.erase_hold_ms)).action;
  ASSERT_TRUE(erase.has_value());
  EXPECT_EQ(*erase, GamepadAction::kEraseRecords);
}

TEST(GamepadDecoder, erase_acts_only_on_release_after_a_hold_of_erase_hold_ms) {
  config::GamepadConfig c = plain();
  c.erase_records_button = 2;
  c.erase_hold_ms = 1000;
  GamepadDecoder d(c);
  EXPECT_FALSE(d.apply(button(2, true, false, 5000)).action.has_value()) << "not on press";
  EXPECT_FALSE(d.apply(button(2, true, false, 5900)).action.has_value()) << "nor while held";
  EXPECT_FALSE(d.apply(button(2, false, false, 5999)).action.has_value()) << "999 ms is short";
  EXPECT_FALSE(d.apply(button(2, true, false, 7000)).action.has_value());
  const auto erase = d.apply(button(2, false, false, 8000)).action;
  ASSERT_TRUE(erase.has_value());
  EXPECT_EQ(*erase, GamepadAction::kEraseRecords);
  EXPECT_FALSE(d.apply(button(2, false, false, 9000)).action.has_value()) << "one per hold";
}

TEST(GamepadDecoder, erase_hold_is_measured_across_the_32_bit_ms_wrap) {
  config::GamepadConfig c = plain();
  c.erase_records_button = 2;
  c.erase_hold_ms = 1000;
  GamepadDecoder d(c);
  d.apply(button(2, true, false, 0xFFFFFF00u));                           // 256 ms before the wrap
  EXPECT_TRUE(d.apply(button(2, false, false, 800)).action.has_value());  // held 1056 ms
}

TEST(GamepadDecoder, an_erase_button_held_while_connecting_never_erases) {
  config::GamepadConfig c = plain();
  c.erase_records_button = 2;
  c.erase_hold_ms = 1000;
  GamepadDecoder d(c);
  d.apply(button(2, true, true, 0));  // INIT: held when the pad was opened
  EXPECT_FALSE(d.apply(button(2, false, false, 60000)).action.has_value());
  d.apply(button(2, true, false, 70000));
  d.reset();  // the pad was lost while held
  EXPECT_FALSE(d.apply(button(2, false, false, 80000)).action.has_value());
}

TEST(GamepadDecoder, js_event_problem_accepts_only_what_a_joystick_of_that_shape_sends) {
  const JoystickShape shape{6, 11, {}, {}};
  EXPECT_EQ(js_event_problem(axis(5, -32768), shape), "");
  EXPECT_EQ(js_event_problem(axis(5, 0, true), shape), "");
  EXPECT_EQ(js_event_problem(button(10, true), shape), "");
  EXPECT_EQ(js_event_problem(button(10, false, true), shape), "");
  EXPECT_NE(js_event_problem(axis(6, 0), shape), "");
  EXPECT_NE(js_event_problem(button(11, true), shape), "");
  js_event e = button(1, true);
  e.value = 2;
  EXPECT_NE(js_event_problem(e, shape), "");
  for (int type : {0x00, 0x03, 0x04, 0x40, 0x80, 0x83, 0xFF}) {
    e = button(1, true);
    e.type = static_cast<__u8>(type);
    EXPECT_NE(js_event_problem(e, shape), "") << "type " << type;
  }
}

TEST(GamepadDecoder, init_button_events_never_act_even_when_held) {
  config::GamepadConfig c = plain();
  c.arm_button = 7;
  GamepadDecoder d(c);
  EXPECT_FALSE(d.apply(button(7, true, true)).action.has_value());
  // Held through the connect: releasing and pressing again is a real press.
  EXPECT_FALSE(d.apply(button(7, true)).action.has_value());
  EXPECT_FALSE(d.apply(button(7, false)).action.has_value());
  EXPECT_TRUE(d.apply(button(7, true)).action.has_value());
}

TEST(GamepadDecoder, a_button_set_to_minus_one_is_not_mapped) {
  config::GamepadConfig c = plain();
  c.mode_cycle_button = -1;
  c.arm_button = -1;
  c.disarm_button = -1;
  c.estop_button = -1;
  c.record_toggle_button = -1;
  c.erase_records_button = -1;
  GamepadDecoder d(c);
  for (int b = 0; b < 256; ++b) {
    EXPECT_FALSE(d.apply(button(b, true)).action.has_value()) << "button " << b;
  }
}

TEST(GamepadDecoder, reset_centres_the_sticks_and_releases_the_buttons) {
  config::GamepadConfig c = plain();
  c.estop_button = 1;
  GamepadDecoder d(c);
  d.apply(axis(0, 32767));
  d.apply(button(1, true));
  d.reset();
  EXPECT_FLOAT_EQ(d.steering_norm(), 0.0f);
  EXPECT_TRUE(d.apply(button(1, true)).action.has_value());
}

TEST(GamepadDecoder, a_button_mapped_twice_is_refused_naming_both_keys) {
  config::GamepadConfig c = plain();
  c.arm_button = 4;
  c.disarm_button = 4;
  try {
    GamepadDecoder d(c);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("gamepad.arm_button"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("gamepad.disarm_button"), std::string::npos);
  }
  c = plain();
  c.throttle_axis = c.steering_axis;
  EXPECT_THROW(GamepadDecoder{c}, std::invalid_argument);
}

// Donkey's max throttle up/down: the throttle at full stick moves by the step, within 0..1.
TEST(GamepadDecoder, throttle_scale_buttons_move_the_throttle_at_full_stick_within_0_and_1) {
  config::GamepadConfig c = plain();
  c.throttle_scale = 0.5;
  c.throttle_scale_step = 0.05;
  c.throttle_scale_up_button = 20;
  c.throttle_scale_down_button = 21;
  GamepadDecoder d(c);
  d.apply(axis(1, 32767));
  EXPECT_FLOAT_EQ(d.throttle_norm(), 0.5f);
  const GamepadUpdate up = d.apply(button(20, true));
  ASSERT_TRUE(up.action.has_value());
  EXPECT_EQ(*up.action, GamepadAction::kThrottleScaleUp);
  EXPECT_TRUE(up.input_changed) << "the held stick drives with the new scale at once";
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.55);
  EXPECT_FLOAT_EQ(d.throttle_norm(), 0.55f);
  for (int i = 0; i < 20; ++i) {
    d.apply(button(20, false));
    d.apply(button(20, true));
  }
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 1.0) << "never past full";
  for (int i = 0; i < 30; ++i) {
    d.apply(button(21, true));
    d.apply(button(21, false));
  }
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.0) << "never below 0";
  EXPECT_FLOAT_EQ(d.throttle_norm(), 0.0f);
  d.apply(button(20, false));
  d.apply(button(20, true));
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.05) << "steps stay on the step's grid";
}

TEST(GamepadDecoder, the_throttle_scale_d_pad_acts_when_pushed_not_on_release_or_init) {
  config::GamepadConfig c = plain();
  c.throttle_scale = 0.3;
  c.throttle_scale_step = 0.1;
  c.throttle_scale_hat_axis = 7;
  GamepadDecoder d(c);
  EXPECT_FALSE(d.apply(axis(7, -32767, true)).action.has_value()) << "held while connecting";
  EXPECT_FALSE(d.apply(axis(7, 0)).action.has_value());
  const auto up = d.apply(axis(7, -32767)).action;  // d-pad up reads negative
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(*up, GamepadAction::kThrottleScaleUp);
  EXPECT_FALSE(d.apply(axis(7, -32767)).action.has_value()) << "still held: once";
  EXPECT_FALSE(d.apply(axis(7, 0)).action.has_value()) << "release";
  const auto down = d.apply(axis(7, 32767)).action;
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(*down, GamepadAction::kThrottleScaleDown);
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.3);
  EXPECT_TRUE(d.apply(axis(7, -32767)).action.has_value()) << "down straight to up";
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.4);
}

TEST(GamepadDecoder, a_reset_or_remap_keeps_the_throttle_scale_the_buttons_set) {
  config::GamepadConfig c = plain();
  c.throttle_scale = 0.5;
  c.throttle_scale_up_button = 4;
  GamepadDecoder d(c);
  d.apply(button(4, true));
  d.reset();
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.55);
  c.throttle_scale_up_button = 9;
  d.remap(c);
  EXPECT_DOUBLE_EQ(d.throttle_scale(), 0.55);
  EXPECT_FALSE(d.apply(button(4, true)).action.has_value()) << "the old number is unmapped";
  EXPECT_TRUE(d.apply(button(9, true)).action.has_value());
}

TEST(GamepadDecoder, a_throttle_scale_d_pad_on_a_stick_axis_is_refused) {
  config::GamepadConfig c = plain();
  c.throttle_scale_hat_axis = c.throttle_axis;
  EXPECT_THROW(GamepadDecoder{c}, std::invalid_argument);
}

TEST(GamepadDecoder, the_default_mapping_is_accepted) {
  const config::GamepadConfig c;
  GamepadDecoder d(c);
  d.apply(axis(c.throttle_axis, -32767));
  EXPECT_FLOAT_EQ(d.throttle_norm(), static_cast<float>(c.throttle_scale))
      << "stick forward drives forward";
}

}  // namespace
}  // namespace rcpilot::vehicle
