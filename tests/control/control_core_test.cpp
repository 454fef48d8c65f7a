#include "control/control_core.hpp"

#include <gtest/gtest.h>

#include <cmath>  // NAN: GCC 9 and 10 do not include it through gtest

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint{} + std::chrono::seconds(100);

perception::Prediction fresh_prediction(float steering, float throttle, std::uint64_t seq,
                                        TimePoint captured) {
  perception::Prediction p;
  p.steering_norm = steering;
  p.throttle_norm = throttle;
  p.frame_sequence = seq;
  p.captured_at = captured;
  p.predicted_at = captured + milliseconds(5);
  p.valid = true;
  return p;
}

// Passes the self-test and arms, as the node does before driving.
void arm(ControlCore& core) {
  core.drive_state().set_self_test_passed(true);
  ASSERT_TRUE(core.drive_state().arm(OperatorInput{}).ok);
}

struct ControlCoreTest : ::testing::Test {
  config::ControlConfig control;
  config::PilotConfig pilot;
  TickInputs with_prediction(float s, float t, std::uint64_t seq, TimePoint captured) {
    TickInputs in;
    in.prediction = fresh_prediction(s, t, seq, captured);
    in.has_prediction = true;
    return in;
  }
};

TEST_F(ControlCoreTest, without_a_prediction_the_car_stays_neutral) {
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(TickInputs{}, 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kNoPrediction);
}

TEST_F(ControlCoreTest, the_tick_reports_the_models_output_before_shaping_for_the_recorder) {
  control.ai_throttle_mult = 0.5;
  ControlCore core(control, pilot);  // disarmed: neutral is sent, the model's output reported
  const auto st = core.decide(with_prediction(0.25f, 0.8f, 1, kT0), 1, kT0);
  EXPECT_FLOAT_EQ(st.pilot_steering_norm, 0.25f);
  EXPECT_FLOAT_EQ(st.pilot_throttle_norm, 0.8f);  // before ai_throttle_mult
  TickInputs invalid = with_prediction(0.25f, 0.8f, 2, kT0);
  invalid.prediction.valid = false;
  EXPECT_TRUE(std::isnan(core.decide(invalid, 2, kT0).pilot_steering_norm));
  EXPECT_TRUE(std::isnan(core.decide(TickInputs{}, 3, kT0).pilot_throttle_norm));
}

TEST_F(ControlCoreTest, in_local_mode_a_fresh_prediction_drives_the_car) {
  control.mode = config::DriveMode::kLocal;
  control.ai_throttle_mult = 0.5;
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(with_prediction(0.25f, 0.8f, 1, kT0), 1, kT0 + milliseconds(10));
  EXPECT_EQ(st.reason, StopReason::kNone);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.25f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.4f);
  EXPECT_NEAR(st.prediction_age_ms, 10.0f, 1e-3);
}

TEST_F(ControlCoreTest, a_stale_prediction_forces_neutral_with_a_reason) {
  pilot.stale_after_ms = 100;
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(with_prediction(0.5f, 0.5f, 1, kT0), 1, kT0 + milliseconds(101));
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kStalePrediction);
}

TEST_F(ControlCoreTest, an_invalid_prediction_forces_neutral) {
  ControlCore core(control, pilot);
  arm(core);
  auto in = with_prediction(0.5f, 0.5f, 1, kT0);
  in.prediction.valid = false;
  const auto st = core.decide(in, 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kInvalidPrediction);
}

TEST_F(ControlCoreTest, steering_gets_gain_trim_and_limit_and_throttle_its_bounds) {
  control.steering_gain = 2.0;
  control.steering_trim = 0.1;
  control.steering_limit = 0.6;
  control.throttle_max = 0.3;
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(with_prediction(0.4f, 0.9f, 1, kT0), 1, kT0);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.6f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.3f);
}

TEST_F(ControlCoreTest, user_mode_without_operator_input_stays_neutral_even_with_a_model) {
  control.mode = config::DriveMode::kUser;
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(with_prediction(0.4f, 0.9f, 1, kT0), 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kNoOperatorInput);
}

TEST_F(ControlCoreTest, local_angle_steers_by_model_and_throttles_by_operator) {
  control.mode = config::DriveMode::kLocalAngle;
  ControlCore core(control, pilot);
  arm(core);
  auto in = with_prediction(-0.3f, 0.9f, 1, kT0);
  in.operator_input.valid = true;
  in.operator_input.throttle_norm = 0.2f;
  in.operator_input.steering_norm = 0.7f;
  const auto st = core.decide(in, 1, kT0);
  EXPECT_FLOAT_EQ(st.command.steering_norm, -0.3f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.2f);
}

TEST_F(ControlCoreTest, nan_from_the_model_never_moves_the_car) {
  ControlCore core(control, pilot);
  arm(core);
  const auto st = core.decide(with_prediction(NAN, NAN, 1, kT0), 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
}

TEST_F(ControlCoreTest, rate_limits_bound_the_change_per_second_exactly) {
  control.steering_rate_limit = 2.0;  // norm/s: 0.04 per 20 ms tick
  control.throttle_rate_limit = 1.0;  // norm/s: 0.02 per 20 ms tick
  ControlCore core(control, pilot);
  arm(core);
  TimePoint t = kT0;
  auto st = core.decide(with_prediction(1.0f, 1.0f, 1, t), 1, t);  // first: one nominal period
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.04f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.02f);
  t += milliseconds(20);
  st = core.decide(with_prediction(1.0f, 1.0f, 2, t), 2, t);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.08f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.04f);
  t += milliseconds(20);
  st = core.decide(with_prediction(0.07f, 0.0f, 3, t), 3, t);  // within reach: taken as is
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.07f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.02f);
}

