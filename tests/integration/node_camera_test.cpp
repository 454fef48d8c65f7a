// The real node on the car's GStreamer camera path: a network camera on loopback that stalls
// (camera lost, pipeline re-built, driving again; SIGTERM during a stall exits 0 within 2 s),
// and a video file; neither loads OpenCV's videoio or imgcodecs.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "gst_test_support.hpp"
#include "mjpeg_server.hpp"
#include "perception/jpeg_codec.hpp"
#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {
namespace {

using namespace std::chrono_literals;

const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
const std::string kSimProfile = RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml";
// Start-up (model load, self-test) on a loaded 2-core machine; only reached when broken.
constexpr auto kStartBound = 60s;
constexpr auto kEventBound = 15s;

std::vector<unsigned char> test_jpeg() {
  std::vector<unsigned char> jpeg;
  perception::encode_jpeg(cv::Mat(224, 224, CV_8UC3, cv::Scalar(90, 120, 150)), 90, jpeg);
  return jpeg;
}

std::vector<std::string> node_args(const std::string& endpoint,
                                   const std::vector<std::string>& sets) {
  std::vector<std::string> args = {"--config", kSimProfile,
                                   "--set",    "control_api.enabled=false",
                                   "--set",    "telemetry.endpoint=" + endpoint};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  return args;
}

std::vector<std::string> network_camera(int port) {
  return {"camera.source=gstreamer", "camera.timeout_ms=500",
          "camera.pipeline=tcpclientsrc host=127.0.0.1 port=" + std::to_string(port) +
              " ! multipartdemux ! jpegdec ! videoconvert ! appsink"};
}

// Polls `pred` every 50 ms for up to `bound`.
bool eventually(const std::function<bool()>& pred, std::chrono::seconds bound) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

bool driving_now(const TelemetryClient& client) {
  const auto states = client.of("state");
  return !states.empty() && states.back()["reason"] == "none";
}

// Whether a state after the first `from` states has reason `reason`.
bool state_reason_since(const TelemetryClient& client, std::size_t from,
                        const std::string& reason) {
  const auto states = client.of("state");
  for (std::size_t i = from; i < states.size(); ++i) {
    if (states[i]["reason"] == reason) return true;
  }
  return false;
}

std::string mapped_libraries(pid_t pid) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::stringstream text;
  text << maps.rdbuf();
  return text.str();
}

void expect_gstreamer_without_videoio_or_imgcodecs(pid_t pid) {
  const std::string maps = mapped_libraries(pid);
  EXPECT_NE(maps.find("libgstreamer-1.0"), std::string::npos) << "not on the GStreamer path";
  EXPECT_EQ(maps.find("libopencv_videoio"), std::string::npos) << "videoio is mapped";
  EXPECT_EQ(maps.find("libopencv_imgcodecs"), std::string::npos) << "imgcodecs is mapped";
}

TEST(NodeCamera, a_stalled_network_camera_is_lost_reopened_and_drives_again) {
  MjpegServer server(test_jpeg(), 30);
  const std::string endpoint = private_endpoint("camera-stall");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, node_args(endpoint, network_camera(server.port())));
  ASSERT_TRUE(eventually([&] { return driving_now(client); }, kStartBound)) << node.output();
  expect_gstreamer_without_videoio_or_imgcodecs(node.pid());

  const std::size_t before = client.of("state").size();
  const int connections = server.connections();
  server.stall_open_connections();  // the camera hangs: the connection stays open, silent
  EXPECT_TRUE(
      eventually([&] { return state_reason_since(client, before, "camera_lost"); }, kEventBound))
      << node.output();
  EXPECT_TRUE(eventually([&] { return server.connections() > connections; }, kEventBound))
      << "the pipeline was not re-built\n"
      << node.output();
  EXPECT_TRUE(eventually([&] { return driving_now(client); }, kEventBound)) << node.output();

  // Grabber events reach telemetry where the node forwards them (GrabberOptions::on_event).
  std::vector<std::string> camera_events;
  for (const auto& e : client.of("event")) {
    const std::string type = e.value("type", "");
    if (type.rfind("camera_", 0) == 0) camera_events.push_back(type);
  }
  if (!camera_events.empty()) {
    EXPECT_EQ(camera_events.front(), "camera_lost");
    EXPECT_NE(std::find(camera_events.begin(), camera_events.end(), "camera_reopened"),
              camera_events.end());
  }
  node.signal(SIGTERM);
  EXPECT_EQ(node.wait(30), 0) << node.output();
}

TEST(NodeCamera, sigterm_during_a_camera_stall_exits_zero_within_two_seconds) {
  MjpegServer server(test_jpeg(), 30);
  const std::string endpoint = private_endpoint("camera-sigterm");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, node_args(endpoint, network_camera(server.port())));
  ASSERT_TRUE(eventually([&] { return driving_now(client); }, kStartBound)) << node.output();
  const std::size_t before = client.of("state").size();
  server.stall_all();  // silent for good, re-opened pipelines included
  ASSERT_TRUE(
      eventually([&] { return state_reason_since(client, before, "camera_lost"); }, kEventBound))
      << node.output();
  node.signal(SIGTERM);
  EXPECT_EQ(node.wait(2.0), 0) << "not stopped within 2 s of SIGTERM\n" << node.output();
}

TEST(NodeCamera, drives_on_a_video_file_through_the_capture_path) {
  const std::string dir = temp_dir("camera-video");
  std::vector<int> values;
  for (int i = 0; i < 50; ++i) values.push_back(40 + 3 * i);
  ASSERT_TRUE(perception::testing::write_video(dir + "/clip.avi", values, 25));
  const std::string endpoint = private_endpoint("camera-video");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, node_args(endpoint, {"camera.source=video", "camera.loop=true",
                                              "camera.path=" + dir + "/clip.avi"}));
  ASSERT_TRUE(eventually([&] { return driving_now(client); }, kStartBound)) << node.output();
  expect_gstreamer_without_videoio_or_imgcodecs(node.pid());
  node.signal(SIGTERM);
  EXPECT_EQ(node.wait(30), 0) << node.output();
}

}  // namespace
}  // namespace rcpilot::testing
