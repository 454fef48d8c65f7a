#pragma once
// Turns Linux joystick events (struct js_event, /dev/input/js*) into operator input and button
// actions. Pure logic: no I/O, no threads, no clock; GamepadReader feeds it from the device.
#include <linux/joystick.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "control/types.hpp"

namespace rcpilot::vehicle {

// What a gamepad button asks for; the node decides what it means in its current state.
enum class GamepadAction : std::uint8_t {
  kModeCycle,          // next drive mode: user -> local_angle -> local -> user
  kArm,                // arm (DriveState refuses it while e-stopped or off neutral)
  kDisarm,             // disarm
  kEstop,              // latch the e-stop
  kRecordToggle,       // start recording if stopped, stop if recording
  kEraseRecords,       // soft-delete the last gamepad.erase_count records (after a long hold)
  kThrottleScaleUp,    // throttle at full stick + gamepad.throttle_scale_step (Donkey's max
  kThrottleScaleDown,  // throttle up/down); the decoder applies it itself, within 0..1
};

// What a joystick device says it has (ioctl JSIOCGAXES / JSIOCGBUTTONS): event numbers
// below these counts are its controls.
struct JoystickShape {
  int axes = 0;     // 0..255
  int buttons = 0;  // 0..255
  // The kernel's code of each control, indexed by event number (JSIOCGAXMAP: ABS_*,
  // JSIOCGBTNMAP: BTN_*/KEY_*); empty when the device did not say. Named pads map through them.
  std::vector<std::uint8_t> axis_codes;
  std::vector<std::uint16_t> button_codes;
};

// "" when `event` is a record a joystick of `shape` can send: type axis or button (with or
// without JS_EVENT_INIT), number below the axis or button count, button value 0 or 1.
// Otherwise what is wrong with it (no values, so repeats read the same).
std::string js_event_problem(const js_event& event, const JoystickShape& shape);

std::string_view to_string(GamepadAction action);

// What one event changed.
struct GamepadUpdate {
  bool input_changed = false;           // the steering or throttle output changed
  std::optional<GamepadAction> action;  // a mapped button was pressed (press edge only)
};

// Decodes one gamepad's event stream. Axes: raw -32767..32767 -> -1..1, dead zone around centre
// re-scaled so the output rises continuously from 0 at its edge, then scale, then inversion.
// Buttons: an action on the press edge of a mapped button; releases and the synthetic
// JS_EVENT_INIT events the driver sends on open never act (a button held while the pad
// connects must not fire). Axis INIT events do set the axis: they are where the stick is.
// The erase button is the exception: it acts on release, and only after a hold of at least
// gamepad.erase_hold_ms by the events' own timestamps (js_event::time, ms), so a brushed or
// bounced button never erases records. Callers pass only records js_event_problem accepts.
class GamepadDecoder {
 public:
  // Throws std::invalid_argument naming the gamepad.* keys when one axis or button number is
  // mapped twice (the same button cannot both arm and disarm).
  explicit GamepadDecoder(const config::GamepadConfig& config);

  GamepadUpdate apply(const js_event& event);
  // Takes the axis and button numbers of `mapping` (a named pad resolved for the open device);
  // keeps the throttle scale the buttons set. Throws as the constructor does.
  void remap(const config::GamepadConfig& mapping);
  // The current stick positions as a valid input stamped `now`.
  OperatorInput input(TimePoint now) const;
  // Forgets every axis and button (all centred and released), e.g. after the pad was lost.
  void reset();

  float steering_norm() const { return steering_norm_; }
  float throttle_norm() const { return throttle_norm_; }
  // Throttle at full stick now: gamepad.throttle_scale moved by the throttle-scale buttons.
  double throttle_scale() const { return throttle_scale_; }

 private:
  float shape(std::int16_t raw, double scale, bool inverted) const;
  std::optional<GamepadAction> on_button(const js_event& event);
  std::optional<GamepadAction> on_erase_button(const js_event& event, bool init, bool down);
  std::optional<GamepadAction> on_hat(const js_event& event);
  // Applies a throttle-scale action and re-shapes the held throttle with the new scale.
  void change_throttle_scale(GamepadAction action);

  config::GamepadConfig config_;
  float steering_norm_ = 0.0f;
  float throttle_norm_ = 0.0f;
  std::int16_t throttle_raw_ = 0;    // last throttle axis value, re-shaped when the scale moves
  double throttle_scale_ = 0.0;      // starts at gamepad.throttle_scale
  int hat_direction_ = 0;            // throttle-scale d-pad: -1 up, 0 centred, 1 down
  std::array<bool, 256> pressed_{};  // indexed by js_event::number (a __u8)
  bool erase_pressed_ = false;       // the erase button went down by a real press (not INIT)
  std::uint32_t erase_pressed_at_ms_ = 0;  // js_event::time of that press, ms (wraps)
};

}  // namespace rcpilot::vehicle
