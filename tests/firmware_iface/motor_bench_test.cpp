// MotorBench, the logic of rcpilot-motor: the key-repeat dead-man, the throttle cap, the
// steering sweep and neutral on the way out, on a ManualClock and a recording link.
#include "motor_bench.hpp"

#include <gtest/gtest.h>

#include <string>

#include "vehicle_fakes.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
using testing::RecordingLink;

constexpr auto kTick = milliseconds(20);  // 50 Hz

BenchSettings settings() {
  BenchSettings s;
  s.max_throttle = 0.3f;
  s.nudge_throttle = 0.15f;
  s.deadman = milliseconds(150);
  s.first_repeat = milliseconds(700);
  return s;
}

struct Bench : ::testing::Test {
  ManualClock clock{TimePoint{} + std::chrono::seconds(10)};
  RecordingLink link;

  // Ticks until `until` (exclusive); returns the throttle of every tick.
  std::vector<float> run(MotorBench& bench, TimePoint until) {
    std::vector<float> throttles;
    while (clock.now() < until) {
      throttles.push_back(bench.tick(clock.now()).command.throttle_norm);
      clock.advance(kTick);
    }
    return throttles;
  }
  float tick_at(MotorBench& bench, TimePoint t) {
    clock.set(t);
    return bench.tick(t).command.throttle_norm;
  }
};

TEST_F(Bench, a_held_key_keeps_the_nudge_while_its_repeats_arrive) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kForward, t0);
  // The keyboard's first repeat after 500 ms, then one every 40 ms for a second.
  TimePoint repeat = t0 + milliseconds(500);
  for (const float t : run(bench, repeat)) EXPECT_FLOAT_EQ(t, 0.15f);
  for (; repeat < t0 + milliseconds(1500); repeat += milliseconds(40)) {
    bench.press(BenchKey::kForward, repeat);
    for (const float t : run(bench, repeat + milliseconds(40))) EXPECT_FLOAT_EQ(t, 0.15f);
  }
}

TEST_F(Bench, the_throttle_stops_a_deadman_after_the_last_repeat) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kForward, t0);
  bench.press(BenchKey::kForward, t0 + milliseconds(500));
  const TimePoint last = t0 + milliseconds(540);
  bench.press(BenchKey::kForward, last);
  EXPECT_FLOAT_EQ(tick_at(bench, last + milliseconds(149)), 0.15f);
  EXPECT_FLOAT_EQ(tick_at(bench, last + milliseconds(150)), 0.0f);
  // It stays stopped: the nudge is over, not paused.
  EXPECT_FLOAT_EQ(tick_at(bench, last + milliseconds(700)), 0.0f);
  EXPECT_FALSE(bench.view().nudging);
}

TEST_F(Bench, a_single_tap_lasts_the_first_repeat_allowance_and_no_longer) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kReverse, t0);
  EXPECT_FLOAT_EQ(tick_at(bench, t0), -0.15f);
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(699)), -0.15f);
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(700)), 0.0f);
}

TEST_F(Bench, a_press_after_the_nudge_ran_out_waits_for_the_repeat_delay_again) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kForward, t0);
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(800)), 0.0f);
  const TimePoint again = t0 + milliseconds(900);
  bench.press(BenchKey::kForward, again);
  EXPECT_FLOAT_EQ(tick_at(bench, again + milliseconds(600)), 0.15f);
}

TEST_F(Bench, the_other_direction_is_a_new_press_not_a_repeat) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kForward, t0);
  bench.press(BenchKey::kReverse, t0 + milliseconds(100));
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(700)), -0.15f);
}

