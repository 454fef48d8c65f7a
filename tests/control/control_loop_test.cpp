#include "control/control_loop.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "control/operator_inputs.hpp"
#include "vehicle_fakes.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;
using testing::RecordingLink;
using testing::RecordingSink;

// The loop is driven by step() on a ManualClock: every wake happens exactly when the test says,
// so counts and times below are exact.
struct ControlLoopTest : ::testing::Test {
  config::ControlConfig control;
  config::PilotConfig pilot;
  // Away from TimePoint{}, which the core reads as "never".
  ManualClock clock{TimePoint{} + std::chrono::seconds(1000)};
  LatestSlot<perception::Prediction> predictions;
  RecordingLink link;
  RecordingSink sink;
  std::unique_ptr<ControlCore> core;
  std::unique_ptr<ControlLoop> loop;

  ControlLoopTest() { control.rate_hz = 50; }  // a 20 ms period

  // Builds an armed core driving in `mode` and its loop, from `control` and `pilot` as the test
  // set them.
  ControlLoop& make_loop(DriveMode mode = DriveMode::kLocal) {
    core = std::make_unique<ControlCore>(control, pilot);
    core->drive_state().set_self_test_passed(true);
    EXPECT_TRUE(core->drive_state().set_mode(mode).ok);
    core->drive_state().arm(OperatorInput{});
    loop = std::make_unique<ControlLoop>(control, *core, predictions, link, sink, clock);
    return *loop;
  }

  // A prediction of frame `seq`, captured `age` before the clock's time.
  void publish(float steering, std::uint64_t seq, Duration age = Duration::zero()) {
    perception::Prediction p;
    p.steering_norm = steering;
    p.throttle_norm = 0.3f;
    p.frame_sequence = seq;
    p.captured_at = clock.now() - age;
    p.valid = true;
    predictions.publish(p);
  }

  // Moves the clock to `t` and wakes the loop there; returns the next deadline.
  TimePoint step_at(TimePoint t) {
    clock.set(t);
    return loop->step(t);
  }

  // Runs `n` deadline ticks, each exactly on its deadline; returns the next deadline.
  TimePoint run_ticks(int n) {
    TimePoint next = clock.now();
    for (int i = 0; i < n; ++i) next = step_at(next);
    return next;
  }

  Duration period() const { return seconds_to_duration(1.0 / control.rate_hz); }
};

TEST_F(ControlLoopTest, every_deadline_tick_sends_one_setpoint_and_stop_sends_neutral_shutdown) {
  make_loop();
  run_ticks(5);
  const auto states = sink.states();
  ASSERT_EQ(states.size(), 5u);
  ASSERT_EQ(link.sent().size(), 5u);
  for (std::size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ(states[i].tick, i + 1);
    EXPECT_EQ(states[i].reason, StopReason::kNoPrediction);
    EXPECT_TRUE(states[i].command.is_neutral()) << "no model, no motion";
  }
  EXPECT_FLOAT_EQ(states[1].period_ms, 20.0f);

  loop->stop();  // without start(): the shutdown setpoint still goes out
  ASSERT_EQ(sink.states().size(), 6u);
  EXPECT_EQ(sink.states().back().reason, StopReason::kShutdown);
  EXPECT_EQ(sink.states().back().tick, 6u);
  ASSERT_EQ(link.sent().size(), 6u);
  EXPECT_TRUE(link.sent().back().is_neutral());
  EXPECT_EQ(loop->stats().last.reason, StopReason::kShutdown);
}

TEST_F(ControlLoopTest, step_returns_the_next_deadline_one_period_after_the_previous_one) {
  make_loop();
  const TimePoint start = clock.now();
  EXPECT_EQ(step_at(start), start + period()) << "the first step is a deadline tick";
  EXPECT_EQ(step_at(start + period() / 2), start + period()) << "between deadlines";
  EXPECT_EQ(step_at(start + period() - Duration(1)), start + period()) << "just before it";
  EXPECT_EQ(step_at(start + period()), start + 2 * period()) << "exactly on it";
  EXPECT_EQ(loop->stats().ticks, 2u);
  EXPECT_EQ(link.sent().size(), 2u) << "wakes between deadlines with nothing new send nothing";
}

