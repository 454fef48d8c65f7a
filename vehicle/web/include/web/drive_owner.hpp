#pragma once
// Which browser holds the drive controls. One at a time: the others watch (and may still
// e-stop). The holder keeps them until it releases them or its socket closes; a holder that sent
// nothing for `stale_after` (a frozen tab) can be taken over. Time is passed in.
#include <cstdint>
#include <optional>
#include <string>

#include "common/clock.hpp"

namespace rcpilot::web {

struct Holder {
  std::uint64_t client = 0;  // the server's id of the browser's socket
  std::string name;          // what the browser calls itself (shown to the others)
  TimePoint last_seen{};     // last message from it
};

class DriveOwner {
 public:
  explicit DriveOwner(Duration stale_after = std::chrono::seconds(3)) : stale_after_(stale_after) {}

  // True when `client` holds the controls afterwards: they were free, already its, or the
  // holder has been silent for stale_after.
  bool claim(std::uint64_t client, const std::string& name, TimePoint now);
  // Gives the controls up; true when `client` held them.
  bool release(std::uint64_t client);
  // Notes a message from `client` (keeps a holder from going stale).
  void seen(std::uint64_t client, TimePoint now);
  bool holds(std::uint64_t client) const { return holder_ && holder_->client == client; }
  const std::optional<Holder>& holder() const { return holder_; }

 private:
  Duration stale_after_;
  std::optional<Holder> holder_;
};

}  // namespace rcpilot::web
