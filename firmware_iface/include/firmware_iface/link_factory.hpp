#pragma once
// The motor section of the config turned into the drivers' own settings, and the serial links
// built from it. The simulated drivers (sim, native_sim) come from the simulator backend.
#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "firmware_iface/mm1_link.hpp"
#include "firmware_iface/native_link.hpp"
#include "firmware_iface/vesc_link.hpp"
#include "rcp_firmware.hpp"

namespace rcpilot::fw {

// Each throws std::invalid_argument naming the motor.* keys when pulse or servo limits are not
// strictly ordered (min < center < max) or the board cannot output them (MM1: 1000..2000 us;
// native: 500..2500 us; VESC servo positions 0..1 are range-checked by the config schema).
// The node and rcpilot-motor build these at start-up, before anything can move.
LinkTiming link_timing(const config::MotorConfig& motor);
NativeLinkConfig native_link_config(const config::MotorConfig& motor);
Mm1LinkConfig mm1_link_config(const config::MotorConfig& motor);
VescLinkConfig vesc_link_config(const config::MotorConfig& motor);
// The reference firmware's output limits: the same pulse endpoints as the host's.
board::FirmwareConfig firmware_config(const config::MotorConfig& motor);

// The serial link motor.driver names (native, mm1 or vesc) on motor.device, after the board's
// handshake. Throws std::runtime_error naming motor.device when the board does not answer
// within `handshake` or the device cannot be opened, std::invalid_argument for limits that are
// not ordered.
std::unique_ptr<MotorLink> make_serial_link(const config::MotorConfig& motor, const Clock& clock,
                                            std::chrono::milliseconds handshake);

}  // namespace rcpilot::fw
