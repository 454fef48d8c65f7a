#pragma once
// A connected pair for tests: the host's ByteTransport and the board's end of a Unix stream
// socket pair, with faults on demand. The link drives it exactly like a serial port (its Asio
// loop waits on the descriptor).
#include <memory>
#include <utility>

#include "firmware_iface/board_end.hpp"
#include "firmware_iface/byte_transport.hpp"

namespace rcpilot::fw {

class MemoryBoardEnd;

class MemoryTransport final : public ByteTransport {
 public:
  struct Shared;
  explicit MemoryTransport(std::shared_ptr<Shared> shared);
  ~MemoryTransport() override;

  // Re-connects both ends after disconnect(), unless allow_reopen(false).
  boost::system::error_code open() override;
  std::string open_error() const override;
  int native_handle() const override;
  std::size_t read_some(std::uint8_t* buf, std::size_t cap, boost::system::error_code& ec) override;
  std::size_t write_some(const std::uint8_t* data, std::size_t size,
                         boost::system::error_code& ec) override;
  void close() override;
  std::string describe() const override { return "memory transport"; }

  // Faults: bytes this end writes vanish (the link looks dead) while true.
  void drop_writes(bool drop);
  // The device goes away: both ends read what was already sent, then end of file; writes fail.
  void disconnect();
  // While false, open() fails as for a device that is gone.
  void allow_reopen(bool allow);

 private:
  std::shared_ptr<Shared> shared_;
};

// The board's end: BoardEnd's polling read and write, following re-connects.
class MemoryBoardEnd final : public BoardEnd {
 public:
  explicit MemoryBoardEnd(std::shared_ptr<MemoryTransport::Shared> shared);
  ~MemoryBoardEnd() override;
  // Called by the host end when it (re)connects: `fd` is this end's new socket.
  void reconnect(int fd) { adopt(fd); }

 private:
  long raw_write(int fd, const std::uint8_t* data, std::size_t size) override;
  std::shared_ptr<MemoryTransport::Shared> shared_;
};

// Two ends wired to each other, connected: the host's transport and the board's end.
std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryBoardEnd>> make_memory_pair();

}  // namespace rcpilot::fw
