#pragma once
// A real unix datagram socket standing in for systemd's NOTIFY_SOCKET, for tests of the
// service notifications (in-process and through the real rcpilot binary).
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace rcpilot::testing {

using std::chrono::milliseconds;

// Binds the socket and exports NOTIFY_SOCKET and WATCHDOG_USEC; WATCHDOG_PID names this process
// unless `for_children` (then any process started from here may feed the watchdog).
class FakeSystemd {
 public:
  explicit FakeSystemd(int watchdog_ms, bool for_children = false) {
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
    if (for_children) {
      unsetenv("WATCHDOG_PID");
    } else {
      setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
    }
  }
  ~FakeSystemd() {
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    close(fd_);
    unlink(path_.c_str());
  }
  // Datagrams up to and including the first that contains `what`, or all received within
  // `give_up` when none does (a hang guard, not a timing assertion).
  std::vector<std::string> receive_until(const std::string& what, milliseconds give_up) {
    std::vector<std::string> out;
    const auto until = std::chrono::steady_clock::now() + give_up;
    char buf[512];
    while (std::chrono::steady_clock::now() < until) {
      const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) continue;
      out.emplace_back(buf, static_cast<std::size_t>(n));
      if (out.back().find(what) != std::string::npos) break;
    }
    return out;
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

inline int count(const std::vector<std::string>& msgs, const std::string& what) {
  int n = 0;
  for (const auto& m : msgs) n += m.find(what) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace rcpilot::testing
