#include "perception/frame_grabber.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedCamera;

constexpr auto kEventTimeout = 5s;  // generous: only reached when the code under test is broken

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
  FrameGrabber grabber(camera, clock, slot, GrabberOptions{1ms, 2ms});
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
                       GrabberOptions{std::chrono::hours(1), std::chrono::hours(1)});
  camera.fail();
  grabber.start();
  while (grabber.stats().read_failures == 0) std::this_thread::yield();
  grabber.stop();  // the one-hour backoff must not delay this
  EXPECT_EQ(grabber.stats().read_failures, 1u);
}

}  // namespace
}  // namespace rcpilot::perception