TEST_F(Bench, no_throttle_ever_exceeds_max_throttle) {
  BenchSettings s = settings();
  s.max_throttle = 0.2f;
  s.nudge_throttle = 0.5f;
  MotorBench bench(link, s);
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kForward, t0);
  EXPECT_FLOAT_EQ(tick_at(bench, t0), 0.2f);
  for (int i = 0; i < 50; ++i) bench.press(BenchKey::kMore, t0);
  EXPECT_FLOAT_EQ(bench.view().nudge_throttle, 0.2f);
  bench.nudge(-0.9f, t0, milliseconds(100));
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(20)), -0.2f);
  bench.nudge(1.0f, t0, milliseconds(100));
  EXPECT_FLOAT_EQ(tick_at(bench, t0 + milliseconds(40)), 0.2f);
  for (const auto& cmd : link.sent()) EXPECT_LE(std::abs(cmd.throttle_norm), 0.2f);
}

TEST_F(Bench, plus_and_minus_change_the_nudge_throttle_within_zero_and_the_cap) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kMore, t0);
  bench.press(BenchKey::kMore, t0);
  EXPECT_NEAR(bench.view().nudge_throttle, 0.17f, 1e-6);
  for (int i = 0; i < 40; ++i) bench.press(BenchKey::kLess, t0);
  EXPECT_FLOAT_EQ(bench.view().nudge_throttle, 0.0f);
  bench.press(BenchKey::kForward, t0);
  EXPECT_FLOAT_EQ(tick_at(bench, t0), 0.0f);
}

TEST_F(Bench, a_timed_nudge_holds_its_throttle_and_steering_for_its_duration) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.set_steering(-0.4f);
  bench.nudge(0.1f, t0, milliseconds(500));
  const auto throttles = run(bench, t0 + milliseconds(500));
  ASSERT_EQ(throttles.size(), 25u);
  for (const float t : throttles) EXPECT_FLOAT_EQ(t, 0.1f);
  const BenchTick after = bench.tick(t0 + milliseconds(500));
  EXPECT_FLOAT_EQ(after.command.throttle_norm, 0.0f);
  EXPECT_FLOAT_EQ(after.command.steering_norm, -0.4f);
}

TEST_F(Bench, steering_keys_step_coarse_and_fine_and_stay_within_full_lock) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kRight, t0);
  bench.press(BenchKey::kFineLeft, t0);
  EXPECT_NEAR(bench.tick(t0).command.steering_norm, 0.09f, 1e-6);
  for (int i = 0; i < 30; ++i) bench.press(BenchKey::kLeft, t0);
  EXPECT_FLOAT_EQ(bench.tick(t0).command.steering_norm, -1.0f);
  bench.press(BenchKey::kCenter, t0);
  EXPECT_FLOAT_EQ(bench.tick(t0).command.steering_norm, 0.0f);
}

TEST_F(Bench, space_stops_the_nudge_and_centres_the_steering_at_once) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kLeft, t0);
  bench.press(BenchKey::kForward, t0);
  bench.press(BenchKey::kNeutral, t0 + milliseconds(20));
  EXPECT_TRUE(bench.tick(t0 + milliseconds(20)).command.is_neutral());
}

TEST_F(Bench, quit_goes_neutral_and_finish_stops_the_link_once) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.press(BenchKey::kRight, t0);
  bench.press(BenchKey::kForward, t0);
  bench.tick(t0);
  bench.press(BenchKey::kQuit, t0 + milliseconds(20));
  EXPECT_TRUE(bench.quit_requested());
  EXPECT_TRUE(bench.tick(t0 + milliseconds(20)).command.is_neutral());
  bench.finish(t0 + milliseconds(40));
  bench.finish(t0 + milliseconds(60));
  EXPECT_EQ(link.stops(), 1);
  EXPECT_TRUE(link.sent().back().is_neutral());
  // Nothing goes out after the finish.
  const std::size_t sent = link.sent().size();
  bench.press(BenchKey::kForward, t0 + milliseconds(80));
  bench.tick(t0 + milliseconds(80));
  EXPECT_EQ(link.sent().size(), sent);
}

