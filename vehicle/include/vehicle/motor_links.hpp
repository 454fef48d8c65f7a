#pragma once
// The motor section of the config turned into the drivers' own settings, and the native link
// to the simulated firmware board. The choice of driver is made in the executables' wiring.
#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "firmware_iface/mm1_link.hpp"
#include "firmware_iface/native_link.hpp"
#include "firmware_iface/vesc_link.hpp"
#include "sim/sim_board.hpp"

namespace rcpilot::vehicle {

// Each throws std::invalid_argument naming the motor.* keys when pulse or servo limits are not
// strictly ordered (min < center < max).
fw::LinkTiming link_timing(const config::MotorConfig& motor);
fw::NativeLinkConfig native_link_config(const config::MotorConfig& motor);
fw::Mm1LinkConfig mm1_link_config(const config::MotorConfig& motor);
fw::VescLinkConfig vesc_link_config(const config::MotorConfig& motor);
// The reference firmware's output limits: the same pulse endpoints as the host's.
board::FirmwareConfig firmware_config(const config::MotorConfig& motor);

// `native` over a real pty to the firmware core driving `world` (driver native_sim): owns the
// board and the link; stop() stops the link (neutral, disarm) and then the board.
class SimBoardLink final : public fw::MotorLink {
 public:
  // `threaded`: the board pumps itself (real time); otherwise call pump() every tick.
  SimBoardLink(const config::MotorConfig& motor, sim::SimWorld& world, const Clock& clock,
               bool threaded);
  ~SimBoardLink() override;
  bool send(const fw::DriveCommand& cmd) override { return link_->send(cmd); }
  void stop() override;
  fw::LinkStatus status() const override { return link_->status(); }
  std::string describe() const override;
  bool wait_alive(std::chrono::milliseconds timeout) const { return link_->wait_alive(timeout); }
  // Unthreaded board only: pumps it until the link handshook (false after `timeout`).
  bool pump_until_alive(std::chrono::milliseconds timeout);
  // Unthreaded board only: sends `cmd` and pumps the board until the firmware applied it, so
  // a lockstep run stays deterministic. False when the link refused it or `timeout` passed.
  bool send_and_apply(const fw::DriveCommand& cmd, std::chrono::milliseconds timeout);
  sim::SimBoard& board() { return *board_; }

 private:
  std::unique_ptr<sim::SimBoard> board_;
  std::unique_ptr<fw::NativeLink> link_;
};

// The motor link of a lockstep run, from motor.driver: sim (in process) or native_sim (the
// native protocol over a pty to the firmware core, pumped synchronously each tick).
class LockstepMotor {
 public:
  // Throws std::invalid_argument for other drivers, std::runtime_error when no handshake.
  LockstepMotor(const config::MotorConfig& motor, sim::SimWorld& world, const Clock& clock);
  // Returns once the car has the setpoint (native_sim: the firmware applied it).
  void send(const fw::DriveCommand& cmd);
  void stop() { link_->stop(); }

 private:
  std::unique_ptr<fw::MotorLink> link_;
  SimBoardLink* board_link_ = nullptr;  // native_sim only
};

// Waits (start-up only) until a serial link handshook; true at once for in-process links.
bool wait_motor_link(const fw::MotorLink& link, std::chrono::milliseconds timeout);

}  // namespace rcpilot::vehicle
