#pragma once
// The motor section of the config turned into the drivers' own settings, and the serial links
// built from it. The simulated drivers (sim, native_sim) come from the simulator backend.
#include <chrono>
#include <memory>

#include "config/config.hpp"
#include "firmware_iface/mm1_link.hpp"
#include "firmware_iface/native_link.hpp"
#include "firmware_iface/pca9685_link.hpp"
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
// PCA9685: also refuses what config::pca9685_problem finds (channels, address, frequency,
// tick keys set in part or out of order, pulses the period or a servo cannot take).
Pca9685LinkConfig pca9685_link_config(const config::MotorConfig& motor);
// The reference firmware's output limits: the same pulse endpoints as the host's.
board::FirmwareConfig firmware_config(const config::MotorConfig& motor);

// The hardware link motor.driver names: native, mm1 or vesc on motor.device after the board's
// handshake, or pca9685 on motor.i2c_bus once the board is initialised. Throws
// std::runtime_error naming the device and what to do when the board does not answer within
// `handshake` or the device cannot be opened, std::invalid_argument for a bad calibration.
std::unique_ptr<MotorLink> make_serial_link(const config::MotorConfig& motor, const Clock& clock,
                                            std::chrono::milliseconds handshake);
// The PCA9685 link on /dev/i2c-<motor.i2c_bus> (make_serial_link's pca9685 case).
std::unique_ptr<MotorLink> make_pca9685_link(const config::MotorConfig& motor, const Clock& clock,
                                             std::chrono::milliseconds ready);

}  // namespace rcpilot::fw
