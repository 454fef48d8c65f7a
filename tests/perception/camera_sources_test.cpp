#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "perception/camera_factory.hpp"
#include "perception/camera_pipelines.hpp"
#include "perception/capture_camera.hpp"
#include "perception/file_cameras.hpp"
#include "perception/replay_cameras.hpp"
#include "perception/tub_writer.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using testing::TempDir;

// A frame whose blue channel encodes `value` (JPEG/MJPG keep flat colours within a few levels).
cv::Mat flat(int value, cv::Size size = {64, 48}) {
  return cv::Mat(size, CV_8UC3, cv::Scalar(value, 128, 255 - value));
}

ReplayOptions as_fast_as_possible(int width = 64, int height = 48) {
  ReplayOptions o;
  o.width = width;
  o.height = height;
  o.realtime = false;
  return o;
}

std::vector<int> read_blues(CameraSource& camera, int n) {
  std::vector<int> blues;
  cv::Mat bgr;
  for (int i = 0; i < n && camera.read(bgr); ++i) blues.push_back(bgr.at<cv::Vec3b>(24, 32)[0]);
  return blues;
}

void expect_near_all(const std::vector<int>& got, const std::vector<int>& want, int tol = 6) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << "frame " << i;
}

std::string write_video(const TempDir& dir, const std::vector<int>& values, double fps = 25) {
  const std::string path = dir.str("clip.avi");
  cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, {64, 48});
  EXPECT_TRUE(writer.isOpened());
  for (int v : values) writer.write(flat(v));
  return path;
}

TEST(VideoFileCamera, delivers_every_frame_of_the_file_then_reports_the_end) {
  TempDir dir;
  const std::string path = write_video(dir, {20, 80, 140, 200});
  SteadyClock clock;
  VideoFileCamera camera(path, clock, as_fast_as_possible());
  EXPECT_DOUBLE_EQ(camera.file_fps(), 25.0);
  expect_near_all(read_blues(camera, 10), {20, 80, 140, 200});
  EXPECT_TRUE(camera.at_end());
  cv::Mat bgr;
  EXPECT_FALSE(camera.read(bgr));
}

TEST(VideoFileCamera, loops_back_to_the_first_frame_when_asked) {
  TempDir dir;
  const std::string path = write_video(dir, {20, 200});
  SteadyClock clock;
  ReplayOptions options = as_fast_as_possible();
  options.loop = true;
  VideoFileCamera camera(path, clock, options);
  expect_near_all(read_blues(camera, 5), {20, 200, 20, 200, 20});
  EXPECT_FALSE(camera.at_end());
}

TEST(VideoFileCamera, resizes_frames_to_the_configured_size) {
  TempDir dir;
  const std::string path = write_video(dir, {100});
  SteadyClock clock;
  VideoFileCamera camera(path, clock, as_fast_as_possible(32, 32));
  cv::Mat bgr;
  ASSERT_TRUE(camera.read(bgr));
  EXPECT_EQ(bgr.size(), cv::Size(32, 32));
  EXPECT_EQ(bgr.type(), CV_8UC3);
}

TEST(VideoFileCamera, a_missing_file_is_an_error_naming_it) {
  SteadyClock clock;
  try {
    VideoFileCamera camera("/nonexistent/clip.avi", clock, as_fast_as_possible());
    FAIL();
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/clip.avi"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("camera.path"), std::string::npos);
  }
}

TEST(VideoFileCamera, interrupt_makes_read_return_false) {
  TempDir dir;
  const std::string path = write_video(dir, {20, 200});
  SteadyClock clock;
  VideoFileCamera camera(path, clock, as_fast_as_possible());
  camera.interrupt();
  cv::Mat bgr;
  EXPECT_FALSE(camera.read(bgr));
  EXPECT_FALSE(camera.at_end());
}

