#include "sim/sim_board_link.hpp"

#include <stdexcept>
#include <string>

#include "firmware_iface/fd_transport.hpp"
#include "firmware_iface/link_factory.hpp"
#include "sim/sim_motor_link.hpp"

namespace rcpilot::sim {

SimBoardLink::SimBoardLink(const config::MotorConfig& motor, SimWorld& world,
                           const Clock& clock, bool threaded)
    : board_(std::make_unique<SimBoard>(world, clock, fw::firmware_config(motor), threaded)),
      link_(std::make_unique<fw::NativeLink>(
          std::make_unique<fw::SerialTransport>(board_->device(), motor.baud), clock,
          fw::native_link_config(motor))) {}

SimBoardLink::~SimBoardLink() { stop(); }

void SimBoardLink::stop() {
  link_->stop();
  board_->stop();
  board_->pump();  // the firmware applies the final neutral + disarm
}

std::string SimBoardLink::describe() const {
  return link_->describe() + " over " + board_->device() + " to the simulated firmware board";
}

bool SimBoardLink::pump_until_alive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!link_->status().alive && std::chrono::steady_clock::now() < deadline) {
    board_->pump(std::chrono::milliseconds(1));
  }
  return link_->status().alive;
}

bool SimBoardLink::send_and_apply(const fw::DriveCommand& cmd, std::chrono::milliseconds timeout) {
  const std::uint32_t before = board_->last_seq();
  if (!link_->send(cmd)) return false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (board_->last_seq() == before && std::chrono::steady_clock::now() < deadline) {
    board_->pump(std::chrono::milliseconds(1));
  }
  return board_->last_seq() != before;
}

LockstepMotor::LockstepMotor(const config::MotorConfig& motor, SimWorld& world,
                             const Clock& clock) {
  if (motor.driver == config::MotorDriver::kSim) {
    link_ = std::make_unique<SimMotorLink>(world, clock);
    return;
  }
  if (motor.driver != config::MotorDriver::kNativeSim) {
    throw std::invalid_argument("lockstep drives motor.driver sim or native_sim, not " +
                                std::string(config::to_string(motor.driver)));
  }
  auto link = std::make_unique<SimBoardLink>(motor, world, clock, /*threaded=*/false);
  board_link_ = link.get();
  link_ = std::move(link);
  if (!board_link_->pump_until_alive(std::chrono::seconds(2))) {
    throw std::runtime_error("lockstep: the simulated firmware board did not answer");
  }
}

void LockstepMotor::send(const fw::DriveCommand& cmd) {
  if (board_link_ == nullptr) {
    link_->send(cmd);
    return;
  }
  board_link_->send_and_apply(cmd, std::chrono::milliseconds(500));
}

}  // namespace rcpilot::sim
