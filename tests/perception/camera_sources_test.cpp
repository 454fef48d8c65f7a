#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

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

TEST(ImageFolderCamera, decodes_jpeg_and_png_files_alike) {
  TempDir dir;
  cv::imwrite(dir.str("1_cam.jpg"), flat(40));
  cv::imwrite(dir.str("2_cam.png"), flat(90));
  cv::imwrite(dir.str("3_cam.JPEG"), flat(140));
  SteadyClock clock;
  ImageFolderCamera camera(dir.str(), clock, as_fast_as_possible());
  expect_near_all(read_blues(camera, 3), {40, 90, 140}, 3);
}

TEST(ImageFolderCamera, a_png_with_alpha_or_grey_decodes_to_bgr) {
  TempDir dir;
  cv::Mat bgra(48, 64, CV_8UC4, cv::Scalar(70, 80, 90, 255));
  cv::imwrite(dir.str("a.png"), bgra);
  cv::imwrite(dir.str("g.png"), cv::Mat(48, 64, CV_8UC1, cv::Scalar(33)));
  const cv::Mat from_alpha = read_png_file(dir.str("a.png"));
  ASSERT_EQ(from_alpha.type(), CV_8UC3);
  EXPECT_EQ(from_alpha.at<cv::Vec3b>(5, 5), cv::Vec3b(70, 80, 90));
  const cv::Mat from_grey = read_png_file(dir.str("g.png"));
  ASSERT_EQ(from_grey.type(), CV_8UC3);
  EXPECT_EQ(from_grey.at<cv::Vec3b>(5, 5), cv::Vec3b(33, 33, 33));
}

TEST(ImageFolderCamera, an_unreadable_image_fails_that_read_names_the_file_and_moves_on) {
  TempDir dir;
  std::ofstream(dir.str("1_bad.png")) << "not a png";
  cv::imwrite(dir.str("2_good.png"), flat(50));
  SteadyClock clock;
  ImageFolderCamera camera(dir.str(), clock, as_fast_as_possible());
  cv::Mat bgr;
  EXPECT_FALSE(camera.read(bgr));
  EXPECT_NE(camera.last_error().find("1_bad.png"), std::string::npos) << camera.last_error();
  ASSERT_TRUE(camera.read(bgr));
  EXPECT_EQ(bgr.at<cv::Vec3b>(24, 32)[0], 50);
}

TEST(ImageFolderCamera, reopen_after_interrupt_reads_on_from_where_it_was) {
  TempDir dir;
  cv::imwrite(dir.str("1.png"), flat(10));
  cv::imwrite(dir.str("2.png"), flat(20));
  SteadyClock clock;
  ImageFolderCamera camera(dir.str(), clock, as_fast_as_possible());
  expect_near_all(read_blues(camera, 1), {10}, 0);
  camera.interrupt();
  cv::Mat bgr;
  EXPECT_FALSE(camera.read(bgr));
  camera.reopen();
  expect_near_all(read_blues(camera, 1), {20}, 0);
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
    EXPECT_NE(std::string(e.what()).find("/nonexistent/librcpilot-capture.so"), std::string::npos);
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
            "jpegdec ! videoscale add-borders=false ! videoconvert ! video/x-raw, width=224, "
            "height=224, format=BGR ! appsink drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, v4l2_pipeline_takes_raw_frames_as_they_are) {
  config::CameraConfig c;
  c.format = config::CameraFormat::kRaw;
  c.capture_width = 320;
  c.capture_height = 240;
  c.fps = 15;
  EXPECT_EQ(v4l2_pipeline(c),
            "v4l2src device=/dev/video0 ! video/x-raw, width=320, height=240, framerate=15/1 ! "
            "videoscale add-borders=false ! videoconvert ! video/x-raw, width=224, height=224, "
            "format=BGR ! appsink drop=true max-buffers=1 sync=false");
}

TEST(CameraPipelines, video_pipeline_decodes_any_file_and_scales_to_the_model_size) {
  config::CameraConfig c;
  c.width = 160;
  c.height = 120;
  EXPECT_EQ(video_pipeline(c),
            "filesrc name=src ! decodebin ! videoscale add-borders=false ! videoconvert ! "
            "video/x-raw, width=160, height=120, format=BGR ! appsink");
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

}  // namespace
}  // namespace rcpilot::perception
