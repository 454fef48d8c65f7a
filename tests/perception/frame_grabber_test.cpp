#include "perception/frame_grabber.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedCamera;

constexpr auto kEventTimeout = 5s;  // generous: only reached when the code under test is broken

GrabberOptions with_backoff(std::chrono::milliseconds first, std::chrono::milliseconds max) {
  GrabberOptions o;
  o.first_backoff = first;
  o.max_backoff = max;
  return o;
}

cv::Mat filled(int value) { return cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(value)); }

Frame next_frame(const LatestSlot<Frame>& slot, std::uint64_t& seen) {
  Frame f;
  EXPECT_TRUE(slot.wait_newer(f, seen, kEventTimeout));
  return f;
}

TEST(FrameGrabber, stamps_frames_after_read_returns_and_numbers_them_from_one) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(1s));
  camera.on_read = [&] { clock.advance(30ms); };  // the read itself takes 30 ms
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot);
  grabber.start();
  std::uint64_t seen = 0;
  camera.push(filled(1));
  const Frame first = next_frame(slot, seen);
  camera.push(filled(2));
  const Frame second = next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(first.sequence, 1u);
  EXPECT_EQ(first.captured_at, TimePoint(1s) + 30ms);
  EXPECT_EQ(second.sequence, 2u);
  EXPECT_EQ(second.captured_at, TimePoint(1s) + 60ms);
  EXPECT_EQ(grabber.stats().frames, 2u);
}

TEST(FrameGrabber, published_frames_keep_their_pixels_when_the_camera_reads_the_next) {
  ScriptedCamera camera;  // writes into the grabber's read buffer in place
  SteadyClock clock;
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot);
  grabber.start();
  std::uint64_t seen = 0;
  camera.push(filled(10));
  const Frame first = next_frame(slot, seen);
  camera.push(filled(20));
  const Frame second = next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(first.bgr.at<cv::Vec3b>(0, 0)[0], 10);
  EXPECT_EQ(second.bgr.at<cv::Vec3b>(0, 0)[0], 20);
  EXPECT_NE(first.bgr.data, second.bgr.data);
}

TEST(FrameGrabber, counts_read_failures_and_keeps_reading_after_them) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot, with_backoff(1ms, 2ms));
  grabber.start();
  for (int i = 0; i < 3; ++i) camera.fail();
  camera.push(filled(5));
  std::uint64_t seen = 0;
  const Frame f = next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(f.sequence, 1u);
  const GrabberStats s = grabber.stats();
  EXPECT_EQ(s.read_failures, 3u);
  EXPECT_EQ(s.consecutive_failures, 0u);
  EXPECT_EQ(s.frames, 1u);
}

TEST(FrameGrabber, stop_unblocks_a_camera_waiting_in_read) {
  ScriptedCamera camera(/*sticky_interrupt=*/false);
  SteadyClock clock;
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot);
  grabber.start();
  grabber.stop();  // hangs (test timeout) if the interrupt is lost
  EXPECT_EQ(grabber.stats().frames, 0u);
}

TEST(FrameGrabber, stop_during_backoff_returns_without_waiting_it_out) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot,
                       with_backoff(std::chrono::hours(1), std::chrono::hours(1)));
  camera.fail();
  grabber.start();
  while (grabber.stats().read_failures == 0) std::this_thread::yield();
  grabber.stop();  // the one-hour backoff must not delay this
  EXPECT_EQ(grabber.stats().read_failures, 1u);
}

// Records the grabber's events (called on its thread).
struct EventLog {
  std::mutex mutex;
  std::vector<CameraEvent> events;
  std::function<void(CameraEvent, const std::string&)> sink() {
    return [this](CameraEvent e, const std::string&) {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(e);
    };
  }
};

GrabberOptions fast_retry(EventLog& log) {
  GrabberOptions o;
  o.first_backoff = 1ms;
  o.max_backoff = 2ms;
  o.timeout = 1000ms;
  o.failures_before_reopen = 3;
  o.on_event = log.sink();
  return o;
}