TEST_F(Bench, a_bench_that_goes_out_of_scope_stops_the_link_in_neutral) {
  {
    MotorBench bench(link, settings());
    bench.nudge(0.2f, clock.now(), milliseconds(500));
    bench.tick(clock.now());
  }
  EXPECT_EQ(link.stops(), 1);
  EXPECT_TRUE(link.sent().back().is_neutral());
}

TEST_F(Bench, setpoints_the_link_refuses_are_counted) {
  MotorBench bench(link, settings());
  link.refuse(true);
  EXPECT_FALSE(bench.tick(clock.now()).accepted);
  link.refuse(false);
  EXPECT_TRUE(bench.tick(clock.now()).accepted);
  EXPECT_EQ(bench.view().refused, 1u);
  EXPECT_EQ(bench.view().ticks, 2u);
}

TEST(SweepPoints, go_left_to_right_through_centre_and_end_at_centre) {
  const auto p = sweep_points({1.0f, 0.25f, milliseconds(100)});
  const std::vector<float> expected = {-1.0f, -0.75f, -0.5f, -0.25f, 0.0f,
                                       0.25f, 0.5f,   0.75f, 1.0f,   0.0f};
  ASSERT_EQ(p.size(), expected.size());
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], expected[i], 1e-6) << i;
}

TEST(SweepPoints, reach_an_amplitude_that_is_not_a_multiple_of_the_step) {
  const auto p = sweep_points({0.3f, 0.25f, milliseconds(100)});
  const std::vector<float> expected = {-0.3f, -0.25f, 0.0f, 0.25f, 0.3f, 0.0f};
  ASSERT_EQ(p.size(), expected.size());
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], expected[i], 1e-6) << i;
}

TEST(SweepPoints, reject_an_amplitude_or_step_outside_zero_to_one) {
  EXPECT_THROW(sweep_points({0.0f, 0.1f, milliseconds(100)}), std::invalid_argument);
  EXPECT_THROW(sweep_points({1.5f, 0.1f, milliseconds(100)}), std::invalid_argument);
  EXPECT_THROW(sweep_points({1.0f, 0.0f, milliseconds(100)}), std::invalid_argument);
}

