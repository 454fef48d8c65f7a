#pragma once
// The simulated car's motor drivers beside SimMotorLink: `native_sim`, rcpilot's native
// protocol over a real pty to the reference firmware core driving the world, and the motor of
// a lockstep run (sim or native_sim, pumped synchronously each tick).
#include <chrono>
#include <memory>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "firmware_iface/native_link.hpp"
#include "sim/sim_board.hpp"
#include "sim/sim_world.hpp"

namespace rcpilot::sim {

// `native` over a real pty to the firmware core driving `world` (driver native_sim): owns the
// board and the link; stop() stops the link (neutral, disarm) and then the board.
class SimBoardLink final : public fw::MotorLink {
 public:
  // `threaded`: the board pumps itself (real time); otherwise call pump() every tick.
  SimBoardLink(const config::MotorConfig& motor, SimWorld& world, const Clock& clock,
               bool threaded);
  ~SimBoardLink() override;
  bool send(const fw::DriveCommand& cmd) override { return link_->send(cmd); }
  void stop() override;
  fw::LinkStatus status() const override { return link_->status(); }
  std::string describe() const override;
  bool wait_ready(std::chrono::milliseconds timeout) const override {
    return link_->wait_alive(timeout);
  }
  // Unthreaded board only: pumps it until the link handshook (false after `timeout`).
  bool pump_until_alive(std::chrono::milliseconds timeout);
  // Unthreaded board only: sends `cmd` and pumps the board until the firmware applied it, so
  // a lockstep run stays deterministic. False when the link refused it or `timeout` passed.
  bool send_and_apply(const fw::DriveCommand& cmd, std::chrono::milliseconds timeout);
  SimBoard& board() { return *board_; }

 private:
  std::unique_ptr<SimBoard> board_;
  std::unique_ptr<fw::NativeLink> link_;
};

// The motor link of a lockstep run, from motor.driver: sim (in process) or native_sim (the
// native protocol over a pty to the firmware core, pumped synchronously each tick).
class LockstepMotor {
 public:
  // Throws std::invalid_argument for other drivers, std::runtime_error when no handshake.
  LockstepMotor(const config::MotorConfig& motor, SimWorld& world, const Clock& clock);
  // Returns once the car has the setpoint (native_sim: the firmware applied it).
  void send(const fw::DriveCommand& cmd);
  void stop() { link_->stop(); }

 private:
  std::unique_ptr<fw::MotorLink> link_;
  SimBoardLink* board_link_ = nullptr;  // native_sim only
};

}  // namespace rcpilot::sim
