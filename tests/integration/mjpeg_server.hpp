#pragma once
// A network camera on loopback for the node's GStreamer source: serves a multipart JPEG stream
// (what `tcpclientsrc ! multipartdemux ! jpegdec` reads) to every connection, and can stop
// sending while keeping the connections open, like a camera that hangs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rcpilot::testing {

class MjpegServer {
 public:
  // `jpeg`: the frame sent over and over, at about `fps` Hz.
  MjpegServer(std::vector<unsigned char> jpeg, double fps) : jpeg_(std::move(jpeg)), fps_(fps) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listen_fd_, 8);
    socklen_t length = sizeof(address);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~MjpegServer() {
    running_ = false;
    thread_.join();
    for (int fd : clients_) {
      if (fd >= 0) close(fd);
    }
    close(listen_fd_);
  }
  MjpegServer(const MjpegServer&) = delete;
  MjpegServer& operator=(const MjpegServer&) = delete;

  int port() const { return port_; }
  int connections() const { return connections_.load(); }
  // The connections open now stop getting frames; new ones (a re-opened camera) get them.
  void stall_open_connections() {
    std::lock_guard<std::mutex> lock(mutex_);
    stalled_below_ = clients_.size();
  }
  // No connection gets frames any more.
  void stall_all() { silent_ = true; }

 private:
  void run() {
    const auto period = std::chrono::duration<double>(1.0 / fps_);
    while (running_) {
      accept_waiting();
      if (!silent_) send_frame();
      std::this_thread::sleep_for(period);
    }
  }
  void accept_waiting() {
    pollfd p{listen_fd_, POLLIN, 0};
    while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN) != 0) {
      const int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      std::lock_guard<std::mutex> lock(mutex_);
      clients_.push_back(fd);
      connections_.fetch_add(1);
    }
  }
  void send_frame() {
    std::string part = "--ThisRandomString\r\nContent-Type: image/jpeg\r\nContent-Length: " +
                       std::to_string(jpeg_.size()) + "\r\n\r\n";
    part.append(jpeg_.begin(), jpeg_.end());
    part += "\r\n";
    std::lock_guard<std::mutex> lock(mutex_);
    for (std::size_t i = stalled_below_; i < clients_.size(); ++i) {
      if (clients_[i] < 0) continue;
      // Never blocks (a client that stopped reading would hang this thread) and never raises
      // SIGPIPE; a client that is gone or cannot take a whole part is dropped.
      const ssize_t sent = send(clients_[i], part.data(), part.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent != static_cast<ssize_t>(part.size())) {
        close(clients_[i]);
        clients_[i] = -1;
      }
    }
  }

  std::vector<unsigned char> jpeg_;
  double fps_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<int> clients_;       // guarded by mutex_; -1 once closed
  std::size_t stalled_below_ = 0;  // guarded by mutex_: clients_[0..this) get nothing
  std::atomic<bool> silent_{false};
  std::atomic<int> connections_{0};
  std::atomic<bool> running_{true};
  std::thread thread_;
};

}  // namespace rcpilot::testing
