#pragma once
// Two connected in-memory transports for tests, with faults on demand.
#include <memory>
#include <utility>

#include "firmware_iface/byte_transport.hpp"

namespace rcpilot::fw {

class MemoryTransport final : public ByteTransport {
 public:
  struct Shared;
  MemoryTransport(std::shared_ptr<Shared> shared, int side);
  ~MemoryTransport() override;

  IoResult write(const std::uint8_t* data, std::size_t size) override;
  IoResult read(std::uint8_t* buf, std::size_t cap, std::chrono::milliseconds timeout) override;
  void interrupt() override;
  bool reopen() override;  // reconnects both ends after disconnect()
  bool is_open() const override;
  void close() override;   // same as disconnect()
  std::string describe() const override { return "memory transport"; }

  // Faults: writes from this end vanish (the link looks dead) while true.
  void drop_writes(bool drop);
  // Both ends report kClosed (once bytes already written are read) until reopen().
  void disconnect();
  // Blocks this end's reopen() until allowed (simulates a device that is gone).
  void allow_reopen(bool allow);

 private:
  std::shared_ptr<Shared> shared_;
  int side_;
};

// Two ends wired to each other: bytes written to one are read from the other.
std::pair<std::unique_ptr<MemoryTransport>, std::unique_ptr<MemoryTransport>> make_memory_pair();

}  // namespace rcpilot::fw