TEST_F(ControlCoreTest, a_forced_neutral_is_never_rate_limited) {
  control.steering_rate_limit = 0.5;
  control.throttle_rate_limit = 0.5;
  ControlCore core(control, pilot);
  arm(core);
  TimePoint t = kT0;
  for (int i = 1; i <= 200; ++i, t += milliseconds(20)) {
    core.decide(with_prediction(0.8f, 0.8f, static_cast<std::uint64_t>(i), t), i, t);
  }
  auto in = with_prediction(0.8f, 0.8f, 201, t);
  in.prediction.valid = false;
  EXPECT_TRUE(core.decide(in, 201, t).command.is_neutral());
}

TEST_F(ControlCoreTest, on_stale_hold_keeps_steering_without_throttle_then_stops) {
  control.on_stale = config::OnStale::kHold;
  control.hold_ms = 100;
  pilot.stale_after_ms = 50;
  ControlCore core(control, pilot);
  arm(core);
  core.decide(with_prediction(0.3f, 0.5f, 1, kT0), 1, kT0);
  const auto stale_in = with_prediction(0.3f, 0.5f, 1, kT0);
  auto st = core.decide(stale_in, 2, kT0 + milliseconds(60));  // stale from here
  EXPECT_EQ(st.reason, StopReason::kStalePrediction);
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.3f);
  EXPECT_FLOAT_EQ(st.command.throttle_norm, 0.0f);
  st = core.decide(stale_in, 3, kT0 + milliseconds(160));  // exactly hold_ms later
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.3f);
  st = core.decide(stale_in, 4, kT0 + milliseconds(161));
  EXPECT_TRUE(st.command.is_neutral());
}

TEST_F(ControlCoreTest, on_stale_stop_is_neutral_at_once) {
  pilot.stale_after_ms = 50;
  ControlCore core(control, pilot);
  arm(core);
  core.decide(with_prediction(0.3f, 0.5f, 1, kT0), 1, kT0);
  EXPECT_TRUE(core.decide(with_prediction(0.3f, 0.5f, 1, kT0), 2, kT0 + milliseconds(51))
                  .command.is_neutral());
}

TEST_F(ControlCoreTest, a_lost_camera_stops_the_model_but_not_the_operator) {
  ControlCore core(control, pilot);
  arm(core);
  auto in = with_prediction(0.5f, 0.5f, 1, kT0);
  in.camera_alive = false;
  auto st = core.decide(in, 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kCameraLost);
  ASSERT_TRUE(core.drive_state().set_mode(DriveMode::kUser).ok);
  in.operator_input.valid = true;
  in.operator_input.steering_norm = 0.2f;
  st = core.decide(in, 2, kT0);
  EXPECT_EQ(st.reason, StopReason::kNone) << "a human can still drive without the camera";
  EXPECT_FLOAT_EQ(st.command.steering_norm, 0.2f);
}

TEST_F(ControlCoreTest, a_new_core_is_disarmed_and_stays_neutral) {
  ControlCore core(control, pilot);
  const auto st = core.decide(with_prediction(0.5f, 0.5f, 1, kT0), 1, kT0);
  EXPECT_TRUE(st.command.is_neutral());
  EXPECT_EQ(st.reason, StopReason::kDisarmed);
}

TEST_F(ControlCoreTest, estop_latches_through_mode_changes_until_cleared_and_rearmed) {
  ControlCore core(control, pilot);
  arm(core);
  auto& drive = core.drive_state();
  drive.estop();
  EXPECT_EQ(core.decide(with_prediction(0.5f, 0.5f, 1, kT0), 1, kT0).reason, StopReason::kEstop);
  EXPECT_TRUE(drive.set_mode(DriveMode::kLocalAngle).ok);
  EXPECT_TRUE(drive.set_mode(DriveMode::kLocal).ok);
  EXPECT_FALSE(drive.arm(OperatorInput{}).ok) << "arming is refused while latched";
  EXPECT_EQ(core.decide(with_prediction(0.5f, 0.5f, 2, kT0), 2, kT0).reason, StopReason::kEstop);
  drive.clear_estop();
  EXPECT_EQ(core.decide(with_prediction(0.5f, 0.5f, 3, kT0), 3, kT0).reason,
            StopReason::kDisarmed)
      << "clearing the latch does not re-arm";
  ASSERT_TRUE(drive.arm(OperatorInput{}).ok);
  EXPECT_EQ(core.decide(with_prediction(0.5f, 0.5f, 4, kT0), 4, kT0).reason, StopReason::kNone);
}

TEST_F(ControlCoreTest, arming_with_non_neutral_operator_input_is_refused_with_a_reason) {
  ControlCore core(control, pilot);
  core.drive_state().set_self_test_passed(true);
  OperatorInput op;
  op.valid = true;
  op.throttle_norm = 0.4f;
  const auto t = core.drive_state().arm(op);
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.reason.find("not neutral"), std::string::npos) << t.reason;
  EXPECT_FALSE(core.drive_state().armed());
}

TEST_F(ControlCoreTest, autonomous_modes_are_refused_without_a_passed_self_test) {
  control.mode = config::DriveMode::kUser;
  ControlCore core(control, pilot);
  const auto t = core.drive_state().set_mode(DriveMode::kLocal);
  EXPECT_FALSE(t.ok);
  EXPECT_NE(t.reason.find("self-test"), std::string::npos) << t.reason;
  EXPECT_EQ(core.mode(), DriveMode::kUser);
  core.drive_state().set_self_test_passed(true);
  EXPECT_TRUE(core.drive_state().set_mode(DriveMode::kLocal).ok);
}

}  // namespace
}  // namespace rcpilot::vehicle
