#pragma once
// The motor controller seen from the node: a setpoint goes out every control tick.
#include <cstdint>
#include <string>

#include "common/clock.hpp"

namespace rcpilot::fw {

// One setpoint for the motor controller. Neutral is steering 0, throttle 0.
struct DriveCommand {
  float steering_norm = 0.0f;  // -1 (full left) .. +1 (full right)
  float throttle_norm = 0.0f;  // -1 (full reverse) .. +1 (full forward); 0 stops
  std::uint64_t tick = 0;      // control loop tick that produced it
  TimePoint issued_at{};       // CLOCK_MONOTONIC time the loop issued it

  bool is_neutral() const { return steering_norm == 0.0f && throttle_norm == 0.0f; }
};

// Health of a link as the supervisor sees it.
struct LinkStatus {
  bool alive = false;             // the link accepts commands and the board answers
  std::uint64_t commands_sent = 0;  // setpoints handed to the board since start
  std::uint64_t send_failures = 0;  // setpoints the link could not deliver
  DriveCommand last_command;      // the last setpoint the board received
};

// A motor controller link. send() is called from the control loop every tick: it must not
// block on I/O and must not allocate; failures are reported, never thrown.
class MotorLink {
 public:
  virtual ~MotorLink() = default;
  // Queues `cmd` for the board; false when the link could not take it.
  virtual bool send(const DriveCommand& cmd) = 0;
  // Commands neutral, then closes the link. Safe to call more than once.
  virtual void stop() = 0;
  virtual LinkStatus status() const = 0;
  virtual std::string describe() const = 0;
};

}  // namespace rcpilot::fw
