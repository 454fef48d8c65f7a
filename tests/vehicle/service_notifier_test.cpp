#include "vehicle/service_notifier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;

// A real unix datagram socket standing in for systemd's NOTIFY_SOCKET.
class FakeSystemd {
 public:
  explicit FakeSystemd(int watchdog_ms) {
    path_ = "/tmp/rcpilot-notify-" + std::to_string(getpid()) + ".sock";
    unlink(path_.c_str());
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path_.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    timeval tv{0, 20000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    setenv("WATCHDOG_USEC", std::to_string(watchdog_ms * 1000).c_str(), 1);
    setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  }
  ~FakeSystemd() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(fd_);
    unlink(path_.c_str());
  }
  // Every datagram received within `window`.
  std::vector<std::string> receive_for(milliseconds window) {
    std::vector<std::string> out;
    const auto until = std::chrono::steady_clock::now() + window;
    char buf[512];
    while (std::chrono::steady_clock::now() < until) {
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) out.emplace_back(buf, static_cast<std::size_t>(n));
    }
    return out;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

int count(const std::vector<std::string>& msgs, const std::string& what) {
  int n = 0;
  for (const auto& m : msgs) n += m.find(what) != std::string::npos ? 1 : 0;
  return n;
}

TEST(ServiceNotifier, ready_reaches_the_notify_socket) {
  FakeSystemd systemd(400);
  ServiceNotifier notifier;
  notifier.ready("driving");
  const auto msgs = systemd.receive_for(milliseconds(100));
  EXPECT_EQ(count(msgs, "READY=1"), 1);
  EXPECT_EQ(count(msgs, "STATUS=driving"), 1);
}

TEST(ServiceNotifier, watchdog_is_fed_while_the_heartbeat_advances_and_starves_when_it_stalls) {
  FakeSystemd systemd(400);  // WatchdogSec=0.4 s: checked every 100 ms
  ServiceNotifier notifier;
  ASSERT_TRUE(notifier.watchdog_enabled());
  std::atomic<std::uint64_t> heartbeat{0};
  std::atomic<bool> beating{true};
  std::thread loop([&] {
    while (beating) {
      ++heartbeat;
      std::this_thread::sleep_for(milliseconds(5));
    }
  });
  notifier.start_watchdog([&] { return heartbeat.load(); });
  const auto alive = systemd.receive_for(milliseconds(600));
  beating = false;  // the loop stalls
  loop.join();
  systemd.receive_for(milliseconds(150));  // a feed already decided may still arrive
  const auto stalled = systemd.receive_for(milliseconds(600));
  notifier.stopping();
  EXPECT_GE(count(alive, "WATCHDOG=1"), 3) << "fed at a quarter of WatchdogSec";
  EXPECT_EQ(count(stalled, "WATCHDOG=1"), 0) << "a stalled loop must starve the watchdog";
}

TEST(ServiceNotifier, without_systemd_nothing_happens) {
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
  ServiceNotifier notifier;
  EXPECT_FALSE(notifier.watchdog_enabled());
  notifier.ready("ok");
  notifier.start_watchdog([] { return std::uint64_t{0}; });
  notifier.stopping();
}

}  // namespace
}  // namespace rcpilot::vehicle
