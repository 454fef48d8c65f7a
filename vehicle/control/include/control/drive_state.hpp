#pragma once
// Who may drive, and whether the car may move at all: drive mode, armed, e-stop latch.
// Transitions are validated here and every refusal says why. Thread-safe: operator interfaces
// change it while the control loop reads it every tick without waiting.
#include <atomic>
#include <mutex>
#include <string>

#include "control/types.hpp"

namespace rcpilot::vehicle {

// The outcome of a requested transition; `reason` says why it was refused.
struct Transition {
  bool ok = true;
  std::string reason;
};

class DriveState {
 public:
  // Starts disarmed in `mode`; autonomous modes stay refused until the self-test passed.
  explicit DriveState(DriveMode mode) : mode_(mode) {}

  // Arms the car. Refused while e-stop is latched, or when `op` is live and not neutral (the
  // car would lurch the moment it is armed).
  Transition arm(const OperatorInput& op);
  void disarm() { armed_ = false; }
  // Latches e-stop and disarms; only clear_estop() and a new arm() undo it.
  void estop();
  // Clears the latch; the car stays disarmed until armed again.
  void clear_estop() { estopped_ = false; }
  // Changes who drives. Autonomous modes are refused without a passed self-test.
  Transition set_mode(DriveMode mode);
  // Records the start-up self-test (inference p99 holds pilot.min_rate_hz).
  void set_self_test_passed(bool passed) { self_test_passed_ = passed; }

  bool armed() const { return armed_; }
  bool estopped() const { return estopped_; }
  DriveMode mode() const { return mode_; }
  bool self_test_passed() const { return self_test_passed_; }

 private:
  std::mutex transition_mutex_;  // one transition at a time; the loop only reads atomics
  std::atomic<DriveMode> mode_;
  std::atomic<bool> armed_{false};
  std::atomic<bool> estopped_{false};
  std::atomic<bool> self_test_passed_{false};
};

}  // namespace rcpilot::vehicle
