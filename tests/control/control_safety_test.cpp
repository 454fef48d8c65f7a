// Issue 5 additions to the control decision: recovery hold-off, motor link loss, the explicit
// limits check, run-time tunables and brake-then-reverse. Time is stepped by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "control/control_core.hpp"
#include "control/operator_inputs.hpp"
#include "control/reverse_shaper.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint{} + std::chrono::seconds(100);

struct SafetyTest : ::testing::Test {
  config::ControlConfig control;
  config::PilotConfig pilot;

  // A prediction captured 5 ms before `now` (fresh) or `age_ms` before it.
  static TickInputs model(float steering, float throttle, std::uint64_t seq, TimePoint now,
                          double age_ms = 5) {
    TickInputs in;
    in.prediction.steering_norm = steering;
    in.prediction.throttle_norm = throttle;
    in.prediction.frame_sequence = seq;
    in.prediction.captured_at = now - milliseconds(static_cast<int>(age_ms));
    in.prediction.valid = true;
    in.has_prediction = true;
    return in;
  }
  static TickInputs user(float steering, float throttle, TimePoint now) {
    TickInputs in;
    in.operator_input = {steering, throttle, now, true};
    return in;
  }
  // A core with the self-test passed and armed, as the node has before driving.
  std::unique_ptr<ControlCore> armed_core() {
    auto core = std::make_unique<ControlCore>(control, pilot);
    core->drive_state().set_self_test_passed(true);
    EXPECT_TRUE(core->drive_state().arm(OperatorInput{}).ok);
    return core;
  }
};

TEST_F(SafetyTest, after_a_stale_spell_the_model_waits_for_the_hold_off) {
  control.mode = config::DriveMode::kLocal;
  control.recovery_hold_off_ms = 400;
  auto core_ptr = armed_core();
  ControlCore& core = *core_ptr;
  TimePoint t = kT0;
  EXPECT_EQ(core.decide(model(0.2f, 0.5f, 1, t), 1, t).reason, StopReason::kNone);
  t += milliseconds(20);
  EXPECT_EQ(core.decide(model(0.2f, 0.5f, 1, t, 500), 2, t).reason, StopReason::kStalePrediction);
  const TimePoint failed = t;
  std::uint64_t seq = 2;
  for (t += milliseconds(20); t < failed + milliseconds(400); t += milliseconds(20)) {
    ++seq;
    const auto st = core.decide(model(0.2f, 0.5f, seq, t), seq, t);
    EXPECT_EQ(st.reason, StopReason::kRecovering) << elapsed_ms(failed, t) << " ms after";
    EXPECT_TRUE(st.command.is_neutral());
  }
  ++seq;
  const auto st = core.decide(model(0.2f, 0.5f, seq, t), seq, t);
  EXPECT_EQ(st.reason, StopReason::kNone);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.2f);
}

TEST_F(SafetyTest, the_first_prediction_after_start_up_needs_no_hold_off) {
  control.mode = config::DriveMode::kLocal;
  auto core_ptr = armed_core();
  ControlCore& core = *core_ptr;
  EXPECT_EQ(core.decide(TickInputs{}, 1, kT0).reason, StopReason::kNoPrediction);
  const TimePoint t = kT0 + milliseconds(20);
  EXPECT_EQ(core.decide(model(0.1f, 0.3f, 1, t), 2, t).reason, StopReason::kNone);
}

TEST_F(SafetyTest, a_lost_motor_link_stops_every_mode_and_recovery_waits) {
  control.mode = config::DriveMode::kUser;
  control.recovery_hold_off_ms = 300;
  auto core_ptr = armed_core();
  ControlCore& core = *core_ptr;
  TimePoint t = kT0;
  TickInputs in = user(0.3f, 0.4f, t);
  in.link_alive = false;
  auto st = core.decide(in, 1, t);
  EXPECT_EQ(st.reason, StopReason::kMotorLinkDown);
  EXPECT_TRUE(st.command.is_neutral());
  t += milliseconds(100);
  st = core.decide(user(0.3f, 0.4f, t), 2, t);
  EXPECT_EQ(st.reason, StopReason::kRecovering);
  t += milliseconds(250);
  st = core.decide(user(0.3f, 0.4f, t), 3, t);
  EXPECT_EQ(st.reason, StopReason::kNone);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.4f);
}

TEST_F(SafetyTest, a_non_finite_operator_command_is_a_limit_violation) {
  control.mode = config::DriveMode::kUser;
  auto core_ptr = armed_core();
  ControlCore& core = *core_ptr;
  const auto st = core.decide(user(std::nanf(""), 0.2f, kT0), 1, kT0);
  EXPECT_EQ(st.reason, StopReason::kLimitViolation);
  EXPECT_TRUE(st.command.is_neutral());
}

