#include "firmware_iface/memory_transport.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>

namespace rcpilot::fw {

using boost::system::error_code;

struct MemoryTransport::Shared {
  std::mutex mutex;
  MemoryBoardEnd* board = nullptr;  // the board's end while it exists
  int host_fd = -1;                 // the host's socket, -1 while closed
  int board_fd = -1;                // the board's socket (owned by MemoryBoardEnd)
  bool reopen_allowed = true;
  std::atomic<bool> drop_host_writes{false};
};

MemoryTransport::MemoryTransport(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

MemoryTransport::~MemoryTransport() { close(); }

error_code MemoryTransport::open() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  if (!shared_->reopen_allowed)
    return boost::system::errc::make_error_code(boost::system::errc::no_such_device);
  if (shared_->host_fd >= 0) ::close(shared_->host_fd);
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
    return error_code(errno, boost::system::system_category());
  }
  shared_->host_fd = fds[0];
  shared_->board_fd = fds[1];
  if (shared_->board) shared_->board->reconnect(fds[1]);
  return {};
}

std::string MemoryTransport::open_error() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->reopen_allowed ? "" : "memory transport: the device is gone";
}

int MemoryTransport::native_handle() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->host_fd;
}

std::size_t MemoryTransport::read_some(std::uint8_t* buf, std::size_t cap, error_code& ec) {
  return fd_read_some(native_handle(), buf, cap, ec);
}

std::size_t MemoryTransport::write_some(const std::uint8_t* data, std::size_t size,
                                        error_code& ec) {
  ec.clear();
  if (shared_->drop_host_writes.load()) return size;
  const ssize_t n = ::send(native_handle(), data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n >= 0) return static_cast<std::size_t>(n);
  ec = error_code(errno, boost::system::system_category());
  return 0;
}

void MemoryTransport::close() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  if (shared_->host_fd >= 0) ::close(shared_->host_fd);
  shared_->host_fd = -1;
}

void MemoryTransport::drop_writes(bool drop) { shared_->drop_host_writes = drop; }

void MemoryTransport::disconnect() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  if (shared_->board_fd >= 0) ::shutdown(shared_->board_fd, SHUT_RDWR);
}

void MemoryTransport::allow_reopen(bool allow) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->reopen_allowed = allow;
}

MemoryBoardEnd::MemoryBoardEnd(std::shared_ptr<MemoryTransport::Shared> shared)
    : shared_(std::move(shared)) {}

MemoryBoardEnd::~MemoryBoardEnd() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->board = nullptr;
  shared_->board_fd = -1;  // BoardEnd's destructor closes it
}

long MemoryBoardEnd::raw_write(int fd, const std::uint8_t* data, std::size_t size) {
  return ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
}

std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryBoardEnd>> make_memory_pair() {
  auto shared = std::make_shared<MemoryTransport::Shared>();
  auto host = std::make_unique<MemoryTransport>(shared);
  auto board = std::make_unique<MemoryBoardEnd>(shared);
  shared->board = board.get();
  if (host->open()) throw std::runtime_error("cannot create a socket pair");
  return {std::move(host), std::move(board)};
}

}  // namespace rcpilot::fw
