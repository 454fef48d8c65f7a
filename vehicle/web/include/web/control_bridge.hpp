#pragma once
// rcpilot-web's one connection to the control API: a thread of its own owns the REQ client, so
// the server's I/O thread never waits on the node. Requests wait in a bounded queue; an `estop`
// jumps ahead of everything, and only the newest `drive` waits (a slow node gets the latest
// stick position, never a backlog of old ones).
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "ctl/control_client.hpp"
#include "web/bridge_queue.hpp"

namespace rcpilot::web {

class ControlBridge {
 public:
  // Called on the bridge's thread with the node's reply, or an error reply (`no_answer`).
  using Done = std::function<void(const nlohmann::json& reply)>;

  ControlBridge(const vehicle::ClientOptions& options, std::size_t max_waiting = 16);
  ~ControlBridge();
  ControlBridge(const ControlBridge&) = delete;
  ControlBridge& operator=(const ControlBridge&) = delete;

  // Queues a request; false when max_waiting requests already wait (an `estop` is always taken).
  bool submit(nlohmann::json request, Done done);
  // Sends operator input, -1 .. 1 each; replaces a drive still waiting. Its reply is dropped.
  void drive(double steering, double throttle);

 private:
  void run();

  vehicle::ClientOptions options_;
  std::mutex mutex_;
  std::condition_variable wake_;
  BridgeQueue queue_;  // guarded by mutex_
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace rcpilot::web
