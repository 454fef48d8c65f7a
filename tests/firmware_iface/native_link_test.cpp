#include "firmware_iface/native_link.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "board_thread.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "fw_sim_process.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::eventually;

DriveCommand drive(float steering, float throttle) {
  DriveCommand c;
  c.steering_norm = steering;
  c.throttle_norm = throttle;
  return c;
}

class NativeLinkTest : public ::testing::Test {
 protected:
  NativeLinkTest() {
    auto [host, board_end] = make_memory_pair();
    host_end_ = host.get();
    board_ = std::make_unique<testing::BoardThread>(std::move(board_end));
    NativeLinkConfig cfg;
    cfg.timing.period_ms = 20;
    cfg.timing.alive_timeout_ms = 150;
    cfg.timing.reconnect_min_ms = 20;
    link_ = std::make_unique<NativeLink>(std::move(host), clock_, cfg);
  }
  SteadyClock clock_;
  MemoryTransport* host_end_ = nullptr;
  std::unique_ptr<testing::BoardThread> board_;
  std::unique_ptr<NativeLink> link_;
};

TEST_F(NativeLinkTest, handshakes_and_arms_before_the_first_command) {
  EXPECT_TRUE(link_->wait_alive(2s));
  EXPECT_TRUE(board_->armed());
  EXPECT_EQ(link_->board_info().fw_major, 1);
  EXPECT_EQ(board_->last_seq(), 0u);  // nothing commanded yet
}

TEST_F(NativeLinkTest, send_refuses_before_the_handshake_and_counts_the_failure) {
  NativeLinkConfig cfg;
  auto [host, silent] = make_memory_pair();
  NativeLink lonely(std::move(host), clock_, cfg);
  EXPECT_FALSE(lonely.send(drive(0.5f, 0.5f)));
  EXPECT_EQ(lonely.status().send_failures, 1u);
  EXPECT_FALSE(lonely.status().alive);
}

// The threads of this process running SCHED_FIFO at `priority` (/proc/self/task/*/stat: field
// 40 is rt_priority, 41 the policy; the command name in field 2 may hold spaces, so fields are
// counted after its closing parenthesis).
int fifo_threads_at(int priority) {
  int found = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream in(task.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::vector<std::string> fields((std::istream_iterator<std::string>(rest)), {});
    // fields[0] is field 3 (state): rt_priority (40) is fields[37], policy (41) fields[38].
    if (fields.size() > 38 && fields[37] == std::to_string(priority) && fields[38] == "1") ++found;
  }
  return found;
}

TEST(NativeLinkIoThread, io_rt_priority_runs_the_io_thread_sched_fifo_or_warns_naming_the_key) {
  SteadyClock clock;
  auto [host, board_end] = make_memory_pair();
  testing::BoardThread board(std::move(board_end));
  NativeLinkConfig cfg;
  cfg.timing.io_rt_priority = 7;
  NativeLink link(std::move(host), clock, cfg);
  const auto warnings = link.warnings();
  if (warnings.empty()) {
    EXPECT_EQ(fifo_threads_at(7), 1);
  } else {
    EXPECT_NE(warnings[0].find("motor.io_rt_priority 7"), std::string::npos) << warnings[0];
    EXPECT_EQ(fifo_threads_at(7), 0);
  }
  EXPECT_TRUE(link.wait_alive(2s));  // the link works either way
}

TEST_F(NativeLinkTest, the_io_thread_keeps_normal_scheduling_by_default) {
  EXPECT_TRUE(link_->warnings().empty());
  EXPECT_TRUE(link_->wait_alive(2s));
}

TEST_F(NativeLinkTest, setpoints_reach_the_firmware_outputs) {
  ASSERT_TRUE(link_->wait_alive(2s));
  ASSERT_TRUE(link_->send(drive(1.0f, -0.5f)));
  EXPECT_TRUE(eventually([&] { return board_->steering_us() == 2000; }));
  EXPECT_EQ(board_->throttle_us(), 1250);
  EXPECT_TRUE(eventually([&] { return link_->status().commands_sent == 1; }));
}

TEST_F(NativeLinkTest, stop_commands_neutral_and_disarms) {
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.8f, 0.8f));
  ASSERT_TRUE(eventually([&] { return board_->throttle_us() != 1500; }));
  link_->stop();
  EXPECT_TRUE(eventually([&] { return !board_->armed(); }));
  EXPECT_EQ(board_->steering_us(), 1500);
  EXPECT_EQ(board_->throttle_us(), 1500);
  EXPECT_FALSE(link_->status().alive);
  EXPECT_FALSE(link_->send(drive(0.1f, 0.1f)));
}

