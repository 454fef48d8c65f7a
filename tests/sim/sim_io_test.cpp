#include <gtest/gtest.h>

#include <chrono>
#include <future>

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

TEST(SimMotorLink, forwards_clamped_commands_to_the_car) {
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

TEST(SimMotorLink, stop_leaves_the_last_command_neutral_and_refuses_more) {
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

TEST(SimCamera, a_lockstep_read_renders_the_world_at_the_clocks_time) {
  ManualClock clock(world().time());
  SimCamera camera(world(), clock, 30.0, false);
  cv::Mat frame;
  clock.advance(milliseconds(100));
  ASSERT_TRUE(camera.read(frame));
  EXPECT_EQ(frame.cols, 224);
  EXPECT_LE(clock.now() - world().time(), seconds_to_duration(SimWorld::kPhysicsDtS));
  EXPECT_EQ(camera.frames(), 1u);
}

// Real-time reads pace on the injected clock: a ManualClock decides when a frame is due, so
// the schedule is checked exactly; only hang guards use real time.
TEST(SimCamera, a_realtime_read_waits_for_the_next_frame_instant_on_the_cameras_clock) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(1000));
  SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  SimCamera camera(w, clock, 200.0, true);  // a frame instant every 5 ms of clock time
  cv::Mat frame;
  ASSERT_TRUE(camera.read(frame)) << "the first frame is due at once";
  auto pending = std::async(std::launch::async, [&] { return camera.read(frame); });
  EXPECT_EQ(pending.wait_for(milliseconds(50)), std::future_status::timeout)
      << "the clock has not reached the next instant";
  clock.advance(milliseconds(5));
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(pending.get());
  EXPECT_EQ(camera.frames(), 2u);
  EXPECT_EQ(camera.skipped_instants(), 0u);
}

TEST(SimCamera, a_late_realtime_read_skips_the_missed_instants_and_counts_them) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(1000));
  SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  SimCamera camera(w, clock, 200.0, true);
  cv::Mat frame;
  ASSERT_TRUE(camera.read(frame));  // instant 0; the next is at 5 ms
  clock.advance(milliseconds(17));  // instants at 5 and 10 ms passed; 15 ms is the latest
  ASSERT_TRUE(camera.read(frame)) << "a late read returns at once";
  EXPECT_EQ(camera.skipped_instants(), 2u);
  EXPECT_EQ(camera.frames(), 2u);
}

TEST(SimCamera, interrupt_releases_a_pending_read) {
  ManualClock clock(TimePoint{} + std::chrono::seconds(1000));
  SimWorld w(test::sim_config(), test::camera_config(), test::default_track(), clock.now());
  SimCamera camera(w, clock, 200.0, true);
  cv::Mat frame;
  ASSERT_TRUE(camera.read(frame));
  // The clock never reaches the next instant: only interrupt() can end this read.
  auto pending = std::async(std::launch::async, [&] { return camera.read(frame); });
  camera.interrupt();
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(pending.get());
  EXPECT_FALSE(camera.describe().empty());
}

TEST(SimCamera, each_frame_is_stamped_with_the_instant_it_was_rendered) {
  ManualClock clock(world().time());
  SimCamera camera(world(), clock, 30.0, false);
  cv::Mat frame;
  clock.advance(milliseconds(40));
  ASSERT_TRUE(camera.read(frame));
  const TimePoint rendered = clock.now();
  clock.advance(milliseconds(7));  // the grabber receives it later
  EXPECT_EQ(camera.captured_at(), rendered);
}

TEST(SimCamera, reopen_clears_an_interrupt) {
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
