// The real rcpilot binary with the motor drivers: a serial board that never answers stops the
// node at start-up, and driver native_sim drives the simulated car through the native
// protocol over a real pty to the reference firmware core.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>

#include "../firmware_iface/fw_sim_process.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "process.hpp"

namespace rcpilot::testing {
namespace {

const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
const std::string kSimProfile = RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml";
// The control API would bind the default port, which another node on this machine may hold.
const std::string kNoControlApi = "control_api.enabled=false";

TEST(NodeMotor, a_board_that_never_answers_stops_start_up_with_exit_3_naming_motor_device) {
  fw::PtyMaster silent_board;  // opens fine, never replies
  for (const std::string driver : {"native", "vesc"}) {
    const auto [code, out] = run(kRcpilot,
                                 {"--config", kSimProfile, "--set", "telemetry.enabled=false",
                                  "--set", "motor.driver=" + driver, "--set",
                                  "motor.device=" + silent_board.slave_path(), "--duration", "5"},
                                 60);
    EXPECT_EQ(code, 3) << out;
    EXPECT_NE(out.find("motor.device " + silent_board.slave_path()), std::string::npos) << out;
    EXPECT_NE(out.find("did not answer"), std::string::npos) << out;
  }
}

TEST(NodeMotor, a_missing_serial_device_stops_start_up_with_exit_3) {
  const auto [code, out] =
      run(kRcpilot,
          {"--config", kSimProfile, "--set", "telemetry.enabled=false", "--set", "motor.driver=mm1",
           "--set", "motor.device=/dev/rcpilot-no-such-tty"},
          60);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("/dev/rcpilot-no-such-tty"), std::string::npos) << out;
}

TEST(NodeMotor, native_sim_drives_the_car_through_the_protocol_and_the_firmware_board) {
  const auto [code, out] = run(kRcpilot,
                               {"--config", kSimProfile, "--set", "telemetry.enabled=false",
                                "--set", "motor.driver=native_sim", "--duration", "8"},
                               90);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("rcpilot native protocol"), std::string::npos) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m, std::regex(R"(\|cte\| mean ([0-9.]+) max ([0-9.]+) m, (\d+) off-track)")))
      << out;
  EXPECT_LT(std::stod(m[1]), 0.1) << out;
  EXPECT_GT(std::stod(m[2]), 0.0) << "the car never left the centreline: it did not move\n" << out;
  EXPECT_EQ(m[3], "0") << out;
}

TEST(NodeMotor, kill_9_of_the_node_leaves_rcpilot_fw_sim_neutral_by_its_own_failsafe) {
  fw::testing::FwSimProcess board;  // --trace: a line per output or state change
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  Process node(kRcpilot,
               {"--config", kSimProfile, "--set", kNoControlApi, "--set", "telemetry.enabled=false",
                "--set", "motor.driver=native", "--set", "motor.device=" + path});
  using fw::testing::field;
  const std::string driving = board.wait_line(
      [](const std::string& l) {
        return field(l, "armed") == 1 && field(l, "throttle_us") > 1500 && field(l, "seq") > 0;
      },
      std::chrono::seconds(60));
  ASSERT_FALSE(driving.empty()) << node.output();
  const std::size_t from = board.line_count();
  const auto killed_at = std::chrono::steady_clock::now();
  node.signal(SIGKILL);
  EXPECT_EQ(node.wait(10), 128 + SIGKILL);
  // Still armed (nobody disarmed it), failsafe on, both outputs at neutral.
  const std::string neutral = board.wait_line(
      [](const std::string& l) {
        return field(l, "armed") == 1 && field(l, "failsafe") == 1 &&
               field(l, "throttle_us") == 1500 && field(l, "steering_us") == 1500;
      },
      std::chrono::seconds(3), from);
  const auto after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - killed_at)
                            .count();
  ASSERT_FALSE(neutral.empty()) << "the firmware kept driving after the host died";
  // Not a timing measurement: failsafe_ms is 100; this only rules out a board that waits for
  // something else (the MM1 holds the last command for 10 s).
  EXPECT_LT(after_ms, 1000) << neutral;
}

}  // namespace
}  // namespace rcpilot::testing
