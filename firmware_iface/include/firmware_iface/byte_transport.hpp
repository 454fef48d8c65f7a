#pragma once
// Moves bytes to and from a motor controller; framing, CRC and timeouts live in the protocols.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace rcpilot::fw {

enum class IoStatus {
  kOk,       // `bytes` bytes moved
  kTimeout,  // nothing arrived in time, or read() was interrupted
  kClosed,   // the other end went away (USB unplugged, pty closed); reopen() may bring it back
  kError,    // any other failure; reopen() may help
};

struct IoResult {
  IoStatus status = IoStatus::kOk;
  std::size_t bytes = 0;  // bytes read or written
};

// One writer thread and one reader thread may use a transport at the same time (usually they
// are the same thread). No call throws.
class ByteTransport {
 public:
  virtual ~ByteTransport() = default;
  // Writes all `size` bytes, waiting at most a few ms for buffer space; kTimeout if it could not.
  virtual IoResult write(const std::uint8_t* data, std::size_t size) = 0;
  // Waits up to `timeout` for at least one byte and returns what is there (at most `cap`).
  virtual IoResult read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) = 0;
  // Makes a read() blocked now (or the next one) return kTimeout at once. Never blocks.
  virtual void interrupt() = 0;
  // Closes and opens the device again; true when it is open now.
  virtual bool reopen() = 0;
  virtual bool is_open() const = 0;
  virtual void close() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace rcpilot::fw
