#include "web/control_bridge.hpp"

#include <string>

namespace rcpilot::web {

using nlohmann::json;

ControlBridge::ControlBridge(const vehicle::ClientOptions& options, std::size_t max_waiting)
    : options_(options), queue_(max_waiting), thread_([this] { run(); }) {}

ControlBridge::~ControlBridge() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool ControlBridge::submit(json request, Done done) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!queue_.push(BridgeRequest{std::move(request), std::move(done)})) return false;
  }
  wake_.notify_one();
  return true;
}

void ControlBridge::drive(double steering, double throttle) {
  submit(json{{"cmd", "drive"}, {"steering", steering}, {"throttle", throttle}}, nullptr);
}

// Runs until stopped; a neutral `drive` still waiting at stop is sent, so the car gets it.
void ControlBridge::run() {
  vehicle::ControlClient client(options_);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    std::optional<BridgeRequest> next = queue_.take(stop_);
    if (!next) return;  // stopping, and no e-stop or drive left to send
    lock.unlock();
    const auto reply = client.request(next->request);
    if (next->done) {
      next->done(reply ? *reply
                       : json{{"ok", false},
                              {"error", "no_answer"},
                              {"message", "rcpilot did not answer at " + options_.endpoint +
                                              ": is it running (and with CURVE, are the keys "
                                              "right)?"}});
    }
    lock.lock();
  }
}

}  // namespace rcpilot::web
