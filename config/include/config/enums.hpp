#pragma once
// The settings that take one of a few names, as enums once loaded: the node compares these
// every tick and at every decision, never strings. The YAML names are the schema's choices, in
// the order of the enumerators (names_of() returns them for the schema and the docs).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace rcpilot::config {

// camera.source: where frames come from.
enum class CameraSource : std::uint8_t { kSim, kVideo, kImages, kTub, kV4l2, kCsi, kGstreamer };
// camera.format: what a V4L2 camera sends.
enum class CameraFormat : std::uint8_t { kMjpeg, kRaw };
// control.mode: who drives (Donkey Car's names).
enum class DriveMode : std::uint8_t {
  kUser,        // the operator steers and throttles
  kLocalAngle,  // the model steers, the operator throttles
  kLocal,       // the model steers and throttles (throttle times control.ai_throttle_mult)
};
// control.on_stale: the setpoint while the prediction is stale.
enum class OnStale : std::uint8_t { kStop, kHold };
// control.reverse: how negative throttle reaches the ESC.
enum class ReverseMode : std::uint8_t {
  kDirect,            // negative throttle is sent as is
  kBrakeThenReverse,  // hobby ESCs: the first negative pulse brakes; reverse needs brake, neutral
};
// motor.driver: the motor controller link.
enum class MotorDriver : std::uint8_t { kSim, kNative, kMm1, kVesc, kNativeSim, kPca9685 };
// motor.vesc_throttle_mode: what a VESC's throttle commands.
enum class VescThrottle : std::uint8_t { kDuty, kRpm, kCurrent };

// gamepad.pad: which pad's default mapping (Donkey Car's CONTROLLER_TYPE) to use, or the
// numbered gamepad.* keys (custom).
enum class GamepadPad : std::uint8_t { kCustom, kXbox, kPs3, kPs4, kF710 };

// The YAML names of each enum, in enumerator order.
const std::vector<std::string>& names_of(CameraSource);
const std::vector<std::string>& names_of(CameraFormat);
const std::vector<std::string>& names_of(DriveMode);
const std::vector<std::string>& names_of(OnStale);
const std::vector<std::string>& names_of(ReverseMode);
const std::vector<std::string>& names_of(MotorDriver);
const std::vector<std::string>& names_of(VescThrottle);
const std::vector<std::string>& names_of(GamepadPad);

// The YAML name of `value`.
template <typename E, typename = std::enable_if_t<std::is_enum_v<E>>>
std::string_view to_string(E value) {
  return names_of(E{})[static_cast<std::size_t>(value)];
}

// The enumerator named `text`; false (and `out` unchanged) when `text` names none.
template <typename E, typename = std::enable_if_t<std::is_enum_v<E>>>
bool parse_name(std::string_view text, E& out) {
  const auto& names = names_of(E{});
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) {
      out = static_cast<E>(i);
      return true;
    }
  }
  return false;
}

// The pulse widths a motor board can put on the wire where the board itself fixes them (the
// Robo HAT MM1's script reads four digits: 1000..2000 us); none where only the schema's range
// applies. The loader refuses calibration outside it, naming the key.
struct PulseRange {
  int min_us;
  int max_us;
};
constexpr PulseRange kMm1PulseRange{1000, 2000};
inline std::optional<PulseRange> pulse_range(MotorDriver d) {
  if (d == MotorDriver::kMm1) return kMm1PulseRange;
  return std::nullopt;
}

// True for the simulated motor drivers (sim, native_sim).
inline bool is_simulated(MotorDriver d) {
  return d == MotorDriver::kSim || d == MotorDriver::kNativeSim;
}

}  // namespace rcpilot::config
