// The real rcpilot-motor bench tool against the reference firmware (rcpilot-fw-sim, driver
// native over a real pty): scripted nudges reach the firmware's outputs within --max-throttle,
// every way out leaves the board neutral and disarmed, and the interactive mode works from a
// terminal (the held-key dead-man, q, SIGTERM) and gives the terminal back as it found it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <mutex>
#include <thread>

#include "../firmware_iface/fw_sim_process.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "process.hpp"

namespace rcpilot::testing {
namespace {

using fw::testing::field;
using std::chrono::seconds;

const std::string kMotor = RCPILOT_BINARY_DIR "/bin/rcpilot-motor";

std::vector<std::string> native_on(const std::string& device, std::vector<std::string> rest) {
  std::vector<std::string> args = {"--set", "motor.driver=native", "--set",
                                   "motor.device=" + device};
  args.insert(args.end(), rest.begin(), rest.end());
  return args;
}

// A firmware line after the session started (seq > 0) with outputs at neutral and disarmed.
bool disarmed_neutral(const std::string& l) {
  return field(l, "armed") == 0 && field(l, "seq") > 0 && field(l, "throttle_us") == 1500 &&
         field(l, "steering_us") == 1500;
}

// The largest throttle pulse among the board's trace lines so far.
long max_throttle_us(fw::testing::FwSimProcess& board) {
  long most = 0;
  board.wait_line(
      [&](const std::string& l) {
        most = std::max(most, field(l, "throttle_us"));
        return false;
      },
      std::chrono::milliseconds(100));
  return most;
}

// rcpilot-motor on a pseudo-terminal as stdin/stdout, like a user at a keyboard. Keeps the
// slave open so the terminal's settings can be read after the tool exited.
class TerminalProcess {
 public:
  explicit TerminalProcess(const std::vector<std::string>& args) {
    if (openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) return;
    std::vector<std::string> argv_s = {kMotor};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    for (int fd : {0, 1, 2}) posix_spawn_file_actions_adddup2(&fa, slave_, fd);
    posix_spawn_file_actions_addclose(&fa, master_);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
    reader_ = std::thread([this] { drain(); });
  }
  ~TerminalProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    stop_ = true;
    if (reader_.joinable()) reader_.join();
    ::close(master_);
    ::close(slave_);
  }
  bool started() const { return pid_ > 0; }
  void type(const std::string& keys) { (void)!::write(master_, keys.data(), keys.size()); }
  void signal(int sig) { ::kill(pid_, sig); }
  // Exit code, or -1 when it did not exit within `timeout`.
  int wait(std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > until) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  termios settings() const {
    termios t{};
    tcgetattr(slave_, &t);
    return t;
  }
  std::string output() {
    std::lock_guard<std::mutex> lock(mutex_);
    return output_;
  }

 private:
  // Reads what the tool prints so it never blocks on a full terminal buffer.
  void drain() {
    char buf[1024];
    while (!stop_) {
      pollfd p{master_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const ssize_t n = ::read(master_, buf, sizeof(buf));
      if (n <= 0) continue;
      std::lock_guard<std::mutex> lock(mutex_);
      output_.append(buf, static_cast<std::size_t>(n));
    }
  }

  int master_ = -1;
  int slave_ = -1;
  pid_t pid_ = -1;
  std::thread reader_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string output_;
};

TEST(MotorTool, a_nudge_reaches_the_firmware_and_the_board_ends_neutral_and_disarmed) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  const auto [code, out] =
      run(kMotor, native_on(path, {"nudge", "--throttle", "0.15", "--for", "0.5"}), 60);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("nudge: throttle +0.15 (1575 us)"), std::string::npos) << out;
  const std::string nudged = board.wait_line([](const std::string& l) {
    return field(l, "armed") == 1 && field(l, "throttle_us") == 1575 && field(l, "seq") > 0;
  });
  EXPECT_FALSE(nudged.empty()) << "the nudge never reached the firmware's ESC output\n" << out;
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << out;
  EXPECT_LE(max_throttle_us(board), 1575);
}

TEST(MotorTool, max_throttle_caps_what_the_firmware_outputs) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  const auto [code, out] = run(
      kMotor,
      native_on(path, {"--max-throttle", "0.1", "nudge", "--throttle", "0.8", "--for", "0.3"}),
      60);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("capped"), std::string::npos) << out;
  EXPECT_FALSE(board.wait_line([](const std::string& l) {
                      return field(l, "throttle_us") == 1550;
                    }).empty())
      << out;
  EXPECT_EQ(max_throttle_us(board), 1550) << out;
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << out;
}

TEST(MotorTool, sweep_prints_each_steering_point_with_its_pulse_and_the_firmware_follows) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  const auto [code, out] = run(
      kMotor,
      native_on(path, {"--set", "motor.steering_min_us=1100", "sweep", "--amplitude", "1",
                       "--step", "0.5", "--dwell", "0.1"}),
      60);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("sweep 1/6: steering -1.00 -> 1100 us"), std::string::npos) << out;
  EXPECT_NE(out.find("sweep 2/6: steering -0.50 -> 1300 us"), std::string::npos) << out;
  EXPECT_NE(out.find("sweep 5/6: steering +1.00 -> 2000 us"), std::string::npos) << out;
  EXPECT_FALSE(board.wait_line([](const std::string& l) {
                      return field(l, "steering_us") == 1100;
                    }).empty())
      << out;
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << out;
}

