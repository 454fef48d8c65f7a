#pragma once
// The host's side of a byte stream to a motor controller. The transport opens the device and
// moves bytes without ever waiting; the link's Boost.Asio loop (StreamLink) waits for the
// descriptor to become readable and owns every deadline. Framing, CRC and timeouts live in the
// protocols; errors are boost::system::error_code values.
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

namespace rcpilot::fw {

// Used by one thread at a time (the link's I/O thread); no call throws.
class ByteTransport {
 public:
  virtual ~ByteTransport() = default;
  // Opens the device (again, after close() or a loss); empty on success. The error's message
  // is what open_error() describes.
  virtual boost::system::error_code open() = 0;
  // Why the last open() failed, naming the device and what to do; empty after a success.
  virtual std::string open_error() const = 0;
  // The open device's non-blocking file descriptor, owned by the transport; -1 when closed.
  virtual int native_handle() const = 0;
  // Reads what has arrived, at most `cap` bytes, without waiting: would_block when nothing has,
  // eof or another error when the device went away.
  virtual std::size_t read_some(std::uint8_t* buf, std::size_t cap,
                                boost::system::error_code& ec) = 0;
  // Writes what fits now, without waiting: would_block when nothing fits.
  virtual std::size_t write_some(const std::uint8_t* data, std::size_t size,
                                 boost::system::error_code& ec) = 0;
  virtual void close() = 0;
  virtual std::string describe() const = 0;
};

// read_some/write_some on a non-blocking descriptor, errno as an error_code (EIO, how a pty or
// an unplugged USB adapter reports the hang-up, becomes eof, like a read of 0 bytes).
std::size_t fd_read_some(int fd, std::uint8_t* buf, std::size_t cap, boost::system::error_code& ec);
std::size_t fd_write_some(int fd, const std::uint8_t* data, std::size_t size,
                          boost::system::error_code& ec);

}  // namespace rcpilot::fw
