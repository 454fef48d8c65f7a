// The links through the real serial transport (LibSerial on a pty slave) and the Asio loop:
// unplug and re-plug, shutdown while a read waits, and the MM1's flow control against a board
// that takes one line per pass.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <thread>

#include "board_thread.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "firmware_iface/mm1_link.hpp"
#include "firmware_iface/native_link.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
namespace fs = std::filesystem;

// An MM1 board on a pty: reports RC pulses while `reporting`, keeps every line the host sent.
class PtyMm1Board {
 public:
  PtyMm1Board() : thread_([this] { run(); }) {}
  ~PtyMm1Board() {
    running_ = false;
    pty_.interrupt();
    thread_.join();
  }
  const std::string& path() const { return pty_.slave_path(); }
  std::string received() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

 private:
  void run() {
    const std::string report = "1500, 1500\r\n";
    std::uint8_t buf[256];
    while (running_.load()) {
      pty_.write(reinterpret_cast<const std::uint8_t*>(report.data()), report.size());
      const IoResult r = pty_.read(buf, sizeof(buf), 5ms);
      std::lock_guard<std::mutex> lock(mutex_);
      received_.append(reinterpret_cast<const char*>(buf), r.bytes);
    }
  }

  PtyMaster pty_;
  std::mutex mutex_;
  std::string received_;
  std::atomic<bool> running_{true};
  std::thread thread_;
};

// A stable device name that can point at a new pty, as udev's /dev/serial/by-id links do.
class DeviceLink {
 public:
  DeviceLink() : dir_(fs::temp_directory_path() / ("rcpilot-tty-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
  }
  ~DeviceLink() { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "ttyRC").string(); }
  void point_at(const std::string& target) {
    fs::remove(path());
    fs::create_symlink(target, path());
  }

 private:
  fs::path dir_;
};

DriveCommand drive(float steering, float throttle) {
  DriveCommand c;
  c.steering_norm = steering;
  c.throttle_norm = throttle;
  return c;
}

TEST(SerialLink,
     a_device_unplugged_and_plugged_back_in_reconnects_with_loss_and_reconnect_counted) {
  DeviceLink device;
  auto board = std::make_unique<PtyMm1Board>();
  device.point_at(board->path());
  SteadyClock clock;
  Mm1LinkConfig cfg;
  cfg.timing.reconnect_min_ms = 20;
  cfg.timing.reconnect_max_ms = 40;
  Mm1Link link(std::make_unique<SerialTransport>(device.path(), 115200), clock, cfg);
  ASSERT_TRUE(link.wait_alive(2s));

  board.reset();  // unplugged: the pty is gone, the host's port reads end of file
  ASSERT_TRUE(eventually([&] { return !link.status().alive; }));
  EXPECT_EQ(link.status().link_losses, 1u);
  EXPECT_FALSE(link.send(drive(0.0f, 0.5f)));

  board = std::make_unique<PtyMm1Board>();  // plugged back in, under the same name
  device.point_at(board->path());
  ASSERT_TRUE(eventually([&] { return link.status().alive; }));
  EXPECT_EQ(link.status().reconnects, 1u);
  ASSERT_TRUE(link.send(drive(0.0f, 0.5f)));
  EXPECT_TRUE(
      eventually([&] { return board->received().find("1500, 1750\r") != std::string::npos; }));
}

// Stops `link` and returns how long stop() took (real time: this is the hang guard).
template <typename Link>
double stop_ms(Link& link) {
  const auto start = std::chrono::steady_clock::now();
  link.stop();
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("stop() took %.3f ms\n", ms);
  return ms;
}

TEST(SerialLink, stop_while_a_read_waits_on_a_silent_board_returns_promptly) {
  PtyMaster silent;
  SteadyClock clock;
  NativeLink link(std::make_unique<SerialTransport>(silent.slave_path(), 115200), clock,
                  NativeLinkConfig{});
  std::this_thread::sleep_for(50ms);  // the I/O thread is waiting for a reply by now
  EXPECT_LT(stop_ms(link), 1000.0);   // generous guard; the figure is printed
  EXPECT_FALSE(link.status().alive);
}

TEST(SerialLink, stop_of_a_live_mm1_link_writes_neutral_and_returns_promptly) {
  PtyMm1Board board;
  SteadyClock clock;
  Mm1Link link(std::make_unique<SerialTransport>(board.path(), 115200), clock, Mm1LinkConfig{});
  ASSERT_TRUE(link.wait_alive(2s));
  ASSERT_TRUE(link.send(drive(0.0f, 1.0f)));
  ASSERT_TRUE(
      eventually([&] { return board.received().find("1500, 2000\r") != std::string::npos; }));
  EXPECT_LT(stop_ms(link), 1000.0);
  EXPECT_TRUE(eventually([&] {
    const std::string r = board.received();
    return r.size() >= 11 && r.substr(r.size() - 11) == "1500, 1500\r";
  }));
}

}  // namespace
}  // namespace rcpilot::fw