template <typename Pred>
void wait_until(const FrameGrabber& grabber, Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + kEventTimeout;
  while (!pred(grabber.stats()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  ASSERT_TRUE(pred(grabber.stats()));
}

TEST(FrameGrabberFailures, declares_the_camera_lost_after_consecutive_failures_and_reopens_it) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  EXPECT_TRUE(grabber.stats().camera_alive);
  for (int i = 0; i < 3; ++i) camera.fail();
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 1; });
  EXPECT_FALSE(grabber.stats().camera_alive);
  camera.push(filled(2));
  next_frame(slot, seen);
  grabber.stop();
  const GrabberStats s = grabber.stats();
  EXPECT_TRUE(s.camera_alive);
  EXPECT_EQ(s.lost_events, 1u);
  EXPECT_EQ(s.reopen_failures, 0u);
  EXPECT_EQ(camera.reopens(), 1);
  EXPECT_NE(s.last_error.find("3 consecutive read failures"), std::string::npos) << s.last_error;
  EXPECT_EQ(log.events, (std::vector<CameraEvent>{CameraEvent::kLost, CameraEvent::kReopened,
                                                  CameraEvent::kRecovered}));
}

TEST(FrameGrabberFailures, fewer_failures_than_the_threshold_do_not_reopen) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  camera.fail();
  camera.fail();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(grabber.stats().reopens, 0u);
  EXPECT_EQ(grabber.stats().lost_events, 0u);
  EXPECT_TRUE(log.events.empty());
}

TEST(FrameGrabberFailures, keeps_reopening_while_the_device_is_gone_and_keeps_the_error) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  camera.set_reopen_error("cannot open USB camera /dev/video9");
  for (int i = 0; i < 6; ++i) camera.fail();
  grabber.start();
  wait_until(grabber, [](const GrabberStats& s) { return s.reopen_failures >= 4; });
  GrabberStats s = grabber.stats();
  EXPECT_FALSE(s.camera_alive);
  EXPECT_EQ(s.lost_events, 1u);  // one loss, however many failed re-opens
  EXPECT_NE(s.last_error.find("/dev/video9"), std::string::npos) << s.last_error;
  camera.set_reopen_error("");
  camera.push(filled(3));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  grabber.stop();
  EXPECT_TRUE(grabber.stats().camera_alive);
}

TEST(FrameGrabberFailures, camera_is_dead_when_no_frame_arrived_within_the_timeout) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  EXPECT_TRUE(grabber.stats().camera_alive);  // within the timeout of start()
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  clock.advance(999ms);
  EXPECT_TRUE(grabber.camera_alive(clock.now()));
  EXPECT_FALSE(grabber.camera_alive(clock.now() + 2ms));  // a read blocked in the driver
  EXPECT_NEAR(grabber.stats().since_last_frame_ms, 999.0, 1e-6);
  grabber.stop();
}

TEST(FrameGrabberStalls, a_read_blocked_past_the_timeout_is_abandoned_and_the_camera_reopened) {
  ScriptedCamera camera;  // read() blocks until a frame is pushed or interrupt()
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  clock.advance(1000ms);
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 1; });
  GrabberStats s = grabber.stats();
  EXPECT_FALSE(s.camera_alive);
  EXPECT_EQ(s.stalls, 1u);
  EXPECT_EQ(s.lost_events, 1u);
  EXPECT_EQ(s.read_failures, 0u) << "an abandoned read is a stall, not a failed read";
  EXPECT_NE(s.last_error.find("no frame for 1000 ms"), std::string::npos) << s.last_error;
  EXPECT_NE(s.last_error.find("scripted test camera"), std::string::npos) << s.last_error;
  camera.push(filled(2));
  next_frame(slot, seen);
  grabber.stop();
  s = grabber.stats();
  EXPECT_TRUE(s.camera_alive);
  EXPECT_EQ(s.recoveries, 1u);
  EXPECT_EQ(camera.reopens(), 1);
  EXPECT_EQ(log.events, (std::vector<CameraEvent>{CameraEvent::kLost, CameraEvent::kReopened,
                                                  CameraEvent::kRecovered}));
}

TEST(FrameGrabberStalls, a_camera_that_never_delivers_gets_the_open_grace_after_every_open) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  EventLog log;
  GrabberOptions options = fast_retry(log);
  options.open_grace = 3000ms;  // longer than timeout: a camera starting up (Argus: 1-2 s)
  FrameGrabber grabber(camera, clock, slot, options);
  grabber.start();
  clock.advance(2999ms);
  EXPECT_FALSE(grabber.stats().camera_alive);  // the car waits, but the camera is left alone
  EXPECT_EQ(grabber.stats().reopens, 0u);
  clock.advance(1ms);
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 1; });
  EXPECT_NE(grabber.stats().last_error.find("no first frame within 3000 ms"), std::string::npos)
      << grabber.stats().last_error;
  clock.advance(2999ms);  // the grace runs again from the re-open
  EXPECT_EQ(grabber.stats().reopens, 1u);
  clock.advance(1ms);
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 2; });
  grabber.stop();
  const GrabberStats s = grabber.stats();
  EXPECT_EQ(s.stalls, 2u);
  EXPECT_EQ(s.lost_events, 1u);  // one loss, however many re-opens
  EXPECT_EQ(log.events, (std::vector<CameraEvent>{CameraEvent::kLost, CameraEvent::kReopened,
                                                  CameraEvent::kReopened}));
}

