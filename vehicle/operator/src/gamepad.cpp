#include "operator/gamepad.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rcpilot::vehicle {
namespace {

constexpr float kAxisFullScale = 32767.0f;  // joydev reports -32767..32767 (-32768 clamps)

struct ButtonBinding {
  const char* key;
  int config::GamepadConfig::*number;
  GamepadAction action;
};

constexpr ButtonBinding kButtons[] = {
    {"mode_cycle_button", &config::GamepadConfig::mode_cycle_button, GamepadAction::kModeCycle},
    {"arm_button", &config::GamepadConfig::arm_button, GamepadAction::kArm},
    {"disarm_button", &config::GamepadConfig::disarm_button, GamepadAction::kDisarm},
    {"estop_button", &config::GamepadConfig::estop_button, GamepadAction::kEstop},
    {"record_toggle_button", &config::GamepadConfig::record_toggle_button,
     GamepadAction::kRecordToggle},
    {"erase_records_button", &config::GamepadConfig::erase_records_button,
     GamepadAction::kEraseRecords},
    {"throttle_scale_up_button", &config::GamepadConfig::throttle_scale_up_button,
     GamepadAction::kThrottleScaleUp},
    {"throttle_scale_down_button", &config::GamepadConfig::throttle_scale_down_button,
     GamepadAction::kThrottleScaleDown},
};

// Throws when two keys of `bindings` (key, number) share a number other than -1.
void require_distinct(const std::vector<std::pair<std::string, int>>& bindings, const char* what) {
  for (size_t i = 0; i < bindings.size(); ++i) {
    for (size_t j = i + 1; j < bindings.size(); ++j) {
      if (bindings[i].second < 0 || bindings[i].second != bindings[j].second) continue;
      throw std::invalid_argument("gamepad." + bindings[i].first + " and gamepad." +
                                  bindings[j].first + " are both " + what + " " +
                                  std::to_string(bindings[i].second) +
                                  "; give each its own, or -1 to leave one unmapped");
    }
  }
}

// A d-pad axis counts as pressed past half travel (joydev reports a hat as -32767/0/32767).
constexpr std::int16_t kHatPressed = 16384;

// Throws when an axis or a button number is mapped twice.
void require_distinct_mapping(const config::GamepadConfig& config) {
  require_distinct({{"steering_axis", config.steering_axis},
                    {"throttle_axis", config.throttle_axis},
                    {"throttle_scale_hat_axis", config.throttle_scale_hat_axis}},
                   "axis");
  std::vector<std::pair<std::string, int>> buttons;
  for (const ButtonBinding& b : kButtons) buttons.emplace_back(b.key, config.*b.number);
  require_distinct(buttons, "button");
}

}  // namespace

std::string js_event_problem(const js_event& event, const JoystickShape& shape) {
  const auto type = static_cast<std::uint8_t>(event.type & ~JS_EVENT_INIT);
  if (type == JS_EVENT_AXIS) {
    if (event.number >= shape.axes) {
      return "an axis number beyond the " + std::to_string(shape.axes) + " axes it reports";
    }
    return "";
  }
  if (type != JS_EVENT_BUTTON) return "an event type that is neither axis nor button";
  if (event.number >= shape.buttons) {
    return "a button number beyond the " + std::to_string(shape.buttons) + " buttons it reports";
  }
  if (event.value != 0 && event.value != 1) return "a button value other than 0 or 1";
  return "";
}

std::string_view to_string(GamepadAction action) {
  switch (action) {
    case GamepadAction::kModeCycle:
      return "mode_cycle";
    case GamepadAction::kArm:
      return "arm";
    case GamepadAction::kDisarm:
      return "disarm";
    case GamepadAction::kEstop:
      return "estop";
    case GamepadAction::kRecordToggle:
      return "record_toggle";
    case GamepadAction::kEraseRecords:
      return "erase_records";
    case GamepadAction::kThrottleScaleUp:
      return "throttle_scale_up";
    case GamepadAction::kThrottleScaleDown:
      return "throttle_scale_down";
  }
  return "unknown";
}

GamepadDecoder::GamepadDecoder(const config::GamepadConfig& config)
    : config_(config), throttle_scale_(config.throttle_scale) {
  require_distinct_mapping(config);
}

void GamepadDecoder::remap(const config::GamepadConfig& mapping) {
  require_distinct_mapping(mapping);
  config_ = mapping;
}

