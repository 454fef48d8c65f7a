#include "firmware_iface/byte_transport.hpp"

#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>

namespace rcpilot::fw {

namespace {

boost::system::error_code from_errno(int e) {
  if (e == EAGAIN || e == EWOULDBLOCK) return boost::asio::error::would_block;
  // A pty whose other side closed, or an unplugged USB adapter, reports EIO: the device is gone.
  if (e == EIO || e == ENXIO || e == ENODEV) return boost::asio::error::eof;
  return {e, boost::system::system_category()};
}

}  // namespace

std::size_t fd_read_some(int fd, std::uint8_t* buf, std::size_t cap,
                         boost::system::error_code& ec) {
  ec.clear();
  const ssize_t n = ::read(fd, buf, cap);
  if (n > 0) return static_cast<std::size_t>(n);
  ec = n == 0 ? boost::system::error_code(boost::asio::error::eof) : from_errno(errno);
  return 0;
}

std::size_t fd_write_some(int fd, const std::uint8_t* data, std::size_t size,
                          boost::system::error_code& ec) {
  ec.clear();
  const ssize_t n = ::write(fd, data, size);
  if (n >= 0) return static_cast<std::size_t>(n);
  ec = from_errno(errno);
  return 0;
}

}  // namespace rcpilot::fw