TEST(FrameGrabberStalls, after_a_reopen_the_first_frame_brings_back_the_shorter_timeout) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  EventLog log;
  GrabberOptions options = fast_retry(log);
  options.open_grace = 3000ms;
  FrameGrabber grabber(camera, clock, slot, options);
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  clock.advance(1000ms);  // timeout since the last frame
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 1; });
  camera.push(filled(2));
  next_frame(slot, seen);
  clock.advance(1000ms);
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens == 2; });
  grabber.stop();
  EXPECT_EQ(grabber.stats().stalls, 2u);
  EXPECT_EQ(grabber.stats().lost_events, 2u);
}

TEST(FrameGrabberStalls, grabber_options_give_a_starting_camera_at_least_five_seconds) {
  config::CameraConfig camera;
  camera.timeout_ms = 500;
  EXPECT_EQ(grabber_options(camera).open_grace, 5000ms);
  camera.timeout_ms = 8000;
  EXPECT_EQ(grabber_options(camera).open_grace, 8000ms);
}

TEST(FrameGrabberStalls, stop_returns_while_the_camera_is_stalled_and_reports_no_failure) {
  ScriptedCamera camera(/*sticky_interrupt=*/false);
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  clock.advance(5s);
  wait_until(grabber, [](const GrabberStats& s) { return s.reopens >= 1; });
  grabber.stop();  // a read blocked again after the re-open
  EXPECT_EQ(grabber.stats().read_failures, 0u);
}

TEST(FrameGrabberStamps, frames_carry_the_capture_time_the_source_reports) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot);
  camera.set_capture_time(TimePoint(10s) - 30ms);  // exposed 30 ms before it was pulled
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  const Frame f = next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(f.captured_at, TimePoint(10s) - 30ms);
  EXPECT_NEAR(grabber.stats().capture_delay_ms, 30.0, 1e-6);
}

TEST(FrameGrabberStamps, a_capture_time_in_the_future_is_replaced_by_the_pull_time) {
  ScriptedCamera camera;
  ManualClock clock(TimePoint(10s));
  LatestSlot<Frame> slot;
  FrameGrabber grabber(camera, clock, slot);
  camera.set_capture_time(TimePoint(11s));
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  const Frame f = next_frame(slot, seen);
  grabber.stop();
  EXPECT_EQ(f.captured_at, TimePoint(10s));
}

TEST(FrameGrabberFailures, the_loss_after_read_failures_carries_the_cameras_reason) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  for (int i = 0; i < 3; ++i) camera.fail();
  grabber.start();
  wait_until(grabber, [](const GrabberStats& s) { return s.lost_events == 1; });
  grabber.stop();
  EXPECT_NE(grabber.stats().last_error.find("scripted failure"), std::string::npos)
      << grabber.stats().last_error;
}

TEST(CameraEvents, have_the_names_telemetry_publishes) {
  EXPECT_STREQ(to_string(CameraEvent::kLost), "camera_lost");
  EXPECT_STREQ(to_string(CameraEvent::kReopened), "camera_reopened");
  EXPECT_STREQ(to_string(CameraEvent::kRecovered), "camera_recovered");
  EXPECT_STREQ(to_string(CameraEvent::kEnded), "camera_ended");
}

TEST(FrameGrabberFailures, stops_reading_at_the_end_of_a_finite_source) {
  ScriptedCamera camera;
  SteadyClock clock;
  LatestSlot<Frame> slot;
  EventLog log;
  FrameGrabber grabber(camera, clock, slot, fast_retry(log));
  grabber.start();
  camera.push(filled(1));
  std::uint64_t seen = 0;
  next_frame(slot, seen);
  camera.end();
  wait_until(grabber, [](const GrabberStats& s) { return s.ended; });
  grabber.stop();
  const GrabberStats s = grabber.stats();
  EXPECT_FALSE(s.camera_alive);
  EXPECT_EQ(s.read_failures, 0u);
  EXPECT_EQ(s.reopens, 0u);
  EXPECT_EQ(log.events, std::vector<CameraEvent>{CameraEvent::kEnded});
}

}  // namespace
}  // namespace rcpilot::perception