TEST(MotorTool, status_reports_the_board_and_sigterm_during_neutral_disarms_and_exits_0) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  const auto [code, out] = run(kMotor, native_on(path, {"status", "--for", "0.3"}), 60);
  ASSERT_EQ(code, 0) << out;
  EXPECT_NE(out.find("firmware: protocol 1"), std::string::npos) << out;
  EXPECT_NE(out.find("board: armed"), std::string::npos) << out;

  const std::size_t from = board.line_count();
  Process tool(kMotor, native_on(path, {"neutral"}));
  ASSERT_FALSE(board.wait_line([](const std::string& l) { return field(l, "armed") == 1; },
                               seconds(10), from)
                   .empty())
      << tool.output();
  tool.signal(SIGTERM);
  EXPECT_EQ(tool.wait(10), 0) << tool.output();
  EXPECT_FALSE(board.wait_line(disarmed_neutral, seconds(5), from).empty()) << tool.output();
}

TEST(MotorTool, interactive_keys_nudge_until_the_key_stops_repeating_and_q_disarms) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  TerminalProcess tool(native_on(path, {"interactive"}));
  ASSERT_TRUE(tool.started());
  ASSERT_FALSE(board.wait_line([](const std::string& l) { return field(l, "armed") == 1; },
                               seconds(10))
                   .empty())
      << tool.output();
  tool.type("d");  // steer right by one step: 1550 us
  ASSERT_FALSE(board.wait_line([](const std::string& l) {
                      return field(l, "steering_us") == 1550;
                    }).empty())
      << tool.output();
  const std::size_t from = board.line_count();
  tool.type("w");  // one press, no repeats: the nudge ends by itself
  ASSERT_FALSE(board.wait_line(
                        [](const std::string& l) {
                          return field(l, "throttle_us") == 1575 &&
                                 field(l, "steering_us") == 1550;
                        },
                        seconds(5), from)
                   .empty())
      << tool.output();
  const std::string stopped = board.wait_line(
      [](const std::string& l) {
        return field(l, "armed") == 1 && field(l, "failsafe") == 0 &&
               field(l, "throttle_us") == 1500 && field(l, "steering_us") == 1550;
      },
      seconds(5), from);
  EXPECT_FALSE(stopped.empty()) << "the dead-man never stopped the throttle\n" << tool.output();
  tool.type("q");
  EXPECT_EQ(tool.wait(seconds(10)), 0) << tool.output();
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << tool.output();
  const termios t = tool.settings();
  EXPECT_TRUE(t.c_lflag & ICANON) << "the terminal was left raw";
  EXPECT_TRUE(t.c_lflag & ECHO) << "the terminal was left without echo";
}

TEST(MotorTool, sigterm_in_interactive_mode_disarms_and_restores_the_terminal) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  TerminalProcess tool(native_on(path, {}));  // no subcommand: interactive
  ASSERT_TRUE(tool.started());
  ASSERT_FALSE(board.wait_line([](const std::string& l) { return field(l, "armed") == 1; },
                               seconds(10))
                   .empty())
      << tool.output();
  tool.type("w");
  ASSERT_FALSE(board.wait_line([](const std::string& l) {
                      return field(l, "throttle_us") == 1575;
                    }).empty())
      << tool.output();
  tool.signal(SIGTERM);
  EXPECT_EQ(tool.wait(seconds(10)), 0) << tool.output();
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << tool.output();
  EXPECT_TRUE(tool.settings().c_lflag & ICANON) << "the terminal was left raw";
}

TEST(MotorTool, config_errors_exit_2_and_a_silent_board_exits_3_naming_motor_device) {
  const auto [bad_key, out1] = run(kMotor, {"--set", "motor.driver=bogus", "status"}, 30);
  EXPECT_EQ(bad_key, 2) << out1;
  EXPECT_NE(out1.find("motor.driver"), std::string::npos) << out1;
  const auto [bad_limits, out2] = run(kMotor, {"--set", "motor.steering_center_us=900"}, 30);
  EXPECT_EQ(bad_limits, 2) << out2;
  const auto [bad_option, out3] = run(kMotor, {"--max-throttle", "2", "status"}, 30);
  EXPECT_EQ(bad_option, 2) << out3;

  fw::PtyMaster silent_board;  // opens fine, never answers
  const auto [code, out] = run(kMotor, native_on(silent_board.slave_path(), {"status"}), 30);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("motor.device " + silent_board.slave_path()), std::string::npos) << out;
}

TEST(MotorTool, neutral_once_writes_neutral_disarms_and_exits_without_a_terminal) {
  fw::testing::FwSimProcess board;
  const std::string path = board.slave_path();
  ASSERT_FALSE(path.empty());
  const auto [code, out] = run(kMotor, native_on(path, {"neutral", "--once"}), 30);
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("neutral written, link stopped"), std::string::npos) << out;
  EXPECT_FALSE(board.wait_line(disarmed_neutral).empty()) << out;

  const auto [sim_code, sim_out] = run(kMotor, {"neutral", "--once"}, 30);
  EXPECT_EQ(sim_code, 0) << sim_out;
  EXPECT_NE(sim_out.find("no board"), std::string::npos) << sim_out;
}

TEST(MotorTool, neutral_once_on_a_missing_i2c_bus_exits_3_saying_what_to_do) {
  const auto [code, out] = run(kMotor,
                               {"--set", "motor.driver=pca9685", "--set", "motor.i2c_bus=250",
                                "neutral", "--once"},
                               30);
  EXPECT_EQ(code, 3) << out;
  EXPECT_NE(out.find("/dev/i2c-250 address 0x40"), std::string::npos) << out;
  EXPECT_NE(out.find("motor.i2c_bus"), std::string::npos) << out;
}

}  // namespace
}  // namespace rcpilot::testing
