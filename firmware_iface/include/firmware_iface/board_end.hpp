#pragma once
// The board's side of a connection, for the firmware simulator, tests and benchmarks: a
// pseudo-terminal master (whose slave the host opens as its serial port) and the board end of a
// MemoryTransport pair. A firmware loop polls it with a timeout; the host side never uses it.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace rcpilot::fw {

enum class IoStatus {
  kOk,       // `bytes` bytes moved
  kTimeout,  // nothing arrived in time, or read() was interrupted
  kClosed,   // the other end went away
  kError,    // any other failure
};

struct IoResult {
  IoStatus status = IoStatus::kOk;
  std::size_t bytes = 0;  // bytes read or written
};

// poll()/read()/write() over one descriptor plus a self-pipe that interrupt() writes to.
class BoardEnd {
 public:
  virtual ~BoardEnd();
  BoardEnd(const BoardEnd&) = delete;
  BoardEnd& operator=(const BoardEnd&) = delete;

  // Writes all `size` bytes, waiting at most 20 ms for buffer space.
  virtual IoResult write(const std::uint8_t* data, std::size_t size);
  // Waits up to `timeout` for at least one byte and returns what is there (at most `cap`).
  virtual IoResult read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout);
  // Makes a read() waiting now (or the next one) return kTimeout at once. Never blocks.
  void interrupt();
  bool is_open() const { return fd_.load() >= 0; }

 protected:
  BoardEnd();
  // Takes ownership of `fd` (non-blocking); closes any previous one and wakes a waiting read.
  void adopt(int fd);
  int fd() const { return fd_.load(); }
  // One write(2); a socket's end overrides it to send without SIGPIPE.
  virtual long raw_write(int fd, const std::uint8_t* data, std::size_t size);

 private:
  std::atomic<int> fd_{-1};
  int wake_[2] = {-1, -1};
};

// The master side of a pseudo-terminal pair, raw (termios here is the board's side).
class PtyMaster final : public BoardEnd {
 public:
  // Creates the pair (posix_openpt). Keeps the slave open itself so the master never sees a
  // hang-up when a client closes and re-opens the slave. Throws std::runtime_error on failure.
  PtyMaster();
  ~PtyMaster() override;
  // What the host opens as its serial device.
  const std::string& slave_path() const { return slave_path_; }
  std::string describe() const { return "pty master for " + slave_path_; }

 private:
  std::string slave_path_;
  int slave_fd_ = -1;
};

}  // namespace rcpilot::fw
