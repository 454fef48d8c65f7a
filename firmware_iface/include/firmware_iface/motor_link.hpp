#pragma once
// The motor controller seen from the node: a setpoint goes out every control tick.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

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

// What the board reports about the car (fields a board cannot measure stay 0).
struct BoardTelemetry {
  TimePoint received_at{};       // when the last report arrived (epoch: never)
  bool armed = false;            // native: the firmware's outputs follow commands
  bool failsafe = false;         // native: the firmware holds neutral for lack of commands
  float battery_v = 0.0f;        // V, input voltage
  float motor_erpm = 0.0f;       // VESC: electrical RPM
  float temp_fet_c = 0.0f;       // VESC: MOSFET temperature, deg C
  float temp_motor_c = 0.0f;     // VESC: motor temperature, deg C
  int fault_code = 0;            // VESC: mc_fault_code (0 = none)
  std::int64_t wheel_ticks = 0;  // native: encoder ticks; VESC: tachometer
};

// The RC receiver's pulses as the board saw them: the human's commands (manual driving,
// recording). Normalised with the same calibration as the outputs.
struct RcInput {
  bool valid = false;             // a fresh report arrived within the link's alive timeout
  TimePoint received_at{};        // when it arrived
  float steering_norm = 0.0f;     // -1 .. +1
  float throttle_norm = 0.0f;     // -1 .. +1
  std::uint16_t steering_us = 0;  // raw pulse, us
  std::uint16_t throttle_us = 0;  // raw pulse, us
};

// What the last setpoint put on the wire, in the board's own units, after every clamp and
// override (a VESC fault's neutral, the MM1's 1000..2000 us). Fields a board has not stay 0.
struct WireOutput {
  std::uint16_t steering_us = 0;  // native, MM1, PCA9685: servo pulse sent, us
  std::uint16_t throttle_us = 0;  // native, MM1, PCA9685: ESC pulse sent, us
  float servo_position = 0.0f;    // VESC: SET_SERVO_POS sent, 0..1
  float throttle_value = 0.0f;    // VESC: duty (-0.95..0.95), erpm or A as configured; at
                                  // neutral the brake current (A) or 0
  std::uint16_t steering_ticks = 0;  // pca9685: steering channel's 12-bit OFF count
  std::uint16_t throttle_ticks = 0;  // pca9685: throttle channel's 12-bit OFF count
};

// Health of a link as the supervisor sees it.
struct LinkStatus {
  bool alive = false;                // the link accepts commands and the board answers
  std::uint64_t commands_sent = 0;   // setpoints handed to the board since start
  std::uint64_t send_failures = 0;   // setpoints the link could not deliver
  DriveCommand last_command;         // the last setpoint that went out (neutral while a board
                                     // fault or the watchdog overrode the requested one)
  WireOutput last_output;            // the same setpoint in the board's units
  std::uint64_t link_losses = 0;     // times the link went from alive to dead (write error,
                                     // reply timeout, device gone)
  std::uint64_t reconnects = 0;      // successful re-opens + handshakes after a loss
  std::uint64_t rx_errors = 0;       // frames/lines from the board dropped as corrupt
  std::uint64_t watchdog_trips = 0;  // times the host watchdog sent neutral: no send() in time
  BoardTelemetry board;              // the board's latest report
  RcInput rc;                        // the board's latest RC receiver report (MM1, native)
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
  // Start-up only: waits up to `timeout` until the board answered (a serial link's handshake);
  // true at once for links that need none.
  virtual bool wait_ready(std::chrono::milliseconds /*timeout*/) const { return true; }
  // What the link could not set up as configured but runs without (e.g. a real-time priority
  // the process may not take), each naming the key and what to do; logged once at start.
  virtual std::vector<std::string> warnings() const { return {}; }
};

}  // namespace rcpilot::fw
