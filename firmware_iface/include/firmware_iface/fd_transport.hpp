#pragma once
// POSIX file-descriptor transports: a serial port (termios) and a pseudo-terminal master.
// termios rather than libserial: it needs no extra dependency, gives non-blocking writes and a
// poll()-based read that a pipe can interrupt, and reports an unplugged USB adapter as HUP/EIO.
#include <atomic>
#include <string>

#include "firmware_iface/byte_transport.hpp"

namespace rcpilot::fw {

// Common poll()/read()/write() logic over one fd plus a self-pipe that interrupt() writes to.
class FdTransport : public ByteTransport {
 public:
  ~FdTransport() override;
  FdTransport(const FdTransport&) = delete;
  FdTransport& operator=(const FdTransport&) = delete;

  IoResult write(const std::uint8_t* data, std::size_t size) override;
  IoResult read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override;
  void interrupt() override;
  bool is_open() const override { return fd_.load() >= 0; }
  void close() override;

 protected:
  FdTransport();
  // Takes ownership of `fd` (non-blocking, raw); closes any previous one.
  void adopt(int fd);

 private:
  std::atomic<int> fd_{-1};
  int wake_[2] = {-1, -1};
};

// A serial device (or a pty slave): raw 8N1, no flow control.
class SerialTransport final : public FdTransport {
 public:
  // Opens `device` at `baud` (9600..921600). Throws std::runtime_error naming the device and
  // what to check when it cannot be opened.
  SerialTransport(std::string device, int baud);
  bool reopen() override;
  std::string describe() const override;

 private:
  bool open_device(std::string* error);
  std::string device_;
  int baud_;
};

// The master side of a pseudo-terminal pair; the slave path is what a host (or the firmware
// simulator's client) opens as its serial port.
class PtyMaster final : public FdTransport {
 public:
  // Creates the pair (posix_openpt). Keeps the slave open itself so the master never sees a
  // hang-up when a client closes and re-opens the slave. Throws std::runtime_error on failure.
  PtyMaster();
  ~PtyMaster() override;
  const std::string& slave_path() const { return slave_path_; }
  bool reopen() override { return is_open(); }
  std::string describe() const override { return "pty master for " + slave_path_; }

 private:
  std::string slave_path_;
  int slave_fd_ = -1;
};

}  // namespace rcpilot::fw
