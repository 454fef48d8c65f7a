#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "firmware_iface/drive_command.hpp"
#include "sim/sim_camera.hpp"
#include "sim/sim_motor_link.hpp"
#include "sim_test_util.hpp"

namespace rcpilot::sim {
namespace {

using std::chrono::milliseconds;

SimWorld& world() {
  static SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), TimePoint{});
  return w;
}

TEST(SimMotorLink, ForwardsClampedCommandsToTheCar) {
  ManualClock clock(world().time());
  SimMotorLink link(world(), clock);
  fw::DriveCommand cmd;
  cmd.steering_norm = 2.0f;
  cmd.throttle_norm = 0.5f;
  EXPECT_TRUE(link.send(cmd));
  clock.advance(milliseconds(500));
  EXPECT_TRUE(link.send(cmd));
  EXPECT_EQ(link.status().commands_sent, 2u);
  EXPECT_FLOAT_EQ(link.status().last_command.steering_norm, 1.0f);
  EXPECT_GT(world().car().speed_mps, 1.0);
  EXPECT_GT(world().car().steer_rad, 0.0);
  EXPECT_TRUE(link.status().alive);
  link.stop();
}

TEST(SimMotorLink, StopLeavesTheLastCommandNeutralAndRefusesMore) {
  ManualClock clock(world().time());
  SimMotorLink link(world(), clock);
  fw::DriveCommand cmd;
  cmd.throttle_norm = 0.4f;
  link.send(cmd);
  link.stop();
  link.stop();
  EXPECT_TRUE(link.status().last_command.is_neutral());
  EXPECT_FALSE(link.status().alive);
  EXPECT_FALSE(link.send(cmd));
  EXPECT_EQ(link.status().send_failures, 1u);
  clock.advance(milliseconds(3000));
  world().advance_to(clock.now());
  EXPECT_NEAR(world().car().speed_mps, 0.0, 1e-3);
}

TEST(SimCamera, LockstepReadRendersTheWorldAtTheClockTime) {
  ManualClock clock(world().time());
  SimCamera camera(world(), clock, 30.0, false);
  cv::Mat frame;
  clock.advance(milliseconds(100));
  ASSERT_TRUE(camera.read(frame));
  EXPECT_EQ(frame.cols, 224);
  EXPECT_LE(clock.now() - world().time(), seconds_to_duration(SimWorld::kPhysicsDtS));
  EXPECT_EQ(camera.frames(), 1u);
}

TEST(SimCamera, RealtimeReadsFollowTheFrameSchedule) {
  SteadyClock clock;
  SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  SimCamera camera(w, clock, 200.0, true);  // 5 ms period keeps the test short
  cv::Mat frame;
  const TimePoint start = clock.now();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(camera.read(frame));
  EXPECT_GE(clock.now() - start, milliseconds(19));  // first frame at once, then 4 periods
}

TEST(SimCamera, InterruptReleasesAPendingReadPromptly) {
  SteadyClock clock;
  SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  SimCamera camera(w, clock, 0.5, true);  // 2 s period: the second read would wait
  cv::Mat frame;
  ASSERT_TRUE(camera.read(frame));
  std::thread stopper([&] {
    std::this_thread::sleep_for(milliseconds(20));
    camera.interrupt();
  });
  const TimePoint start = clock.now();
  EXPECT_FALSE(camera.read(frame));
  stopper.join();
  EXPECT_LT(clock.now() - start, milliseconds(500));
  EXPECT_FALSE(camera.describe().empty());
}

TEST(SimCamera, StampsEachFrameWithTheRenderedInstant) {
  ManualClock clock(world().time());
  SimCamera camera(world(), clock, 30.0, false);
  cv::Mat frame;
  clock.advance(milliseconds(40));
  ASSERT_TRUE(camera.read(frame));
  const TimePoint rendered = clock.now();
  clock.advance(milliseconds(7));  // the grabber receives it later
  EXPECT_EQ(camera.captured_at(), rendered);
}

TEST(SimCamera, ReopenClearsAnInterrupt) {
  ManualClock clock(world().time());
  SimCamera camera(world(), clock, 30.0, false);
  cv::Mat frame;
  camera.interrupt();
  EXPECT_FALSE(camera.read(frame));
  camera.reopen();
  EXPECT_TRUE(camera.read(frame));
}

}  // namespace
}  // namespace rcpilot::sim