GamepadUpdate GamepadDecoder::apply(const js_event& event) {
  GamepadUpdate update;
  const auto type = static_cast<std::uint8_t>(event.type & ~JS_EVENT_INIT);
  if (type == JS_EVENT_BUTTON) {
    const float before = throttle_norm_;
    update.action = on_button(event);
    update.input_changed = throttle_norm_ != before;  // a throttle-scale button re-shapes it
    return update;
  }
  if (type != JS_EVENT_AXIS) return update;
  const float before_steering = steering_norm_;
  const float before_throttle = throttle_norm_;
  if (event.number == config_.steering_axis) {
    steering_norm_ = shape(event.value, config_.steering_scale, config_.steering_inverted);
  } else if (event.number == config_.throttle_axis) {
    throttle_raw_ = event.value;
    throttle_norm_ = shape(event.value, throttle_scale_, config_.throttle_inverted);
  } else if (event.number == config_.throttle_scale_hat_axis) {
    update.action = on_hat(event);
  }
  update.input_changed = steering_norm_ != before_steering || throttle_norm_ != before_throttle;
  return update;
}

// The d-pad acts when it is pushed, like a button: up raises, down lowers. Its INIT event (where
// it is when the pad connects) never acts.
std::optional<GamepadAction> GamepadDecoder::on_hat(const js_event& event) {
  const int direction = event.value <= -kHatPressed ? -1 : event.value >= kHatPressed ? 1 : 0;
  const int before = std::exchange(hat_direction_, direction);
  if ((event.type & JS_EVENT_INIT) != 0 || direction == 0 || direction == before) {
    return std::nullopt;
  }
  const GamepadAction action =
      direction < 0 ? GamepadAction::kThrottleScaleUp : GamepadAction::kThrottleScaleDown;
  change_throttle_scale(action);
  return action;
}

void GamepadDecoder::change_throttle_scale(GamepadAction action) {
  const double step = action == GamepadAction::kThrottleScaleUp ? config_.throttle_scale_step
                                                                : -config_.throttle_scale_step;
  // Rounded to the step's 1/100 like Donkey, so repeated steps do not drift (0.3 + 0.1 ...).
  throttle_scale_ = std::round(std::clamp(throttle_scale_ + step, 0.0, 1.0) * 100.0) / 100.0;
  throttle_norm_ = shape(throttle_raw_, throttle_scale_, config_.throttle_inverted);
}

OperatorInput GamepadDecoder::input(TimePoint now) const {
  OperatorInput in;
  in.steering_norm = steering_norm_;
  in.throttle_norm = throttle_norm_;
  in.received_at = now;
  in.valid = true;
  return in;
}

void GamepadDecoder::reset() {
  steering_norm_ = 0.0f;
  throttle_norm_ = 0.0f;
  throttle_raw_ = 0;
  hat_direction_ = 0;
  pressed_.fill(false);
  erase_pressed_ = false;
}

float GamepadDecoder::shape(std::int16_t raw, double scale, bool inverted) const {
  const float x = std::clamp(static_cast<float>(raw) / kAxisFullScale, -1.0f, 1.0f);
  const auto dead = static_cast<float>(config_.dead_zone);
  const float magnitude = std::abs(x);
  if (magnitude <= dead) return 0.0f;
  // Re-scaled so that leaving the dead zone starts at 0 (no jump) and full stick is still 1.
  const float out =
      std::copysign((magnitude - dead) / (1.0f - dead), x) * static_cast<float>(scale);
  return inverted ? -out : out;
}

std::optional<GamepadAction> GamepadDecoder::on_button(const js_event& event) {
  const bool down = event.value != 0;
  const bool was_down = std::exchange(pressed_[event.number], down);
  const bool init = (event.type & JS_EVENT_INIT) != 0;
  if (event.number == config_.erase_records_button) return on_erase_button(event, init, down);
  if (init || !down || was_down) return std::nullopt;
  for (const ButtonBinding& b : kButtons) {
    if (config_.*b.number != event.number) continue;
    if (b.action == GamepadAction::kThrottleScaleUp ||
        b.action == GamepadAction::kThrottleScaleDown) {
      change_throttle_scale(b.action);
    }
    return b.action;
  }
  return std::nullopt;
}

// Erasing needs a deliberate gesture: press, hold erase_hold_ms, release.
std::optional<GamepadAction> GamepadDecoder::on_erase_button(const js_event& event, bool init,
                                                             bool down) {
  if (init) {
    erase_pressed_ = false;  // held while connecting: not a press we saw
    return std::nullopt;
  }
  if (down) {
    if (!erase_pressed_) erase_pressed_at_ms_ = event.time;
    erase_pressed_ = true;
    return std::nullopt;
  }
  const bool was_pressed = std::exchange(erase_pressed_, false);
  const std::uint32_t held_ms = event.time - erase_pressed_at_ms_;  // u32 ms, wraps like time
  if (!was_pressed || held_ms < static_cast<std::uint32_t>(config_.erase_hold_ms)) {
    return std::nullopt;
  }
  return GamepadAction::kEraseRecords;
}

}  // namespace rcpilot::vehicle
