#pragma once
// The rcpilot reference firmware as the simulated car's motor board: the firmware core serves
// a pseudo-terminal (the host opens device() as its serial port) and its servo/ESC pulse
// outputs drive the SimWorld. The node then reaches the car through the real native protocol,
// the real pty and the firmware's own arming and failsafe, like a SITL.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "firmware_iface/fd_transport.hpp"
#include "rcp_firmware.hpp"
#include "sim/sim_world.hpp"

namespace rcpilot::sim {

class SimBoard final : public board::TxSink {
 public:
  // Creates the pty. With `threaded`, a thread pumps it every ~1 ms; otherwise the owner calls
  // pump() (lockstep: once per simulated tick, so the run stays deterministic). `world` and
  // `clock` must outlive the board; the firmware's now_ms is clock time since construction.
  SimBoard(SimWorld& world, const Clock& clock, const board::FirmwareConfig& firmware,
           bool threaded);
  ~SimBoard() override;
  SimBoard(const SimBoard&) = delete;
  SimBoard& operator=(const SimBoard&) = delete;

  // The pty slave path the host opens.
  const std::string& device() const { return pty_.slave_path(); }
  // Feeds what the host wrote to the firmware at clock.now(), runs its failsafe tick and
  // applies changed outputs to the world. Waits up to `timeout` for bytes.
  void pump(std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
  // Stops the pump thread (if any); the outputs stay where they are.
  void stop();

  std::uint16_t steering_us() const;  // servo pulse the firmware drives now, us
  std::uint16_t throttle_us() const;  // ESC pulse the firmware drives now, us
  bool armed() const;
  std::uint32_t last_seq() const;  // seq of the last COMMAND the firmware applied

  void write(const std::uint8_t* data, std::size_t size) override { pty_.write(data, size); }

 private:
  std::uint32_t now_ms() const;
  double to_norm(std::uint16_t us, const board::ChannelLimits& ch) const;

  SimWorld& world_;
  const Clock& clock_;
  board::FirmwareConfig firmware_config_;
  fw::PtyMaster pty_;
  TimePoint start_;
  mutable std::mutex mutex_;  // the core and the outputs last applied
  board::FirmwareCore core_;
  std::uint16_t applied_steering_us_ = 0;
  std::uint16_t applied_throttle_us_ = 0;
  std::atomic<bool> running_{false};
  std::thread thread_;
};

}  // namespace rcpilot::sim