TEST_F(Bench, a_sweep_holds_each_point_for_its_dwell_with_throttle_zero) {
  MotorBench bench(link, settings());
  const TimePoint t0 = clock.now();
  bench.nudge(0.2f, t0, std::chrono::seconds(10));  // cancelled by the sweep
  bench.start_sweep({0.5f, 0.25f, milliseconds(100)}, t0);
  std::vector<float> moved_to;
  while (!bench.sweep_done()) {
    const BenchTick t = bench.tick(clock.now());
    EXPECT_FLOAT_EQ(t.command.throttle_norm, 0.0f);
    if (t.sweep_moved) moved_to.push_back(t.command.steering_norm);
    ASSERT_LT(clock.now(), t0 + std::chrono::seconds(2)) << "the sweep never ended";
    clock.advance(kTick);
  }
  const std::vector<float> expected = {-0.5f, -0.25f, 0.0f, 0.25f, 0.5f, 0.0f};
  ASSERT_EQ(moved_to.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(moved_to[i], expected[i], 1e-6);
  // Six points of 100 ms: done at 600 ms, centred, and the nudge does not come back.
  EXPECT_EQ(clock.now() - t0, milliseconds(620));
  const BenchTick after = bench.tick(clock.now());
  EXPECT_TRUE(after.command.is_neutral());
}

TEST_F(Bench, each_sweep_point_gets_the_ticks_of_its_dwell) {
  MotorBench bench(link, settings());
  bench.start_sweep({1.0f, 1.0f, milliseconds(100)}, clock.now());
  std::vector<float> steering;
  while (!bench.sweep_done()) {
    steering.push_back(bench.tick(clock.now()).command.steering_norm);
    clock.advance(kTick);
  }
  // Points -1, 0, +1, 0 at 5 ticks each, then the tick that ends the sweep (centre).
  ASSERT_EQ(steering.size(), 21u);
  for (int i = 0; i < 5; ++i) EXPECT_FLOAT_EQ(steering[i], -1.0f);
  for (int i = 10; i < 15; ++i) EXPECT_FLOAT_EQ(steering[i], 1.0f);
  EXPECT_FLOAT_EQ(steering.back(), 0.0f);
}

TEST(KeyDecoder, maps_letters_space_and_arrows_and_ignores_the_rest) {
  KeyDecoder d;
  const std::string in = "wsadADc+- qx\x1b[A\x1b[B\x1b[C\x1b[D\x1b[2~\x1bOA";
  const std::vector<BenchKey> expected = {
      BenchKey::kForward,  BenchKey::kReverse,   BenchKey::kLeft,   BenchKey::kRight,
      BenchKey::kFineLeft, BenchKey::kFineRight, BenchKey::kCenter, BenchKey::kMore,
      BenchKey::kLess,     BenchKey::kNeutral,   BenchKey::kQuit,   BenchKey::kForward,
      BenchKey::kReverse,  BenchKey::kRight,     BenchKey::kLeft,   BenchKey::kForward};
  EXPECT_EQ(d.feed(in.data(), in.size()), expected);
}

TEST(KeyDecoder, completes_an_arrow_split_across_reads_and_quits_on_ctrl_c) {
  KeyDecoder d;
  EXPECT_TRUE(d.feed("\x1b", 1).empty());
  EXPECT_TRUE(d.feed("[", 1).empty());
  EXPECT_EQ(d.feed("C", 1), std::vector<BenchKey>{BenchKey::kRight});
  EXPECT_EQ(d.feed("\x03", 1), std::vector<BenchKey>{BenchKey::kQuit});
}

config::MotorConfig motor(const std::string& driver) {
  config::MotorConfig m;
  EXPECT_TRUE(config::parse_name(driver, m.driver)) << driver;
  return m;
}

TEST(OutputMap, shows_the_pulses_the_calibration_maps_to) {
  config::MotorConfig m = motor("native");
  m.steering_min_us = 1100;
  m.steering_center_us = 1520;
  m.steering_max_us = 1900;
  const OutputMap map(m);
  EXPECT_EQ(map.steering(-1.0f), "1100 us");
  EXPECT_EQ(map.steering(0.0f), "1520 us");
  EXPECT_EQ(map.steering(0.5f), "1710 us");
  EXPECT_EQ(map.throttle(0.15f), "1575 us");
  m.steering_inverted = true;
  EXPECT_EQ(OutputMap(m).steering(-1.0f), "1900 us");
}

TEST(OutputMap, shows_servo_position_and_duty_for_vesc_and_nothing_for_the_sim) {
  const OutputMap vesc(motor("vesc"));
  EXPECT_EQ(vesc.steering(0.0f), "servo 0.500");
  EXPECT_EQ(vesc.steering(1.0f), "servo 0.850");
  EXPECT_EQ(vesc.throttle(0.5f), "duty 0.100");
  config::MotorConfig rpm = motor("vesc");
  rpm.vesc_throttle_mode = config::VescThrottle::kRpm;
  EXPECT_EQ(OutputMap(rpm).throttle(-0.1f), "-1000 erpm");
  EXPECT_EQ(OutputMap(motor("sim")).steering(0.3f), "");
}

TEST(OutputMap, shows_pca9685_pulses_with_their_ticks_so_donkey_values_can_be_read_off) {
  config::MotorConfig m = motor("pca9685");
  const OutputMap us(m);
  EXPECT_EQ(us.steering(0.0f), "1501 us (368 ticks)");  // 4.08 us ticks at 60 Hz
  m.steering_left_ticks = 460;
  m.steering_right_ticks = 290;
  m.throttle_forward_ticks = 500;
  m.throttle_stopped_ticks = 370;
  m.throttle_reverse_ticks = 220;
  const OutputMap ticks(m);
  EXPECT_EQ(ticks.steering(-1.0f), "1877 us (460 ticks)");
  EXPECT_EQ(ticks.throttle(0.0f), "1510 us (370 ticks)");
  fw::LinkStatus s;
  s.commands_sent = 1;
  s.last_output = {1510, 1510, 0.0f, 0.0f, 370, 370};
  EXPECT_EQ(ticks.sent(s), "out +0.00/+0.00 (1510/1510 us, 370/370 ticks)");
}

TEST(OutputMap, rejects_limits_that_are_not_ordered_naming_the_keys) {
  config::MotorConfig m = motor("mm1");
  m.throttle_min_us = 1600;
  try {
    OutputMap map(m);
    FAIL() << "accepted throttle_min_us above throttle_center_us";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("motor.throttle_min_us"), std::string::npos);
  }
}

