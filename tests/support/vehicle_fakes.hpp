#pragma once
// Test doubles behind the vehicle component's interfaces.
#include <condition_variable>
#include <mutex>
#include <vector>

#include "firmware_iface/motor_link.hpp"
#include "control/control_loop.hpp"

namespace rcpilot::vehicle::testing {

// Records every setpoint; can be told to refuse them.
class RecordingLink final : public fw::MotorLink {
 public:
  bool send(const fw::DriveCommand& cmd) override {
    std::unique_lock<std::mutex> lock(mutex_);
    released_.wait(lock, [this] { return !stalled_; });  // a stalled board write blocks here
    sent_.push_back(cmd);
    if (refuse_) return false;
    status_.last_command = cmd;
    ++status_.commands_sent;
    return true;
  }
  void stop() override {
    send(fw::DriveCommand{});
    std::lock_guard<std::mutex> lock(mutex_);
    ++stops_;
  }
  fw::LinkStatus status() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    return status_;
  }
  std::string describe() const override { return "recording link"; }
  void refuse(bool r) {
    std::lock_guard<std::mutex> lock(mutex_);
    refuse_ = r;
  }
  std::vector<fw::DriveCommand> sent() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sent_;
  }
  // The board's RC receiver report, as a link with a receiver would give it.
  void set_rc(const fw::RcInput& rc) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_.rc = rc;
  }
  // While stalled, send() blocks (a hung write): the loop stalls with it.
  void stall(bool s) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stalled_ = s;
    }
    released_.notify_all();
  }
  // Times stop() was called.
  int stops() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stops_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<fw::DriveCommand> sent_;
  fw::LinkStatus status_;
  bool refuse_ = false;
  bool stalled_ = false;
  std::condition_variable released_;
  int stops_ = 0;
};

class RecordingSink final : public StateSink {
 public:
  void on_tick(const TickState& st) override {
    std::lock_guard<std::mutex> lock(mutex_);
    states_.push_back(st);
  }
  std::vector<TickState> states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<TickState> states_;
};

}  // namespace rcpilot::vehicle::testing
