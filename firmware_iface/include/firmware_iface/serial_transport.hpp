#pragma once
// A serial device opened and configured through LibSerial (libserial-dev): raw 8N1, the given
// baud rate, no flow control, DTR and RTS asserted, buffers flushed on open. The link reads and
// writes LibSerial's descriptor through Boost.Asio (see docs/protocol.md for why).
#include <libserial/SerialPort.h>

#include <memory>
#include <string>

#include "firmware_iface/byte_transport.hpp"

namespace rcpilot::fw {

class SerialTransport final : public ByteTransport {
 public:
  // Opens `device` at `baud` (9600..921600). Throws std::runtime_error with open_error()'s
  // message when it cannot.
  SerialTransport(std::string device, int baud);
  ~SerialTransport() override;

  boost::system::error_code open() override;
  std::string open_error() const override { return open_error_; }
  int native_handle() const override;
  std::size_t read_some(std::uint8_t* buf, std::size_t cap, boost::system::error_code& ec) override;
  std::size_t write_some(const std::uint8_t* data, std::size_t size,
                         boost::system::error_code& ec) override;
  void close() override;
  std::string describe() const override;

 private:
  boost::system::error_code configure();

  std::string device_;
  int baud_;
  std::unique_ptr<LibSerial::SerialPort> port_;  // null while closed
  std::string open_error_;
};

// Why `device` cannot be opened, for an errno from opening it: names the device and what to do
// (ENOENT: unplugged or wrong name; EACCES: the dialout group; EBUSY: which process holds it).
std::string serial_open_advice(const std::string& device, int error);
// Processes (pid and name) that hold `device` open, from /proc/*/fd; empty when none is
// visible (other users' processes are hidden from a normal user).
std::string processes_holding(const std::string& device);

}  // namespace rcpilot::fw
