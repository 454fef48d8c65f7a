#pragma once
// The order in which rcpilot-web's requests reach the control API (ControlBridge): every
// `estop` first, then the newest `drive` (an older one waiting is replaced: the node gets the
// latest stick position, never a backlog), then the rest in arrival order, at most `max` of
// them. Not thread-safe: ControlBridge holds its lock around it.
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>

#include <nlohmann/json.hpp>

namespace rcpilot::web {

struct BridgeRequest {
  nlohmann::json request;                           // the control API request
  std::function<void(const nlohmann::json&)> done;  // gets the reply; empty: reply dropped
};

class BridgeQueue {
 public:
  explicit BridgeQueue(std::size_t max) : max_(max) {}

  // Queues a request; false when `max` others wait (an `estop` or a `drive` is always taken).
  bool push(BridgeRequest request);
  // The next request to send; nullopt when none waits. With `stopping`, only e-stops and a
  // drive are still given (the neutral sent at shutdown), the rest are dropped.
  std::optional<BridgeRequest> take(bool stopping = false);
  bool empty() const { return estops_.empty() && !drive_ && waiting_.empty(); }

 private:
  std::size_t max_;
  std::deque<BridgeRequest> estops_;
  std::optional<BridgeRequest> drive_;
  std::deque<BridgeRequest> waiting_;
};

}  // namespace rcpilot::web
