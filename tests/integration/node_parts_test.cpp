// The car's programs carry only the car's parts: the simulator comes as a plugin only when the
// config asks for it (ArduPilot-SITL style), and rcpilot-ctl links only the control client.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include "../firmware_iface/fw_sim_process.hpp"
#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {
namespace {

const std::string kBin = RCPILOT_BINARY_DIR "/bin/";
const std::string kSimPlugin = RCPILOT_SIM_PLUGIN;
const std::string kSimProfile = RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml";

std::string shell(const std::string& command) {
  const auto [code, out] = run("/bin/sh", {"-c", command});
  EXPECT_EQ(code, 0) << command << "\n" << out;
  return out;
}

int count_of(const std::string& file, const std::string& symbol) {
  return std::stoi(shell("nm -C '" + file + "' | grep -c '" + symbol + "' || true"));
}

TEST(NodeParts, rcpilot_ctl_loads_no_opencv_and_no_simulator) {
  const std::string libs = shell("ldd '" + kBin + "rcpilot-ctl'");
  EXPECT_EQ(libs.find("libopencv"), std::string::npos) << libs;
  EXPECT_EQ(count_of(kBin + "rcpilot-ctl", "SimWorld"), 0);
}

TEST(NodeParts, the_node_and_motor_tool_contain_no_simulator_which_lives_in_its_plugin) {
  EXPECT_EQ(count_of(kBin + "rcpilot", "SimWorld"), 0);
  EXPECT_EQ(count_of(kBin + "rcpilot-motor", "SimWorld"), 0);
  EXPECT_GT(count_of(kSimPlugin, "SimWorld"), 0);
}

// A tub for the replay camera, recorded by the simulator tool (the node itself stays real).
std::string record_tub(const std::string& dir) {
  std::filesystem::remove_all(dir);
  const auto [code, out] = run(kBin + "rcpilot-sim", {"record", "--out", dir, "--records", "60"});
  EXPECT_EQ(code, 0) << out;
  return dir;
}

TEST(NodeParts, a_real_car_config_builds_no_simulated_world_reads_no_track_and_sends_no_sim_state) {
  const std::string tub = record_tub("/tmp/rcpilot-node-parts-tub-" + std::to_string(getpid()));
  fw::testing::FwSimProcess board;  // the reference firmware on a pty: a real serial board
  ASSERT_FALSE(board.slave_path().empty());
  const std::string endpoint = private_endpoint("parts");
  TelemetryClient telemetry(endpoint);
  const auto [code, out] = run(
      kBin + "rcpilot",
      {"--config", kSimProfile, "--set", "control_api.enabled=false", "--set",
       "telemetry.endpoint=" + endpoint, "--set", "camera.source=tub", "--set",
       "camera.path=" + tub, "--set", "camera.loop=true", "--set", "motor.driver=native",
       "--set", "motor.device=" + board.slave_path(), "--set",
       "sim.track=/nonexistent/track-the-car-must-not-read.yaml", "--duration", "3"},
      90);
  ASSERT_EQ(code, 0) << out;
  const auto states = telemetry.of("state");
  ASSERT_FALSE(states.empty()) << out;
  for (const auto& st : states) EXPECT_FALSE(st.contains("sim")) << st.dump();
  EXPECT_EQ(out.find("lap "), std::string::npos) << "a real car reports no laps:\n" << out;
  std::filesystem::remove_all(tub);
}

TEST(NodeParts, the_sim_profile_still_publishes_the_simulated_cars_progress) {
  const std::string endpoint = private_endpoint("sim-parts");
  TelemetryClient telemetry(endpoint);
  const auto [code, out] =
      run(kBin + "rcpilot",
          {"--config", kSimProfile, "--set", "control_api.enabled=false", "--set",
           "telemetry.endpoint=" + endpoint, "--duration", "3"},
          90);
  ASSERT_EQ(code, 0) << out;
  const auto states = telemetry.of("state");
  ASSERT_FALSE(states.empty()) << out;
  EXPECT_TRUE(states.back().contains("sim")) << states.back().dump();
}

}  // namespace
}  // namespace rcpilot::testing