TEST(ImageFolderCamera, reads_images_in_numeric_order_and_loops) {
  TempDir dir;
  cv::imwrite(dir.str("10_cam.png"), flat(30));
  cv::imwrite(dir.str("2_cam.png"), flat(20));
  cv::imwrite(dir.str("1_cam.png"), flat(10));
  std::ofstream(dir.str("notes.txt")) << "not an image";
  SteadyClock clock;
  ReplayOptions options = as_fast_as_possible();
  options.loop = true;
  ImageFolderCamera camera(dir.str(), clock, options);
  ASSERT_EQ(camera.files().size(), 3u);
  expect_near_all(read_blues(camera, 4), {10, 20, 30, 10}, 0);
}

TEST(ImageFolderCamera, stops_at_the_last_image_without_loop) {
  TempDir dir;
  cv::imwrite(dir.str("a.png"), flat(10));
  SteadyClock clock;
  ImageFolderCamera camera(dir.str(), clock, as_fast_as_possible());
  expect_near_all(read_blues(camera, 3), {10}, 0);
  EXPECT_TRUE(camera.at_end());
}

TEST(ImageFolderCamera, an_empty_folder_is_an_error_naming_it) {
  TempDir dir;
  SteadyClock clock;
  EXPECT_THROW(ImageFolderCamera(dir.str(), clock, as_fast_as_possible()), CameraError);
}

TEST(TubCamera, replays_the_records_of_a_tub_skipping_deleted_ones_in_order) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    for (int v : {10, 60, 110}) writer.write(flat(v), 0.0f, 0.0f, "user", v);
  }
  SteadyClock clock;
  TubCamera camera(dir.str("tub"), clock, as_fast_as_possible());
  expect_near_all(read_blues(camera, 5), {10, 60, 110});
  EXPECT_TRUE(camera.at_end());
}

TEST(TubCamera, a_folder_that_is_not_a_tub_is_an_error_naming_camera_path) {
  TempDir dir;
  SteadyClock clock;
  try {
    TubCamera camera(dir.str(), clock, as_fast_as_possible());
    FAIL();
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find("camera.path"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
  }
}

TEST(MakeCameraSource, builds_the_configured_replay_source) {
  TempDir dir;
  cv::imwrite(dir.str("1.png"), flat(10, {224, 224}));
  config::CameraConfig c;
  c.source = config::CameraSource::kImages;
  c.realtime = false;
  SteadyClock clock;
  auto camera = make_camera_source(c, dir.str(), clock, &make_capture_camera);
  cv::Mat bgr;
  ASSERT_TRUE(camera->read(bgr));
  EXPECT_EQ(bgr.size(), cv::Size(224, 224));
  EXPECT_NE(camera->describe().find("image folder"), std::string::npos);
}

// Stands in for the plugin where a source must not need it.
std::unique_ptr<CameraSource> capture_must_not_be_used(const config::CameraConfig& c,
                                                       const std::string&, const Clock&) {
  ADD_FAILURE() << "camera.source " << config::to_string(c.source)
                << " went to the capture plugin";
  return nullptr;
}

TEST(MakeCameraSource, builds_a_tub_camera_without_the_capture_plugin) {
  TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(flat(10, {224, 224}), 0.0f, 0.0f, "user", 1);
  }
  config::CameraConfig c;
  c.source = config::CameraSource::kTub;
  c.realtime = false;
  SteadyClock clock;
  auto camera = make_camera_source(c, dir.str("tub"), clock, &capture_must_not_be_used);
  cv::Mat bgr;
  ASSERT_TRUE(camera->read(bgr));
  EXPECT_EQ(bgr.size(), cv::Size(224, 224));
}

TEST(MakeCameraSource, loads_the_built_capture_plugin_and_builds_its_sources) {
  TempDir dir;
  cv::imwrite(dir.str("1.png"), flat(10, {224, 224}));
  config::CameraConfig c;
  c.source = config::CameraSource::kImages;
  c.realtime = false;
  SteadyClock clock;
  const CaptureFactory factory = load_capture_plugin(RCPILOT_CAPTURE_PLUGIN, std::string(config::to_string(c.source)));
  ASSERT_NE(factory, nullptr);
  auto camera = make_camera_source(c, dir.str(), clock, factory);
  cv::Mat bgr;
  ASSERT_TRUE(camera->read(bgr));
  EXPECT_EQ(bgr.at<cv::Vec3b>(0, 0)[0], 10);
  // An error thrown inside the plugin is still a CameraError out here.
  c.source = config::CameraSource::kGstreamer;
  EXPECT_THROW(factory(c, "", clock), CameraError);
}