TEST_F(ControlLoopTest, a_new_prediction_between_deadlines_is_sent_at_once) {
  make_loop();
  const TimePoint next = run_ticks(1);
  clock.advance(period() / 2);
  publish(0.5f, 1, milliseconds(3));
  loop->notify_prediction();
  EXPECT_EQ(loop->step(clock.now()), next) << "an early wake keeps the deadline";

  const auto sent = link.sent();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_FLOAT_EQ(sent.back().steering_norm, 0.5f);
  EXPECT_EQ(sink.states().size(), 1u) << "only deadline ticks reach telemetry";
  const LoopStats stats = loop->stats();
  EXPECT_EQ(stats.prediction_wakes, 1u);
  EXPECT_EQ(stats.ticks, 1u);
  ASSERT_EQ(stats.latency_ms.count, 1u);
  EXPECT_DOUBLE_EQ(stats.latency_ms.max, 3.0) << "capture -> setpoint on the loop's clock";
  EXPECT_EQ(loop->heartbeat(), 1u) << "a prediction wake is not a deadline tick";

  step_at(next);  // the same prediction again: a plain deadline tick, no second wake counted
  EXPECT_EQ(loop->stats().prediction_wakes, 1u);
  EXPECT_EQ(loop->stats().latency_ms.count, 1u);
}

TEST_F(ControlLoopTest, a_refusing_link_is_reported_as_motor_link_down) {
  link.refuse(true);
  make_loop();
  publish(0.5f, 1);
  run_ticks(2);
  const auto states = sink.states();
  ASSERT_EQ(states.size(), 2u);
  for (const auto& st : states) {
    EXPECT_EQ(st.reason, StopReason::kMotorLinkDown);
    EXPECT_FALSE(st.link_ok);
  }
}

TEST_F(ControlLoopTest, a_lost_camera_forces_neutral_with_its_reason_every_tick) {
  std::vector<TimePoint> asked_at;
  make_loop().set_camera_check([&asked_at](TimePoint now) {
    asked_at.push_back(now);
    return false;
  });
  TimePoint next = clock.now();
  for (std::uint64_t seq = 1; seq <= 10; ++seq) {
    publish(0.5f, seq);  // fresh predictions keep coming, but the camera says lost
    next = step_at(next);
  }
  const auto states = sink.states();
  ASSERT_EQ(states.size(), 10u);
  for (const auto& st : states) {
    EXPECT_TRUE(st.command.is_neutral());
    EXPECT_EQ(st.reason, StopReason::kCameraLost);
  }
  ASSERT_EQ(asked_at.size(), 10u) << "the camera is checked every tick";
  EXPECT_EQ(asked_at.back(), states.back().now) << "with the tick's time";
}

TEST_F(ControlLoopTest, the_heartbeat_advances_once_per_deadline_tick_and_not_after_stop) {
  make_loop();
  EXPECT_EQ(loop->heartbeat(), 0u);
  TimePoint next = run_ticks(3);
  EXPECT_EQ(loop->heartbeat(), 3u);
  step_at(next - period() / 2);  // a wake with nothing new
  EXPECT_EQ(loop->heartbeat(), 3u);
  next = step_at(next);
  EXPECT_EQ(loop->heartbeat(), 4u);
  loop->stop();
  EXPECT_EQ(loop->heartbeat(), 4u) << "a stopped loop must not feed the watchdog";
}

TEST_F(ControlLoopTest, a_late_step_skips_the_missed_deadlines_counts_them_and_sends_once) {
  make_loop();
  const TimePoint next = run_ticks(2);
  // The loop was stuck (e.g. a hung write) for 3.5 periods past its deadline.
  const TimePoint late = next + 3 * period() + period() / 2;
  EXPECT_EQ(step_at(late), next + 4 * period()) << "back on the original deadline grid";
  EXPECT_EQ(link.sent().size(), 3u) << "one setpoint, no burst of the missed ones";
  const LoopStats stats = loop->stats();
  EXPECT_EQ(stats.overruns, 3u);
  EXPECT_EQ(stats.ticks, 3u);
  EXPECT_EQ(stats.last.overruns, 3u);
  EXPECT_FLOAT_EQ(stats.last.period_ms, 90.0f) << "4.5 periods of 20 ms since the last tick";
  EXPECT_EQ(loop->heartbeat(), 3u);

  step_at(next + 4 * period());  // on time again
  EXPECT_EQ(loop->stats().overruns, 3u);
  EXPECT_EQ(link.sent().size(), 4u);
}

TEST_F(ControlLoopTest, a_prediction_older_than_stale_after_ms_gives_stale_prediction) {
  pilot.stale_after_ms = 150;
  make_loop();
  publish(0.5f, 1, milliseconds(140));
  run_ticks(2);  // the same prediction, 140 ms then 160 ms old
  const auto states = sink.states();
  ASSERT_EQ(states.size(), 2u);
  EXPECT_EQ(states[0].reason, StopReason::kNone);
  EXPECT_FLOAT_EQ(states[0].prediction_age_ms, 140.0f);
  EXPECT_FLOAT_EQ(states[0].command.steering_norm, 0.5f);
  EXPECT_EQ(states[1].reason, StopReason::kStalePrediction);
  EXPECT_FLOAT_EQ(states[1].prediction_age_ms, 160.0f);
  EXPECT_TRUE(states[1].command.is_neutral());
}

