#include "motor_bench.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "firmware_iface/calibration.hpp"
#include "firmware_iface/drive_command.hpp"
#include "firmware_iface/link_factory.hpp"

namespace rcpilot::vehicle {

namespace {

float clamp_unit(float v) { return std::isnan(v) ? 0.0f : std::clamp(v, -1.0f, 1.0f); }

std::optional<BenchKey> plain_key(char c) {
  switch (c) {
    case 'a':
      return BenchKey::kLeft;
    case 'd':
      return BenchKey::kRight;
    case 'A':
      return BenchKey::kFineLeft;
    case 'D':
      return BenchKey::kFineRight;
    case 'c':
    case 'C':
      return BenchKey::kCenter;
    case 'w':
    case 'W':
      return BenchKey::kForward;
    case 's':
    case 'S':
      return BenchKey::kReverse;
    case '+':
    case '=':
      return BenchKey::kMore;
    case '-':
    case '_':
      return BenchKey::kLess;
    case ' ':
      return BenchKey::kNeutral;
    case 'q':
    case 'Q':
    case 0x03:  // Ctrl-C: the raw terminal delivers it as a byte, not as SIGINT
    case 0x04:  // Ctrl-D
      return BenchKey::kQuit;
    default:
      return std::nullopt;
  }
}

std::optional<BenchKey> arrow_key(char c) {
  switch (c) {
    case 'A':
      return BenchKey::kForward;  // up
    case 'B':
      return BenchKey::kReverse;  // down
    case 'C':
      return BenchKey::kRight;
    case 'D':
      return BenchKey::kLeft;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::vector<BenchKey> KeyDecoder::feed(const char* data, std::size_t size) {
  std::vector<BenchKey> keys;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = data[i];
    if (state_ == 1) {
      state_ = (c == '[' || c == 'O') ? 2 : 0;
      if (state_ == 2) continue;
    } else if (state_ == 2) {
      // Parameters (digits, ';') until the final byte 0x40..0x7e ends the sequence.
      if (c >= 0x40 && c <= 0x7e) {
        state_ = 0;
        if (const auto k = arrow_key(c)) keys.push_back(*k);
      }
      continue;
    }
    if (c == 0x1b) {
      state_ = 1;
      continue;
    }
    if (const auto k = plain_key(c)) keys.push_back(*k);
  }
  return keys;
}

std::vector<float> sweep_points(const SweepPlan& plan) {
  if (!(plan.amplitude > 0.0f && plan.amplitude <= 1.0f)) {
    throw std::invalid_argument(
        fmt::format("sweep amplitude must be in (0, 1], got {}", plan.amplitude));
  }
  if (!(plan.step > 0.0f && plan.step <= 1.0f)) {
    throw std::invalid_argument(fmt::format("sweep step must be in (0, 1], got {}", plan.step));
  }
  // Steps counted from the centre so 0 is always a point; 1e-4 absorbs float rounding.
  const int n = static_cast<int>(std::ceil(plan.amplitude / plan.step - 1e-4f));
  std::vector<float> points;
  for (int k = -n; k <= n; ++k) {
    points.push_back(
        std::clamp(static_cast<float>(k) * plan.step, -plan.amplitude, plan.amplitude));
  }
  points.push_back(0.0f);
  return points;
}

MotorBench::MotorBench(fw::MotorLink& link, BenchSettings settings)
    : link_(link), settings_(settings) {
  settings_.max_throttle = std::clamp(settings_.max_throttle, 0.0f, 1.0f);
  settings_.nudge_throttle = std::clamp(settings_.nudge_throttle, 0.0f, settings_.max_throttle);
  settings_.steering_step = std::clamp(settings_.steering_step, 0.0f, 1.0f);
  settings_.fine_step = std::clamp(settings_.fine_step, 0.0f, 1.0f);
  settings_.throttle_step = std::clamp(settings_.throttle_step, 0.0f, 1.0f);
}

MotorBench::~MotorBench() { finish(last_.issued_at); }

float MotorBench::capped(float throttle_norm) const {
  return std::clamp(clamp_unit(throttle_norm), -settings_.max_throttle, settings_.max_throttle);
}

void MotorBench::stop_motion() {
  nudge_sign_ = 0.0f;
  sweep_.reset();
}

void MotorBench::press(BenchKey key, TimePoint now) {
  switch (key) {
    case BenchKey::kLeft:
      set_steering(steering_ - settings_.steering_step);
      return;
    case BenchKey::kRight:
      set_steering(steering_ + settings_.steering_step);
      return;
    case BenchKey::kFineLeft:
      set_steering(steering_ - settings_.fine_step);
      return;
    case BenchKey::kFineRight:
      set_steering(steering_ + settings_.fine_step);
      return;
    case BenchKey::kCenter:
      set_steering(0.0f);
      return;
    case BenchKey::kMore:
      settings_.nudge_throttle =
          std::min(settings_.nudge_throttle + settings_.throttle_step, settings_.max_throttle);
      return;
    case BenchKey::kLess:
      settings_.nudge_throttle = std::max(settings_.nudge_throttle - settings_.throttle_step, 0.0f);
      return;
    case BenchKey::kForward:
    case BenchKey::kReverse: {
      const float sign = key == BenchKey::kForward ? 1.0f : -1.0f;
      sweep_.reset();
      if (nudge_sign_ == sign && now < nudge_until_) {
        nudge_until_ = now + settings_.deadman;  // an auto-repeat of the held key
      } else {
        nudge_sign_ = sign;  // a new press: wait out the keyboard's repeat delay
        nudge_until_ = now + std::max(settings_.first_repeat, settings_.deadman);
      }
      nudge_level_ = settings_.nudge_throttle;
      return;
    }
    case BenchKey::kNeutral:
      stop_motion();
      steering_ = 0.0f;
      return;
    case BenchKey::kQuit:
      stop_motion();
      steering_ = 0.0f;
      quit_ = true;
      return;
  }
}

void MotorBench::nudge(float throttle_norm, TimePoint now, Duration hold) {
  sweep_.reset();
  const float t = capped(throttle_norm);
  nudge_sign_ = t < 0.0f ? -1.0f : 1.0f;
  nudge_level_ = std::abs(t);
  settings_.nudge_throttle = nudge_level_;  // the status shows the level in use
  nudge_until_ = now + hold;
}

void MotorBench::set_steering(float steering_norm) { steering_ = clamp_unit(steering_norm); }

void MotorBench::start_sweep(const SweepPlan& plan, TimePoint now) {
  nudge_sign_ = 0.0f;
  sweep_ = Sweep{sweep_points(plan), plan.dwell, now, 0, false};
}

float MotorBench::sweep_steering(TimePoint now, bool& moved) {
  Sweep& s = *sweep_;
  const auto dwell = std::max(s.dwell, Duration(1));
  const auto elapsed = std::max(now - s.started, Duration(0));
  const auto index = static_cast<std::size_t>(elapsed / dwell);
  if (index >= s.points.size()) {
    steering_ = s.points.back();
    sweep_.reset();
    return steering_;
  }
  moved = index != s.index || !s.announced;
  s.index = index;
  s.announced = true;
  steering_ = s.points[index];
  return steering_;
}

BenchTick MotorBench::tick(TimePoint now) {
  BenchTick out;
  if (finished_) return out;
  float steering = steering_;
  float throttle = 0.0f;
  if (sweep_) {
    steering = sweep_steering(now, out.sweep_moved);
  } else if (nudge_sign_ != 0.0f && now < nudge_until_) {
    throttle = nudge_sign_ * nudge_level_;
  } else {
    nudge_sign_ = 0.0f;  // the dead-man (or the timed nudge) ran out
  }
  last_nudging_ = throttle != 0.0f;
  out.command = fw::clamped(fw::DriveCommand{steering, capped(throttle), ticks_, now});
  out.accepted = link_.send(out.command);
  if (!out.accepted) ++refused_;
  ++ticks_;
  last_ = out.command;
  return out;
}

void MotorBench::finish(TimePoint now) {
  if (finished_) return;
  finished_ = true;
  stop_motion();
  last_ = fw::neutral_command(ticks_, now);
  link_.send(last_);
  link_.stop();
}

std::optional<float> MotorBench::sweep_target() const {
  if (!sweep_) return std::nullopt;
  return sweep_->points[sweep_->index];
}

BenchView MotorBench::view() const {
  BenchView v;
  v.steering_norm = last_.steering_norm;
  v.throttle_norm = last_.throttle_norm;
  v.nudge_throttle = settings_.nudge_throttle;
  v.nudging = last_nudging_;
  v.sweeping = sweep_.has_value();
  v.sweep_index = sweep_ ? sweep_->index : 0;
  v.sweep_size = sweep_ ? sweep_->points.size() : 0;
  v.ticks = ticks_;
  v.refused = refused_;
  return v;
}

namespace {

// A PCA9685 output as Donkey's calibration reads it too: "1509 us (370 ticks)".
std::string pca9685_pulse(int ticks, double tick_us) {
  return fmt::format("{} us ({} ticks)", fw::pca9685::ticks_to_us(ticks, tick_us), ticks);
}

}  // namespace

OutputMap::OutputMap(const config::MotorConfig& motor) : motor_(motor) {
  // Builds the drivers' own settings once so bad limits fail here with the drivers' message.
  if (motor_.driver == config::MotorDriver::kVesc) {
    fw::vesc_link_config(motor_);
  } else if (motor_.driver == config::MotorDriver::kMm1) {
    fw::mm1_link_config(motor_);
  } else if (motor_.driver == config::MotorDriver::kPca9685) {
    fw::pca9685_link_config(motor_);
  } else if (motor_.driver != config::MotorDriver::kSim) {
    fw::native_link_config(motor_);
  }
}

std::string OutputMap::steering(float steering_norm) const {
  if (motor_.driver == config::MotorDriver::kSim) return "";
  if (motor_.driver == config::MotorDriver::kVesc) {
    return fmt::format("servo {:.3f}",
                       fw::vesc_servo_position(steering_norm, fw::vesc_link_config(motor_)));
  }
  if (motor_.driver == config::MotorDriver::kPca9685) {
    const auto c = fw::pca9685_link_config(motor_);
    return pca9685_pulse(fw::pca9685::ticks_for(steering_norm, c.steering, c.tick_us()),
                         c.tick_us());
  }
  const auto ch = fw::native_link_config(motor_).steering;
  return fmt::format("{} us", fw::to_pulse_us(steering_norm, ch));
}

std::string OutputMap::throttle(float throttle_norm) const {
  if (motor_.driver == config::MotorDriver::kSim) return "";
  if (motor_.driver == config::MotorDriver::kVesc) {
    const float t = clamp_unit(throttle_norm);
    if (motor_.vesc_throttle_mode == config::VescThrottle::kRpm) {
      return fmt::format("{:.0f} erpm", t * motor_.vesc_max_erpm);
    }
    if (motor_.vesc_throttle_mode == config::VescThrottle::kCurrent) {
      return fmt::format("{:.2f} A", t * motor_.vesc_max_current_a);
    }
    return fmt::format("duty {:.3f}", t * motor_.vesc_max_duty);
  }
  if (motor_.driver == config::MotorDriver::kPca9685) {
    const auto c = fw::pca9685_link_config(motor_);
    return pca9685_pulse(fw::pca9685::ticks_for(throttle_norm, c.throttle, c.tick_us()),
                         c.tick_us());
  }
  const auto ch = fw::native_link_config(motor_).throttle;
  return fmt::format("{} us", fw::to_pulse_us(throttle_norm, ch));
}

std::string OutputMap::sent(const fw::LinkStatus& link) const {
  if (link.commands_sent == 0) return "out -";
  const fw::DriveCommand& c = link.last_command;
  const fw::WireOutput& w = link.last_output;
  const std::string norm = fmt::format("{:+.2f}/{:+.2f}", c.steering_norm, c.throttle_norm);
  if (motor_.driver == config::MotorDriver::kSim) return "out " + norm;
  if (motor_.driver == config::MotorDriver::kPca9685) {
    return fmt::format("out {} ({}/{} us, {}/{} ticks)", norm, w.steering_us, w.throttle_us,
                       w.steering_ticks, w.throttle_ticks);
  }
  if (motor_.driver != config::MotorDriver::kVesc) {
    return fmt::format("out {} ({}/{} us)", norm, w.steering_us, w.throttle_us);
  }
  std::string throttle = fmt::format("duty {:.3f}", w.throttle_value);
  if (c.throttle_norm == 0.0f) {
    throttle = motor_.vesc_brake_current_a > 0 ? fmt::format("brake {:.2f} A", w.throttle_value)
                                               : "current 0 A";
  } else if (motor_.vesc_throttle_mode == config::VescThrottle::kRpm) {
    throttle = fmt::format("{:.0f} erpm", w.throttle_value);
  } else if (motor_.vesc_throttle_mode == config::VescThrottle::kCurrent) {
    throttle = fmt::format("{:.2f} A", w.throttle_value);
  }
  return fmt::format("out {} (servo {:.3f}, {})", norm, w.servo_position, throttle);
}

namespace {

std::string board_part(const fw::LinkStatus& link, TimePoint now) {
  const fw::BoardTelemetry& b = link.board;
  if (b.received_at == TimePoint{}) return "no board report";
  const double age_ms = elapsed_ms(b.received_at, now);
  return fmt::format("{}{}, {:.2f} V, {:.0f} erpm{}{}", b.armed ? "armed" : "disarmed",
                     b.failsafe ? ", FAILSAFE" : "", b.battery_v, b.motor_erpm,
                     b.fault_code != 0 ? fmt::format(", fault {}", b.fault_code) : "",
                     age_ms > 500 ? fmt::format(", report {:.1f} s old", age_ms / 1000) : "");
}

}  // namespace

std::string format_bench_status(const BenchView& view, const fw::LinkStatus& link,
                                const OutputMap& map, TimePoint now) {
  const std::string rc = link.rc.valid
                             ? fmt::format("rc {}/{} us", link.rc.steering_us, link.rc.throttle_us)
                             : std::string("rc -");
  const std::string sweep =
      view.sweep_size > 0 ? fmt::format(" sweep {}/{}", view.sweep_index + 1, view.sweep_size) : "";
  // The requested setpoint, then what the link reports it sent: they differ while a board
  // fault or the watchdog holds neutral, or a pulse was clamped.
  return fmt::format(
      "steer {:+.2f} thr {:+.2f} {} {:.2f}{} | {} | link {}, {} | {} | sent {} "
      "fail {} lost {} reconn {}",
      view.steering_norm, view.throttle_norm, view.nudging ? "NUDGE" : "nudge", view.nudge_throttle,
      sweep, map.sent(link), link.alive ? "up" : "DOWN", board_part(link, now), rc,
      link.commands_sent, link.send_failures, link.link_losses, link.reconnects);
}

}  // namespace rcpilot::vehicle
