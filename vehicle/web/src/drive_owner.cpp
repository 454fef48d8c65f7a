#include "web/drive_owner.hpp"

namespace rcpilot::web {

bool DriveOwner::claim(std::uint64_t client, const std::string& name, TimePoint now) {
  const bool free =
      !holder_ || holder_->client == client || now - holder_->last_seen >= stale_after_;
  if (!free) return false;
  holder_ = Holder{client, name, now};
  return true;
}

bool DriveOwner::release(std::uint64_t client) {
  if (!holds(client)) return false;
  holder_.reset();
  return true;
}

void DriveOwner::seen(std::uint64_t client, TimePoint now) {
  if (holds(client)) holder_->last_seen = now;
}

}  // namespace rcpilot::web
