#include "firmware_iface/board_end.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rcpilot::fw {

namespace {

// How long write() waits for the kernel buffer before giving up.
constexpr int kWriteWaitMs = 20;

// The board's side of a pty is configured here; the host's serial port is LibSerial's job.
bool make_raw(int fd) {
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) return false;
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  return tcsetattr(fd, TCSANOW, &tio) == 0;
}

}  // namespace

BoardEnd::BoardEnd() {
  if (pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create wake pipe: ") + std::strerror(errno));
  }
}

BoardEnd::~BoardEnd() {
  adopt(-1);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void BoardEnd::adopt(int fd) {
  const int old = fd_.exchange(fd);
  if (old >= 0) ::close(old);
  interrupt();
}

IoResult BoardEnd::write(const std::uint8_t* data, std::size_t size) {
  const int fd = fd_.load();
  if (fd < 0) return {IoStatus::kClosed, 0};
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = raw_write(fd, data + done, size - done);
    if (n > 0) {
      done += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      return {errno == EIO || errno == ENXIO ? IoStatus::kClosed : IoStatus::kError, done};
    }
    pollfd p{fd, POLLOUT, 0};
    if (poll(&p, 1, kWriteWaitMs) <= 0) return {IoStatus::kTimeout, done};
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return {IoStatus::kClosed, done};
  }
  return {IoStatus::kOk, done};
}

IoResult BoardEnd::read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) {
  const int fd = fd_.load();
  if (fd < 0) return {IoStatus::kClosed, 0};
  pollfd p[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  const int r = poll(p, 2, static_cast<int>(timeout.count()));
  if (r < 0) return {errno == EINTR ? IoStatus::kTimeout : IoStatus::kError, 0};
  if (p[1].revents & POLLIN) {
    std::uint8_t drain[64];
    while (::read(wake_[0], drain, sizeof(drain)) > 0) {
    }
  }
  if (p[0].revents & POLLIN) {
    const ssize_t n = ::read(fd, buf, cap);
    if (n > 0) return {IoStatus::kOk, static_cast<std::size_t>(n)};
    if (n == 0) return {IoStatus::kClosed, 0};
    if (errno == EAGAIN || errno == EINTR) return {IoStatus::kTimeout, 0};
    return {errno == EIO || errno == ENXIO ? IoStatus::kClosed : IoStatus::kError, 0};
  }
  if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL)) return {IoStatus::kClosed, 0};
  return {IoStatus::kTimeout, 0};
}

long BoardEnd::raw_write(int fd, const std::uint8_t* data, std::size_t size) {
  return ::write(fd, data, size);
}

void BoardEnd::interrupt() {
  const std::uint8_t b = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], &b, 1);  // full pipe: already pending
}

PtyMaster::PtyMaster() {
  const int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot create a pseudo-terminal: " + why);
  }
  char name[128];
  if (ptsname_r(fd, name, sizeof(name)) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot name the pseudo-terminal slave");
  }
  slave_path_ = name;
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  slave_fd_ = ::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave_fd_ < 0 || !make_raw(slave_fd_) || !make_raw(fd)) {
    ::close(fd);
    throw std::runtime_error("cannot configure pseudo-terminal " + slave_path_);
  }
  adopt(fd);
}

PtyMaster::~PtyMaster() {
  if (slave_fd_ >= 0) ::close(slave_fd_);
}

}  // namespace rcpilot::fw