TEST(MakeCameraSource, a_missing_capture_plugin_is_an_error_naming_camera_source) {
  try {
    load_capture_plugin("/nonexistent/librcpilot-capture.so", "v4l2");
    FAIL();
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find("camera.source: v4l2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent/librcpilot-capture.so"),
              std::string::npos);
  }
}

TEST(MakeCameraSource, the_plugin_is_looked_for_in_lib_rcpilot_beside_the_executables_folder) {
  const std::string path = capture_plugin_path();
  EXPECT_NE(path.find("/lib/rcpilot/librcpilot-capture.so"), std::string::npos) << path;
}

TEST(MakeCameraSource, a_replay_source_without_path_names_the_key) {
  config::CameraConfig c;
  c.source = config::CameraSource::kVideo;
  SteadyClock clock;
  try {
    make_camera_source(c, "", clock, &capture_must_not_be_used);
    FAIL();
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find("camera.path"), std::string::npos);
  }
}

TEST(MakeCameraSource, a_gstreamer_source_without_pipeline_names_the_key) {
  config::CameraConfig c;
  c.source = config::CameraSource::kGstreamer;
  SteadyClock clock;
  EXPECT_THROW(make_camera_source(c, "", clock, &make_capture_camera), CameraError);
}

TEST(GStreamerCamera, a_pipeline_that_cannot_open_says_what_to_do) {
  try {
    GStreamerCamera camera("nosuchelement_rcpilot ! appsink", "CSI camera sensor-id=0",
                           "sudo systemctl restart nvargus-daemon");
    FAIL();
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find("CSI camera sensor-id=0"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nvargus-daemon"), std::string::npos);
  }
}

TEST(GStreamerCamera, a_missing_usb_camera_is_an_error_naming_the_device_not_a_hang) {
  // Without v4l2src installed GStreamer waits forever for the pipeline to start; with it the
  // device is missing. Either way: an error naming the device, within the open timeout.
  config::CameraConfig c;
  c.device = "/dev/video_rcpilot_missing";
  try {
    GStreamerCamera camera(v4l2_pipeline(c), "USB camera " + c.device, "check the device",
                           std::chrono::milliseconds(500));
    FAIL() << "opened a missing device";
  } catch (const CameraError& e) {
    EXPECT_NE(std::string(e.what()).find(c.device), std::string::npos) << e.what();
  }
}

TEST(GStreamerCamera, reads_frames_from_videotestsrc) {
  config::CameraConfig c;
  c.source = config::CameraSource::kGstreamer;
  c.pipeline =
      "videotestsrc num-buffers=3 ! video/x-raw, width=64, height=48 ! videoconvert ! "
      "video/x-raw, format=BGR ! appsink";
  SteadyClock clock;
  std::unique_ptr<CameraSource> camera;
  try {
    camera = make_camera_source(c, "", clock, &make_capture_camera);
  } catch (const CameraError& e) {
    GTEST_SKIP() << "GStreamer base plugins (videotestsrc) not installed: " << e.what();
  }
  cv::Mat bgr;
  ASSERT_TRUE(camera->read(bgr));
  EXPECT_EQ(bgr.size(), cv::Size(64, 48));
  EXPECT_EQ(bgr.type(), CV_8UC3);
}

TEST(CameraPipelines, csi_pipeline_is_the_documented_nvargus_form) {
  config::CameraConfig c;
  c.source = config::CameraSource::kCsi;
  c.capture_width = 1280;
  c.capture_height = 720;
  c.fps = 60;
  EXPECT_EQ(csi_pipeline(c),
            "nvarguscamerasrc sensor-id=0 ! video/x-raw(memory:NVMM), width=1280, height=720, "
            "framerate=60/1, format=NV12 ! nvvidconv flip-method=0 ! video/x-raw, width=224, "
            "height=224, format=BGRx ! videoconvert ! video/x-raw, format=BGR ! appsink "
            "drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, csi_pipeline_carries_sensor_mode_flip_and_sizes) {
  config::CameraConfig c;
  c.sensor_id = 1;
  c.sensor_mode = 4;
  c.capture_width = 1920;
  c.capture_height = 1080;
  c.fps = 30;
  c.flip = 2;
  c.width = 160;
  c.height = 120;
  EXPECT_EQ(csi_pipeline(c),
            "nvarguscamerasrc sensor-id=1 sensor-mode=4 ! video/x-raw(memory:NVMM), width=1920, "
            "height=1080, framerate=30/1, format=NV12 ! nvvidconv flip-method=2 ! video/x-raw, "
            "width=160, height=120, format=BGRx ! videoconvert ! video/x-raw, format=BGR ! "
            "appsink drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, v4l2_pipeline_decodes_mjpeg_cameras) {
  config::CameraConfig c;
  c.device = "/dev/video1";
  c.format = config::CameraFormat::kMjpeg;
  c.capture_width = 640;
  c.capture_height = 480;
  c.fps = 30;
  EXPECT_EQ(v4l2_pipeline(c),
            "v4l2src device=/dev/video1 ! image/jpeg, width=640, height=480, framerate=30/1 ! "
            "jpegdec ! videoconvert ! videoscale ! video/x-raw, width=224, height=224, "
            "format=BGR ! appsink drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, v4l2_pipeline_takes_raw_frames_as_they_are) {
  config::CameraConfig c;
  c.format = config::CameraFormat::kRaw;
  c.capture_width = 320;
  c.capture_height = 240;
  c.fps = 15;
  EXPECT_EQ(v4l2_pipeline(c),
            "v4l2src device=/dev/video0 ! video/x-raw, width=320, height=240, framerate=15/1 ! "
            "videoconvert ! videoscale ! video/x-raw, width=224, height=224, format=BGR ! "
            "appsink drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, fractional_frame_rates_become_gstreamer_fractions) {
  EXPECT_EQ(gst_fraction(30), "30/1");
  EXPECT_EQ(gst_fraction(29.97), "2997/100");
}

}  // namespace
}  // namespace rcpilot::perception

namespace rcpilot::perception {
namespace {

// Real-time replay paces frames like a camera: N frames at F fps take at least (N-1)/F s. Only
// the lower bound is asserted (a sleep is never shorter); the upper bound is a sanity check.
TEST(ReplayPacing, realtime_images_arrive_at_the_configured_rate) {
  TempDir dir;
  cv::imwrite(dir.str("1.png"), flat(10));
  cv::imwrite(dir.str("2.png"), flat(20));
  SteadyClock clock;
  ReplayOptions options = as_fast_as_possible();
  options.realtime = true;
  options.fps = 50;
  options.loop = true;
  ImageFolderCamera camera(dir.str(), clock, options);
  const TimePoint start = clock.now();
  EXPECT_EQ(read_blues(camera, 11).size(), 11u);
  const double took_ms = elapsed_ms(start, clock.now());
  EXPECT_GE(took_ms, 199.0) << "11 frames at 50 fps span 10 periods";
  EXPECT_LT(took_ms, 5000.0);
}

TEST(ReplayPacing, realtime_video_follows_the_files_own_rate) {
  TempDir dir;
  const std::string path = write_video(dir, {10, 20, 30, 40, 50, 60}, 20);
  SteadyClock clock;
  ReplayOptions options = as_fast_as_possible();
  options.realtime = true;
  VideoFileCamera camera(path, clock, options);
  const TimePoint start = clock.now();
  EXPECT_EQ(read_blues(camera, 6).size(), 6u);
  EXPECT_GE(elapsed_ms(start, clock.now()), 249.0) << "6 frames at 20 fps span 5 periods";
}

}  // namespace
}  // namespace rcpilot::perception