TEST_F(ControlLoopTest, rc_receiver_input_drives_user_mode) {
  OperatorInputs operators;
  make_loop(DriveMode::kUser).set_operator_inputs(&operators);
  fw::RcInput rc;
  rc.valid = true;
  rc.steering_norm = 0.4f;
  rc.throttle_norm = 0.2f;
  rc.received_at = clock.now();
  link.set_rc(rc);
  run_ticks(1);
  const auto states = sink.states();
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].mode, DriveMode::kUser);
  EXPECT_EQ(states[0].reason, StopReason::kNone);
  EXPECT_FLOAT_EQ(link.sent().back().steering_norm, 0.4f);
  EXPECT_FLOAT_EQ(link.sent().back().throttle_norm, 0.2f);
  loop->set_operator_inputs(nullptr);
}

TEST_F(ControlLoopTest, new_tunables_apply_at_the_next_tick) {
  OperatorInputs operators;
  make_loop(DriveMode::kUser).set_operator_inputs(&operators);
  fw::RcInput rc;
  rc.valid = true;
  rc.steering_norm = 0.4f;
  rc.throttle_norm = 0.2f;
  rc.received_at = clock.now();
  link.set_rc(rc);
  const TimePoint next = run_ticks(1);
  EXPECT_FLOAT_EQ(link.sent().back().steering_norm, 0.4f);

  Tunables t = tunables_of(control);
  t.steering_gain = 0.5;
  loop->update_tunables(t);
  EXPECT_FLOAT_EQ(core->tunables().steering_gain, 1.0) << "not before the loop wakes";
  step_at(next);
  EXPECT_FLOAT_EQ(link.sent().back().steering_norm, 0.2f);
  EXPECT_FLOAT_EQ(link.sent().back().throttle_norm, 0.2f);
  loop->set_operator_inputs(nullptr);
}

// The one test on the real thread: it starts, drives and stops. No counts or rates.
TEST(ControlLoopThread, start_runs_the_loop_and_stop_ends_it_with_neutral_shutdown) {
  config::ControlConfig control;
  config::PilotConfig pilot;
  SteadyClock clock;
  LatestSlot<perception::Prediction> predictions;
  RecordingLink link;
  RecordingSink sink;
  ControlCore core(control, pilot);
  ControlLoop loop(control, core, predictions, link, sink, clock);
  EXPECT_TRUE(loop.start().empty()) << "no real-time settings asked for, none can fail";
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (loop.heartbeat() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  EXPECT_GT(loop.heartbeat(), 0u) << "no tick within 10 s";
  loop.stop();
  ASSERT_GE(link.sent().size(), 2u);
  EXPECT_TRUE(link.sent().back().is_neutral());
  EXPECT_EQ(sink.states().back().reason, StopReason::kShutdown);
}

TEST(ControlLoopStepped, a_setpoint_the_link_refused_is_reported_as_neutral_not_as_sent) {
  config::ControlConfig control;
  control.mode = DriveMode::kUser;
  config::PilotConfig pilot;
  ManualClock clock{TimePoint{} + std::chrono::seconds(100)};
  LatestSlot<perception::Prediction> predictions;
  RecordingLink link;
  RecordingSink sink;
  OperatorInputs operators;
  ControlCore core(control, pilot);
  core.drive_state().set_self_test_passed(true);
  ControlLoop loop(control, core, predictions, link, sink, clock);
  loop.set_operator_inputs(&operators);
  ASSERT_TRUE(core.drive_state().arm(OperatorInput{}).ok);  // arming needs a neutral stick
  operators.submit(OperatorSource::kGamepad, {0.2f, 0.32f, clock.now(), true});
  loop.step(clock.now());
  ASSERT_FLOAT_EQ(sink.states().back().command.throttle_norm, 0.32f);  // sent and reported

  link.refuse(true);
  clock.advance(milliseconds(20));
  operators.submit(OperatorSource::kGamepad, {0.2f, 0.32f, clock.now(), true});
  loop.step(clock.now());
  const TickState st = sink.states().back();
  EXPECT_EQ(st.reason, StopReason::kMotorLinkDown);
  EXPECT_FALSE(st.link_ok);
  EXPECT_TRUE(st.command.is_neutral())
      << "telemetry showed throttle " << st.command.throttle_norm << " that never went out";
}

}  // namespace
}  // namespace rcpilot::vehicle
