// The GStreamer cameras on real pipelines: videotestsrc, a video file written at test time,
// and a loopback TCP stream that stalls.
#include "perception/gst_camera.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "gst_test_support.hpp"
#include "perception/camera_pipelines.hpp"
#include "perception/capture_camera.hpp"
#include "perception/frame_grabber.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using namespace std::chrono_literals;
using testing::flat_frame;
using testing::SilentTcpServer;
using testing::TempDir;
using testing::write_video;

constexpr auto kReadBound = 5s;  // only reached when the code under test is broken

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const CameraError& e) {
    return e.what();
  }
  return "";
}

GstCameraOptions pipeline_options(const std::string& pipeline, int width = 64, int height = 48) {
  GstCameraOptions o;
  o.pipeline = pipeline;
  o.what = "test pipeline";
  o.remedy = "fix the test";
  o.width = width;
  o.height = height;
  return o;
}

constexpr const char* kLiveTestSource =
    "videotestsrc is-live=true ! video/x-raw, width=64, height=48, framerate=50/1 ! "
    "videoconvert ! video/x-raw, format=BGR ! appsink";

config::CameraConfig video_config(bool loop = false) {
  config::CameraConfig c;
  c.source = config::CameraSource::kVideo;
  c.width = 64;
  c.height = 48;
  c.realtime = false;
  c.loop = loop;
  return c;
}

std::vector<int> read_blues(CameraSource& camera, int n) {
  std::vector<int> blues;
  cv::Mat bgr;
  for (int i = 0; i < n && camera.read(bgr); ++i) blues.push_back(bgr.at<cv::Vec3b>(24, 32)[0]);
  return blues;
}

void expect_near_all(const std::vector<int>& got, const std::vector<int>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 6) << "frame " << i;
}

TEST(GstCamera, a_live_source_stamps_frames_at_capture_on_the_monotonic_clock) {
  GstCamera camera(pipeline_options(kLiveTestSource));
  cv::Mat bgr;
  TimePoint previous{};
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(camera.read(bgr));
    const TimePoint pulled = std::chrono::steady_clock::now();
    const TimePoint stamp = camera.captured_at();
    EXPECT_GT(stamp, previous) << "frame " << i;
    EXPECT_LE(stamp, pulled) << "frame " << i;
    EXPECT_LT(pulled - stamp, 1s) << "frame " << i;
    previous = stamp;
  }
  EXPECT_EQ(bgr.size(), cv::Size(64, 48));
  EXPECT_EQ(bgr.type(), CV_8UC3);
}

TEST(GstCamera, scales_to_the_configured_size_when_the_pipeline_delivers_another) {
  GstCamera camera(pipeline_options(kLiveTestSource, 32, 32));
  cv::Mat bgr;
  ASSERT_TRUE(camera.read(bgr));
  EXPECT_EQ(bgr.size(), cv::Size(32, 32));
}

TEST(GstCamera, a_video_file_delivers_every_frame_then_reports_the_end) {
  TempDir dir;
  ASSERT_TRUE(write_video(dir.str("clip.avi"), {20, 80, 140, 200}));
  SteadyClock clock;
  auto camera = make_capture_camera(video_config(), dir.str("clip.avi"), clock);
  expect_near_all(read_blues(*camera, 10), {20, 80, 140, 200});
  EXPECT_TRUE(camera->at_end());
  EXPECT_EQ(camera->captured_at(), TimePoint{}) << "a file's timestamps are not capture times";
  cv::Mat bgr;
  EXPECT_FALSE(camera->read(bgr));
}

TEST(GstCamera, a_video_file_loops_back_to_the_first_frame_when_asked) {
  TempDir dir;
  ASSERT_TRUE(write_video(dir.str("clip.avi"), {20, 200}));
  SteadyClock clock;
  auto camera = make_capture_camera(video_config(/*loop=*/true), dir.str("clip.avi"), clock);
  expect_near_all(read_blues(*camera, 5), {20, 200, 20, 200, 20});
  EXPECT_FALSE(camera->at_end());
}

TEST(GstCamera, a_video_file_paced_in_real_time_keeps_looping) {
  TempDir dir;
  ASSERT_TRUE(write_video(dir.str("clip.avi"), {20, 120, 220}));
  SteadyClock clock;
  config::CameraConfig c = video_config(/*loop=*/true);
  c.realtime = true;  // the appsink syncs on the file's timestamps, keeping only the newest
  auto camera = make_capture_camera(c, dir.str("clip.avi"), clock);
  EXPECT_EQ(read_blues(*camera, 7).size(), 7u) << camera->last_error();
  EXPECT_FALSE(camera->at_end());
}

TEST(GstCamera, a_missing_video_file_is_an_error_naming_it_and_camera_path) {
  SteadyClock clock;
  const std::string error =
      error_of([&] { make_capture_camera(video_config(), "/nonexistent/clip.avi", clock); });
  EXPECT_NE(error.find("/nonexistent/clip.avi"), std::string::npos) << error;
  EXPECT_NE(error.find("camera.path"), std::string::npos) << error;
}

