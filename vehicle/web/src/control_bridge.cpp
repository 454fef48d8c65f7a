#include "web/control_bridge.hpp"

#include <string>

namespace rcpilot::web {

using nlohmann::json;

ControlBridge::ControlBridge(const vehicle::ClientOptions& options, std::size_t max_waiting)
    : options_(options), max_waiting_(max_waiting), thread_([this] { run(); }) {}

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
    if (request.value("cmd", "") == "estop") {
      estops_.push_back(Pending{std::move(request), std::move(done)});
    } else if (waiting_.size() >= max_waiting_) {
      return false;
    } else {
      waiting_.push_back(Pending{std::move(request), std::move(done)});
    }
  }
  wake_.notify_one();
  return true;
}

void ControlBridge::drive(double steering, double throttle) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    drive_ =
        Pending{json{{"cmd", "drive"}, {"steering", steering}, {"throttle", throttle}}, nullptr};
  }
  wake_.notify_one();
}

std::optional<ControlBridge::Pending> ControlBridge::take(std::unique_lock<std::mutex>& lock) {
  wake_.wait(lock, [this] { return stop_ || !estops_.empty() || drive_ || !waiting_.empty(); });
  std::optional<Pending> next;
  if (!estops_.empty()) {
    next = std::move(estops_.front());
    estops_.pop_front();
  } else if (drive_) {
    next = std::move(drive_);
    drive_.reset();
  } else if (!stop_ && !waiting_.empty()) {
    next = std::move(waiting_.front());
    waiting_.pop_front();
  }
  return next;
}

// Runs until stopped; a neutral `drive` still waiting at stop is sent, so the car gets it.
void ControlBridge::run() {
  vehicle::ControlClient client(options_);
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    std::optional<Pending> next = take(lock);
    if (!next) return;
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
