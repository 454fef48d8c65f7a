#include "web/bridge_queue.hpp"

#include <string>

namespace rcpilot::web {

bool BridgeQueue::push(BridgeRequest request) {
  const std::string cmd = request.request.value("cmd", "");
  if (cmd == "estop") {
    estops_.push_back(std::move(request));
  } else if (cmd == "drive") {
    drive_ = std::move(request);
  } else if (waiting_.size() >= max_) {
    return false;
  } else {
    waiting_.push_back(std::move(request));
  }
  return true;
}

std::optional<BridgeRequest> BridgeQueue::take(bool stopping) {
  std::optional<BridgeRequest> next;
  if (!estops_.empty()) {
    next = std::move(estops_.front());
    estops_.pop_front();
  } else if (drive_) {
    next = std::move(drive_);
    drive_.reset();
  } else if (!stopping && !waiting_.empty()) {
    next = std::move(waiting_.front());
    waiting_.pop_front();
  }
  return next;
}

}  // namespace rcpilot::web