TEST(GstCamera, a_pipeline_that_cannot_be_built_names_the_camera_and_what_to_do) {
  GstCameraOptions o = pipeline_options("nosuchelement_rcpilot ! appsink");
  o.what = "CSI camera sensor-id=0";
  o.remedy = "sudo systemctl restart nvargus-daemon";
  const std::string error = error_of([&] { GstCamera camera(o); });
  EXPECT_NE(error.find("CSI camera sensor-id=0"), std::string::npos) << error;
  EXPECT_NE(error.find("nosuchelement_rcpilot"), std::string::npos) << error;
  EXPECT_NE(error.find("nvargus-daemon"), std::string::npos) << error;
}

TEST(GstCamera, a_pipeline_without_an_appsink_is_an_error_saying_so) {
  const std::string error =
      error_of([] { GstCamera camera(pipeline_options("videotestsrc ! fakesink")); });
  EXPECT_NE(error.find("no appsink"), std::string::npos) << error;
}

TEST(GstCamera, a_missing_usb_camera_is_an_error_naming_the_device) {
  config::CameraConfig c;
  c.source = config::CameraSource::kV4l2;
  c.device = "/dev/video_rcpilot_missing";
  SteadyClock clock;
  const std::string error = error_of([&] { make_capture_camera(c, "", clock); });
  EXPECT_NE(error.find(c.device), std::string::npos) << error;
}

TEST(GstCamera, a_stream_that_cannot_connect_is_an_error_with_gstreamers_reason) {
  int closed_port = 0;
  {
    SilentTcpServer server;
    closed_port = server.port();
  }
  const std::string error = error_of([&] {
    GstCamera camera(
        pipeline_options("tcpclientsrc host=127.0.0.1 port=" + std::to_string(closed_port) +
                         " ! jpegdec ! videoconvert ! appsink"));
  });
  EXPECT_NE(error.find("tcpclientsrc"), std::string::npos) << error;
  EXPECT_NE(error.find("fix the test"), std::string::npos) << error;
}

TEST(GstCamera, a_live_stream_that_ends_fails_the_read_and_says_why) {
  GstCamera camera(pipeline_options(
      "videotestsrc num-buffers=2 ! videoconvert ! video/x-raw, format=BGR ! appsink"));
  cv::Mat bgr;
  int frames = 0;
  while (frames < 10 && camera.read(bgr)) ++frames;
  EXPECT_EQ(frames, 2);
  EXPECT_FALSE(camera.at_end()) << "only a video file ends; a camera that ends has failed";
  EXPECT_NE(camera.last_error().find("end of stream"), std::string::npos) << camera.last_error();
}

TEST(GstCamera, frames_that_are_not_bgr_fail_with_the_pipeline_to_use) {
  GstCamera camera(
      pipeline_options("videotestsrc ! video/x-raw, format=GRAY8 ! appsink caps=video/x-raw"));
  cv::Mat bgr;
  EXPECT_FALSE(camera.read(bgr));
  EXPECT_NE(camera.last_error().find("format=BGR"), std::string::npos) << camera.last_error();
}

TEST(GstCamera, interrupt_unblocks_a_read_waiting_on_a_stalled_stream) {
  SilentTcpServer server;
  GstCamera camera(
      pipeline_options("tcpclientsrc host=127.0.0.1 port=" + std::to_string(server.port()) +
                       " ! multipartdemux ! jpegdec ! videoconvert ! appsink"));
  auto read = std::async(std::launch::async, [&] {
    cv::Mat bgr;
    return camera.read(bgr);
  });
  EXPECT_EQ(read.wait_for(200ms), std::future_status::timeout) << "nothing was sent";
  camera.interrupt();
  ASSERT_EQ(read.wait_for(kReadBound), std::future_status::ready);
  EXPECT_FALSE(read.get());
}

TEST(GstCamera, reopen_clears_an_interrupt_and_reads_again) {
  GstCamera camera(pipeline_options(kLiveTestSource));
  cv::Mat bgr;
  ASSERT_TRUE(camera.read(bgr));
  camera.interrupt();
  EXPECT_FALSE(camera.read(bgr));
  camera.reopen();
  EXPECT_TRUE(camera.read(bgr));
}

TEST(GstCamera, the_grabber_rebuilds_a_silent_stream_after_the_timeout_and_stops_during_it) {
  SilentTcpServer server;
  GstCamera camera(
      pipeline_options("tcpclientsrc host=127.0.0.1 port=" + std::to_string(server.port()) +
                       " ! multipartdemux ! jpegdec ! videoconvert ! appsink"));
  SteadyClock clock;
  LatestSlot<Frame> frames;
  GrabberOptions options;
  options.timeout = 100ms;
  options.open_grace = 100ms;  // a re-built pipeline that delivers nothing is rebuilt as soon
  FrameGrabber grabber(camera, clock, frames, options);
  grabber.start();
  const auto deadline = std::chrono::steady_clock::now() + kReadBound;
  while (grabber.stats().reopens < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  grabber.stop();  // returns while the re-built pipeline waits for data again
  const GrabberStats s = grabber.stats();
  EXPECT_GE(s.reopens, 2u);
  EXPECT_EQ(s.reopen_failures, 0u);
  EXPECT_EQ(s.lost_events, 1u);
  EXPECT_FALSE(s.camera_alive);
  EXPECT_NE(s.last_error.find("test pipeline"), std::string::npos) << s.last_error;
}

}  // namespace
}  // namespace rcpilot::perception
