#pragma once
// The PCA9685 16-channel 12-bit PWM controller (NXP datasheet; REFERENCE.md, Donkey Car facts):
// its registers, the prescale and tick maths, and the mapping from normalised commands to the
// 12-bit OFF counts that set a servo/ESC pulse. Every channel's pulse starts at tick 0
// (LEDn_ON = 0) and ends at LEDn_OFF.
#include <array>
#include <cstdint>
#include <optional>

#include "firmware_iface/calibration.hpp"

namespace rcpilot::fw::pca9685 {

// Registers.
constexpr std::uint8_t kMode1 = 0x00;
constexpr std::uint8_t kMode2 = 0x01;
constexpr std::uint8_t kLed0OnL = 0x06;    // LEDn_ON_L at 0x06 + 4n, then ON_H, OFF_L, OFF_H
constexpr std::uint8_t kAllLedOnL = 0xFA;  // ALL_LED_ON_L .. ALL_LED_OFF_H: 0xFA..0xFD
constexpr std::uint8_t kPrescale = 0xFE;   // writable only while MODE1.SLEEP is set
// MODE1 bits.
constexpr std::uint8_t kRestart = 0x80;  // set by the chip when PWM was running before sleep
constexpr std::uint8_t kExtClk = 0x40;
constexpr std::uint8_t kAutoIncrement = 0x20;
constexpr std::uint8_t kSleep = 0x10;    // oscillator off; set at power-on
constexpr std::uint8_t kAllCall = 0x01;  // set at power-on
constexpr std::uint8_t kMode1PowerOn = kSleep | kAllCall;
// LEDn_ON_H / LEDn_OFF_H bit 4: the output is fully on / fully off (OFF wins).
constexpr std::uint8_t kFullBit = 0x10;
constexpr int kChannels = 16;
constexpr int kTicksPerPeriod = 4096;
constexpr double kDefaultOscHz = 25e6;
// After clearing SLEEP the oscillator needs this long before RESTART may be written.
constexpr int kWakeUpUs = 500;

// The register of channel `n`'s LEDn_ON_L (0..15).
constexpr std::uint8_t led_register(int channel) {
  return static_cast<std::uint8_t>(kLed0OnL + 4 * channel);
}
// PRESCALE for `freq_hz` from `osc_hz`: round(osc / (4096 * f)) - 1 (60 Hz at 25 MHz: 101).
// Not clamped: the chip takes 3..255 (config::pca9685_problem refuses others).
int prescale_for(double osc_hz, double freq_hz);
// The PWM frequency a prescale gives, Hz.
double frequency_hz(double osc_hz, int prescale);
// Length of one of the 4096 ticks of a period, us ((prescale + 1) / osc).
double tick_us(double osc_hz, int prescale);
// LEDn_ON_L, ON_H, OFF_L, OFF_H for a pulse from tick 0 to `off_ticks` (clamped to 0..4095).
std::array<std::uint8_t, 4> led_bytes(int off_ticks);
// Pulse width of `ticks` at `tick_us`, rounded to the nearest us.
std::uint16_t ticks_to_us(int ticks, double tick_us);
// Ticks of a `pulse_us` pulse at `tick_us`, rounded, clamped to 0..4095.
std::uint16_t us_to_ticks(double pulse_us, double tick_us);

// Donkey's calibration in ticks: the OFF count at -1, 0 and +1 (any order: Donkey's steering
// left 460 is above right 290). Piecewise linear between them, like PulseChannel.
struct TickCalibration {
  int at_minus = 0;  // ticks at -1 (steering left, throttle full reverse)
  int at_zero = 0;   // ticks at 0 (steering centre, throttle stopped)
  int at_plus = 0;   // ticks at +1 (steering right, throttle full forward)
};

// One output channel: its number, and the calibration in us, or in ticks when `ticks` is set
// (then `us.inverted` still flips the command, as for the us calibration).
struct Channel {
  int channel = 0;                       // 0..15
  PulseChannel us;                       // used when `ticks` is not set
  std::optional<TickCalibration> ticks;  // Donkey's *_PWM values, taking precedence
};

// OFF count for `norm` (clamped to [-1, 1]; NaN -> 0) on `ch` at `tick_us`.
std::uint16_t ticks_for(float norm, const Channel& ch, double tick_us);

}  // namespace rcpilot::fw::pca9685
