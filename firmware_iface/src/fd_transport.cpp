#include "firmware_iface/fd_transport.hpp"

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

speed_t baud_constant(int baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    default: return B0;
  }
}

bool make_raw(int fd, speed_t speed) {
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) return false;
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | PARENB | CRTSCTS);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  if (speed != B0) {
    cfsetispeed(&tio, speed);
    cfsetospeed(&tio, speed);
  }
  return tcsetattr(fd, TCSANOW, &tio) == 0;
}

}  // namespace

FdTransport::FdTransport() {
  if (pipe2(wake_, O_NONBLOCK | O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("cannot create wake pipe: ") + std::strerror(errno));
  }
}

FdTransport::~FdTransport() {
  close();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void FdTransport::adopt(int fd) {
  const int old = fd_.exchange(fd);
  if (old >= 0) ::close(old);
}

void FdTransport::close() {
  const int old = fd_.exchange(-1);
  if (old >= 0) ::close(old);
  interrupt();
}

IoResult FdTransport::write(const std::uint8_t* data, std::size_t size) {
  const int fd = fd_.load();
  if (fd < 0) return {IoStatus::kClosed, 0};
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
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

IoResult FdTransport::read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) {
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

void FdTransport::interrupt() {
  const std::uint8_t b = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], &b, 1);  // full pipe: already pending
}

SerialTransport::SerialTransport(std::string device, int baud)
    : device_(std::move(device)), baud_(baud) {
  if (baud_constant(baud_) == B0) {
    throw std::runtime_error("serial baud " + std::to_string(baud_) + " for " + device_ +
                             " is not supported; use 9600..921600");
  }
  std::string error;
  if (!open_device(&error)) throw std::runtime_error(error);
}

bool SerialTransport::open_device(std::string* error) {
  const int fd = ::open(device_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open serial device " + device_ + ": " + std::strerror(errno) +
             " (is the board plugged in, and is the user in the dialout group?)";
    return false;
  }
  if (!make_raw(fd, baud_constant(baud_))) {
    *error = "cannot configure serial device " + device_ + ": " + std::strerror(errno);
    ::close(fd);
    return false;
  }
  tcflush(fd, TCIOFLUSH);
  adopt(fd);
  return true;
}

bool SerialTransport::reopen() {
  close();
  std::string error;
  return open_device(&error);
}

std::string SerialTransport::describe() const {
  return "serial " + device_ + " at " + std::to_string(baud_) + " baud";
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
  if (slave_fd_ < 0 || !make_raw(slave_fd_, B0) || !make_raw(fd, B0)) {
    ::close(fd);
    throw std::runtime_error("cannot configure pseudo-terminal " + slave_path_);
  }
  adopt(fd);
}

PtyMaster::~PtyMaster() {
  if (slave_fd_ >= 0) ::close(slave_fd_);
}

}  // namespace rcpilot::fw
