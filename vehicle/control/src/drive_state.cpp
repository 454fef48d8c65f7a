#include "control/drive_state.hpp"

#include <cmath>

namespace rcpilot::vehicle {

namespace {
// Operator input counts as neutral within this much of centre (stick and trigger slack).
constexpr float kNeutralBand = 0.05f;

Transition refuse(std::string reason) { return {false, std::move(reason)}; }
}  // namespace

Transition DriveState::arm(const OperatorInput& op) {
  std::lock_guard<std::mutex> lock(transition_mutex_);
  if (estopped_) return refuse("e-stop is latched: clear it first");
  if (op.valid && (std::fabs(op.steering_norm) > kNeutralBand ||
                   std::fabs(op.throttle_norm) > kNeutralBand)) {
    return refuse("operator input is not neutral: centre steering and release throttle");
  }
  if (mode_ != DriveMode::kUser && !self_test_passed_) {
    return refuse("mode " + std::string(to_string(mode_.load())) +
                  " needs a passed start-up self-test");
  }
  armed_ = true;
  return {};
}

void DriveState::estop() {
  std::lock_guard<std::mutex> lock(transition_mutex_);
  estopped_ = true;
  armed_ = false;
}

Transition DriveState::set_mode(DriveMode mode) {
  std::lock_guard<std::mutex> lock(transition_mutex_);
  if (mode != DriveMode::kUser && !self_test_passed_) {
    return refuse("mode " + std::string(to_string(mode)) +
                  " refused: the start-up self-test did not pass (inference too slow for "
                  "pilot.min_rate_hz)");
  }
  mode_ = mode;
  return {};
}

}  // namespace rcpilot::vehicle