TEST_F(NativeLinkTest, a_silent_board_is_reported_dead_and_recovered_after) {
  ASSERT_TRUE(link_->wait_alive(2s));
  board_->mute(true);
  EXPECT_TRUE(eventually([&] { return !link_->status().alive; }));
  EXPECT_EQ(link_->status().link_losses, 1u);
  EXPECT_FALSE(link_->send(drive(0.2f, 0.2f)));
  board_->mute(false);
  EXPECT_TRUE(eventually([&] { return link_->status().alive; }));
  EXPECT_EQ(link_->status().reconnects, 1u);
  ASSERT_TRUE(link_->send(drive(-1.0f, 0.0f)));
  EXPECT_TRUE(eventually([&] { return board_->steering_us() == 1000; }));
}

TEST_F(NativeLinkTest, reconnects_after_the_device_disappears_and_comes_back) {
  ASSERT_TRUE(link_->wait_alive(2s));
  host_end_->allow_reopen(false);
  host_end_->disconnect();
  EXPECT_TRUE(eventually([&] { return !link_->status().alive; }));
  host_end_->allow_reopen(true);
  EXPECT_TRUE(eventually([&] { return link_->status().alive; }));
  EXPECT_GE(link_->status().reconnects, 1u);
}

TEST_F(NativeLinkTest, host_watchdog_sends_neutral_when_send_stops) {
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.5f, 0.5f));
  ASSERT_TRUE(eventually([&] { return board_->throttle_us() == 1750; }));
  // No more send(): the firmware's failsafe or the host watchdog brings the car to neutral.
  EXPECT_TRUE(eventually([&] { return link_->status().watchdog_trips == 1; }));
  EXPECT_TRUE(eventually([&] { return link_->status().last_command.is_neutral(); }));
  EXPECT_EQ(board_->throttle_us(), 1500);
}

TEST_F(NativeLinkTest, rc_pulses_from_the_board_become_operator_input) {
  ASSERT_TRUE(link_->wait_alive(2s));
  board_->set_rc(2000, 1250);
  link_->send(drive(0.0f, 0.0f));
  ASSERT_TRUE(eventually([&] { return link_->status().rc.valid; }));
  EXPECT_FLOAT_EQ(link_->status().rc.steering_norm, 1.0f);
  EXPECT_FLOAT_EQ(link_->status().rc.throttle_norm, -0.5f);
}

TEST(NativeLinkOverPty, drives_rcpilot_fw_sim_and_the_firmware_goes_neutral_when_the_host_stops) {
  testing::FwSimProcess sim;
  const std::string path = sim.slave_path();
  ASSERT_FALSE(path.empty());
  SteadyClock clock;
  NativeLinkConfig cfg;
  cfg.timing.period_ms = 20;
  NativeLink link(std::make_unique<SerialTransport>(path, 115200), clock, cfg);
  ASSERT_TRUE(link.wait_alive(2s));
  ASSERT_TRUE(link.send(drive(0.5f, 0.25f)));
  EXPECT_FALSE(sim.wait_line([](const std::string& l) {
                    return testing::field(l, "steering_us") == 1750 &&
                           testing::field(l, "throttle_us") == 1625;
                  }).empty());
  link.stop();
  EXPECT_FALSE(sim.wait_line([](const std::string& l) {
                    return testing::field(l, "armed") == 0 && testing::field(l, "seq") >= 2 &&
                           testing::field(l, "throttle_us") == 1500;
                  }).empty());
}

TEST(NativeLinkOverPty, a_new_host_session_after_kill_reconnects_over_the_same_tty) {
  testing::FwSimProcess sim;
  const std::string path = sim.slave_path();
  ASSERT_FALSE(path.empty());
  SteadyClock clock;
  {
    NativeLink first(std::make_unique<SerialTransport>(path, 115200), clock, NativeLinkConfig{});
    ASSERT_TRUE(first.wait_alive(2s));
    first.send(drive(0.0f, 0.5f));
  }
  NativeLink second(std::make_unique<SerialTransport>(path, 115200), clock, NativeLinkConfig{});
  ASSERT_TRUE(second.wait_alive(2s));
  ASSERT_TRUE(second.send(drive(-0.5f, 0.0f)));
  EXPECT_FALSE(sim.wait_line([](const std::string& l) {
                    return testing::field(l, "steering_us") == 1250;
                  }).empty());
}

}  // namespace
}  // namespace rcpilot::fw
