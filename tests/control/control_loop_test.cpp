#include "control/control_loop.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "vehicle_fakes.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
using testing::RecordingLink;
using testing::RecordingSink;

// The loop runs on the real clock; assertions only use generous bounds.
struct ControlLoopTest : ::testing::Test {
  config::ControlConfig control;
  config::PilotConfig pilot;
  SteadyClock clock;
  LatestSlot<perception::Prediction> predictions;
  RecordingLink link;
  RecordingSink sink;

  void publish(float steering, std::uint64_t seq) {
    perception::Prediction p;
    p.steering_norm = steering;
    p.throttle_norm = 0.3f;
    p.frame_sequence = seq;
    p.captured_at = clock.now();
    p.valid = true;
    predictions.publish(p);
  }

  // Runs the loop at `rate_hz` with an armed core until `body` returns, then stops it.
  template <typename Body>
  void run_loop(double rate_hz, Body body, std::function<bool(TimePoint)> camera_check = {}) {
    control.rate_hz = rate_hz;
    ControlCore core(control, pilot);
    core.drive_state().set_self_test_passed(true);
    core.drive_state().arm(OperatorInput{});
    ControlLoop loop(control, core, predictions, link, sink, clock);
    loop.set_camera_check(std::move(camera_check));
    loop.start();
    body(loop);
    loop.stop();
  }
};

TEST_F(ControlLoopTest, sends_a_setpoint_every_tick_and_neutral_on_stop) {
  run_loop(100, [](ControlLoop&) { std::this_thread::sleep_for(milliseconds(300)); });
  const auto states = sink.states();
  ASSERT_GE(states.size(), 10u);
  EXPECT_EQ(states.back().reason, StopReason::kShutdown);
  EXPECT_TRUE(link.sent().back().is_neutral());
  for (const auto& st : states) EXPECT_TRUE(st.command.is_neutral()) << "no model, no motion";
}

TEST_F(ControlLoopTest, acts_on_a_new_prediction_before_the_next_deadline) {
  // 2 Hz: a 500 ms period, so a prediction-driven setpoint cannot be a deadline tick.
  run_loop(2, [this](ControlLoop& loop) {
    std::this_thread::sleep_for(milliseconds(50));
    publish(0.5f, 1);
    loop.notify_prediction();
    std::this_thread::sleep_for(milliseconds(100));
    const auto sent = link.sent();
    ASSERT_FALSE(sent.empty());
    EXPECT_FLOAT_EQ(sent.back().steering_norm, 0.5f);
    EXPECT_EQ(loop.stats().prediction_wakes, 1u);
    EXPECT_EQ(loop.stats().latency_ms.count, 1u);
  });
}

TEST_F(ControlLoopTest, a_refusing_link_is_reported_as_motor_link_down) {
  link.refuse(true);
  run_loop(100, [](ControlLoop&) { std::this_thread::sleep_for(milliseconds(100)); });
  const auto states = sink.states();
  ASSERT_GE(states.size(), 2u);
  EXPECT_EQ(states.front().reason, StopReason::kMotorLinkDown);
}

TEST_F(ControlLoopTest, a_lost_camera_forces_neutral_with_its_reason_every_tick) {
  run_loop(
      100,
      [this](ControlLoop&) {
        for (std::uint64_t seq = 1; seq <= 10; ++seq) {
          publish(0.5f, seq);  // fresh predictions keep coming, but the camera says lost
          std::this_thread::sleep_for(milliseconds(10));
        }
      },
      [](TimePoint) { return false; });
  const auto states = sink.states();
  ASSERT_GE(states.size(), 5u);
  for (const auto& st : states) {
    EXPECT_TRUE(st.command.is_neutral());
    if (st.reason != StopReason::kShutdown) {
      EXPECT_EQ(st.reason, StopReason::kCameraLost);
    }
  }
}

TEST_F(ControlLoopTest, heartbeat_advances_while_running_and_stops_after) {
  run_loop(200, [](ControlLoop& loop) {
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_GT(loop.heartbeat(), 0u);
    loop.stop();
    const auto beat = loop.heartbeat();
    std::this_thread::sleep_for(milliseconds(30));
    EXPECT_EQ(loop.heartbeat(), beat);
  });
}

TEST_F(ControlLoopTest, a_stalled_loop_stops_the_heartbeat_then_skips_instead_of_bursting) {
  run_loop(100, [this](ControlLoop& loop) {
    std::this_thread::sleep_for(milliseconds(100));
    link.stall(true);
    std::this_thread::sleep_for(milliseconds(50));  // let the loop block in send()
    const auto beat = loop.heartbeat();
    const auto sent_before = link.sent().size();
    std::this_thread::sleep_for(milliseconds(300));  // 30 periods stuck
    EXPECT_EQ(loop.heartbeat(), beat) << "a stalled loop must not feed the watchdog";
    link.stall(false);
    std::this_thread::sleep_for(milliseconds(5));
    // A bursting loop would send the ~30 missed setpoints at once.
    EXPECT_LE(link.sent().size(), sent_before + 3);
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_GE(loop.stats().overruns, 20u);
    EXPECT_GT(loop.heartbeat(), beat);
  });
}

TEST_F(ControlLoopTest, rc_receiver_input_drives_user_mode_and_new_tunables_apply_between_ticks) {
  control.mode = config::DriveMode::kUser;
  run_loop(100, [this](ControlLoop& loop) {
    OperatorInputs operators;
    loop.set_operator_inputs(&operators);
    fw::RcInput rc;
    rc.valid = true;
    rc.steering_norm = 0.4f;
    rc.throttle_norm = 0.2f;
    for (int i = 0; i < 10; ++i) {
      rc.received_at = clock.now();
      link.set_rc(rc);
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_FLOAT_EQ(link.sent().back().steering_norm, 0.4f);
    Tunables t = tunables_of(control);
    t.steering_gain = 0.5;
    loop.update_tunables(t);
    for (int i = 0; i < 10; ++i) {
      rc.received_at = clock.now();
      link.set_rc(rc);
      std::this_thread::sleep_for(milliseconds(10));
    }
    EXPECT_FLOAT_EQ(link.sent().back().steering_norm, 0.2f);
    EXPECT_FLOAT_EQ(link.sent().back().throttle_norm, 0.2f);
    loop.set_operator_inputs(nullptr);
  });
}

}  // namespace
}  // namespace rcpilot::vehicle