TEST(OutputMap, mm1_refuses_a_pulse_the_board_cannot_output_naming_the_key) {
  config::MotorConfig m = motor("mm1");
  m.steering_max_us = 2100;  // the MM1 would be sent 2000: refused instead of clamped
  try {
    OutputMap map(m);
    FAIL() << "accepted steering_max_us 2100 for the MM1";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("motor.steering_max_us is 2100 us"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("1000..2000 us"), std::string::npos) << e.what();
  }
  m.driver = config::MotorDriver::kNative;  // the native firmware outputs 500..2500 us
  EXPECT_NO_THROW(OutputMap{m});
}

TEST(BenchStatus, shows_the_neutral_a_vesc_fault_sent_not_the_setpoint_asked_for) {
  BenchView v;
  v.steering_norm = 1.0f;
  v.throttle_norm = 0.5f;
  fw::LinkStatus s;
  s.alive = true;
  s.commands_sent = 7;
  s.last_output.servo_position = 0.5f;  // neutral went out: the board reports a fault
  s.board.received_at = TimePoint{} + std::chrono::seconds(5);
  s.board.fault_code = 2;
  const std::string line = format_bench_status(v, s, OutputMap(motor("vesc")), s.board.received_at);
  EXPECT_NE(line.find("steer +1.00 thr +0.50"), std::string::npos) << line;
  EXPECT_NE(line.find("out +0.00/+0.00 (servo 0.500, current 0 A)"), std::string::npos) << line;
  EXPECT_NE(line.find("fault 2"), std::string::npos) << line;
}

TEST(BenchStatus, shows_setpoint_pulses_board_state_rc_pulses_and_counters) {
  BenchView v;
  v.steering_norm = -0.5f;
  v.throttle_norm = 0.15f;
  v.nudging = true;
  v.nudge_throttle = 0.15f;
  fw::LinkStatus s;
  s.alive = true;
  s.board.received_at = TimePoint{} + std::chrono::seconds(5);
  s.board.armed = true;
  s.board.battery_v = 7.4f;
  s.rc.valid = true;
  s.rc.steering_us = 1480;
  s.rc.throttle_us = 1510;
  s.send_failures = 2;
  s.reconnects = 1;
  s.commands_sent = 3;
  s.last_command.steering_norm = -0.5f;
  s.last_command.throttle_norm = 0.15f;
  s.last_output.steering_us = 1250;
  s.last_output.throttle_us = 1575;
  const std::string line =
      format_bench_status(v, s, OutputMap(motor("native")), s.board.received_at);
  EXPECT_NE(line.find("steer -0.50 thr +0.15 NUDGE"), std::string::npos) << line;
  EXPECT_NE(line.find("out -0.50/+0.15 (1250/1575 us)"), std::string::npos) << line;
  EXPECT_NE(line.find("link up, armed, 7.40 V"), std::string::npos) << line;
  EXPECT_NE(line.find("rc 1480/1510 us"), std::string::npos) << line;
  EXPECT_NE(line.find("fail 2"), std::string::npos) << line;
  EXPECT_NE(line.find("reconn 1"), std::string::npos) << line;
}

}  // namespace
}  // namespace rcpilot::vehicle