TEST_F(SafetyTest, new_tunables_apply_from_the_next_decision_on) {
  control.mode = config::DriveMode::kUser;
  auto core_ptr = armed_core();
  ControlCore& core = *core_ptr;
  EXPECT_FLOAT_EQ(core.decide(user(0.5f, 0.5f, kT0), 1, kT0).command.steering_norm, 0.5f);
  Tunables t = core.tunables();
  t.steering_gain = 0.5;
  t.steering_trim = 0.1;
  t.throttle_max = 0.3;
  core.set_tunables(t);
  const TimePoint later = kT0 + milliseconds(20);
  const auto st = core.decide(user(0.5f, 0.5f, later), 2, later);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.35f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.3f);
}

TEST(ReverseShaperTest, direct_mode_passes_negative_throttle_through) {
  ReverseShaper r;
  Tunables t;
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, kT0), -0.4f);
}

TEST(ReverseShaperTest, brake_then_neutral_then_reverse_with_exact_timing) {
  ReverseShaper r;
  Tunables t;
  t.reverse = ReverseMode::kBrakeThenReverse;
  t.reverse_brake_ms = 100;
  t.reverse_neutral_ms = 60;
  EXPECT_FLOAT_EQ(r.apply(0.5f, t, kT0), 0.5f);
  const TimePoint b = kT0 + milliseconds(20);
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, b), -0.4f);                     // brake starts
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, b + milliseconds(99)), -0.4f);  // still braking
  const TimePoint n = b + milliseconds(100);
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, n), 0.0f);  // neutral gap
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, n + milliseconds(59)), 0.0f);
  EXPECT_FLOAT_EQ(r.apply(-0.4f, t, n + milliseconds(60)), -0.4f);  // reverse engaged
  EXPECT_FLOAT_EQ(r.apply(0.0f, t, n + milliseconds(80)), 0.0f);
  EXPECT_FLOAT_EQ(r.apply(-0.2f, t, n + milliseconds(90)), -0.2f)
      << "still in reverse: no new brake";
  EXPECT_FLOAT_EQ(r.apply(0.3f, t, n + milliseconds(100)), 0.3f);
  EXPECT_FLOAT_EQ(r.apply(-0.2f, t, n + milliseconds(120)), -0.2f) << "forward again: brakes";
  EXPECT_FLOAT_EQ(r.apply(-0.2f, t, n + milliseconds(220)), 0.0f);
}

TEST(ReverseShaperTest, letting_go_during_the_brake_restarts_the_sequence) {
  ReverseShaper r;
  Tunables t;
  t.reverse = ReverseMode::kBrakeThenReverse;
  t.reverse_brake_ms = 100;
  t.reverse_neutral_ms = 50;
  EXPECT_FLOAT_EQ(r.apply(-0.5f, t, kT0), -0.5f);
  EXPECT_FLOAT_EQ(r.apply(0.0f, t, kT0 + milliseconds(50)), 0.0f);
  EXPECT_FLOAT_EQ(r.apply(-0.5f, t, kT0 + milliseconds(60)), -0.5f);  // braking again
  EXPECT_FLOAT_EQ(r.apply(-0.5f, t, kT0 + milliseconds(159)), -0.5f);
  EXPECT_FLOAT_EQ(r.apply(-0.5f, t, kT0 + milliseconds(160)), 0.0f);
}

TEST(OperatorInputsTest, precedence_and_dead_man_expiry) {
  OperatorInputs inputs;
  EXPECT_FALSE(inputs.current(kT0, 500).valid);
  inputs.submit(OperatorSource::kRcReceiver, {0.1f, 0.1f, kT0, true});
  inputs.submit(OperatorSource::kGamepad, {0.2f, 0.2f, kT0, true});
  EXPECT_FLOAT_EQ(inputs.current(kT0, 500).steering_norm, 0.2f);
  inputs.submit(OperatorSource::kControlApi, {0.3f, 0.3f, kT0 + milliseconds(100), true});
  OperatorInput in;
  OperatorSource source{};
  ASSERT_TRUE(inputs.current(kT0 + milliseconds(200), 500, in, source));
  EXPECT_EQ(source, OperatorSource::kControlApi);
  // 550 ms: the gamepad and RC went quiet; the API command is 450 ms old and still counts.
  ASSERT_TRUE(inputs.current(kT0 + milliseconds(550), 500, in, source));
  EXPECT_EQ(source, OperatorSource::kControlApi);
  EXPECT_FALSE(inputs.current(kT0 + milliseconds(601), 500).valid) << "all expired";
  inputs.submit(OperatorSource::kGamepad, {0.0f, 0.0f, kT0 + milliseconds(600), false});
  EXPECT_FALSE(inputs.current(kT0 + milliseconds(610), 500).valid) << "a lost gamepad";
}

}  // namespace
}  // namespace rcpilot::vehicle
