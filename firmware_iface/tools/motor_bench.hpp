#pragma once
// The logic of the `rcpilot-motor` bench tool: what setpoint goes to the motor link every tick
// while someone calibrates a car on the bench (keys, a timed nudge, a steering sweep). Time is
// passed in, so the dead-man and the sweep are tested with a ManualClock.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "config/config.hpp"
#include "firmware_iface/motor_link.hpp"

namespace rcpilot::vehicle {

// A terminal cannot report a key release, only the keyboard's auto-repeat of a held key: one
// event on press, the first repeat after the repeat delay (~250-600 ms), then one every
// ~30-50 ms. A throttle nudge therefore lasts while key events keep coming within `deadman`;
// the first repeat is allowed `first_repeat` instead. A single tap gives a nudge of at most
// `first_repeat`.
struct BenchSettings {
  float max_throttle = 0.3f;     // norm (0..1], |throttle| sent never exceeds it
  float nudge_throttle = 0.15f;  // norm, magnitude of a nudge (capped by max_throttle)
  float steering_step = 0.1f;    // norm, steering change per coarse key press
  float fine_step = 0.01f;       // norm, steering change per fine key press
  float throttle_step = 0.01f;   // norm, change of nudge_throttle per +/- key
  Duration deadman = std::chrono::milliseconds(150);       // gap between repeats that ends it
  Duration first_repeat = std::chrono::milliseconds(700);  // allowance after the first press
};

enum class BenchKey {
  kLeft,       // steering - steering_step
  kRight,      // steering + steering_step
  kFineLeft,   // steering - fine_step
  kFineRight,  // steering + fine_step
  kCenter,     // steering 0
  kForward,    // throttle +nudge_throttle while the key repeats
  kReverse,    // throttle -nudge_throttle while the key repeats
  kMore,       // nudge_throttle + throttle_step (up to max_throttle)
  kLess,       // nudge_throttle - throttle_step (down to 0)
  kNeutral,    // stop now: throttle 0, steering 0, sweep ended
  kQuit,       // neutral and leave
};

// Turns terminal bytes into keys: letters, space, arrows (ESC [ A..D, also split across reads).
class KeyDecoder {
 public:
  // Keys completed by `data`; unknown bytes and escape sequences are ignored.
  std::vector<BenchKey> feed(const char* data, std::size_t size);

 private:
  int state_ = 0;  // 0: plain, 1: after ESC, 2: inside ESC [ / ESC O
};

// Steering left -> centre -> right in steps, each held for `dwell`, throttle 0, then centre.
struct SweepPlan {
  float amplitude = 1.0f;                    // norm (0..1], the extremes reached
  float step = 0.1f;                         // norm (0..1], distance between points
  Duration dwell = std::chrono::seconds(1);  // time on each point
};

// The points of a sweep: -amplitude .. +amplitude through 0 in `step`s (the extremes included
// even when not a multiple of step), ending at 0. Throws std::invalid_argument on a plan with
// amplitude or step outside (0, 1].
std::vector<float> sweep_points(const SweepPlan& plan);

// What the bench did in one tick.
struct BenchTick {
  fw::DriveCommand command;  // the setpoint handed to the link
  bool accepted = false;     // the link took it (false before the handshake, after a loss)
  bool sweep_moved = false;  // the sweep went to a new point this tick (print it)
};

// Snapshot for the status line.
struct BenchView {
  float steering_norm = 0.0f;   // steering of the last setpoint
  float throttle_norm = 0.0f;   // throttle of the last setpoint
  float nudge_throttle = 0.0f;  // magnitude the next nudge uses (capped)
  bool nudging = false;         // a nudge was active at the last tick
  bool sweeping = false;        // a sweep is running
  std::size_t sweep_index = 0;  // current sweep point
  std::size_t sweep_size = 0;   // points in the sweep (0: none)
  std::uint64_t ticks = 0;      // setpoints issued
  std::uint64_t refused = 0;    // setpoints the link did not take
};

class MotorBench {
 public:
  // `link` must outlive the bench. Settings are clamped into their ranges.
  MotorBench(fw::MotorLink& link, BenchSettings settings);
  ~MotorBench();  // finish()
  MotorBench(const MotorBench&) = delete;
  MotorBench& operator=(const MotorBench&) = delete;

  // A key event at `now` (a press or an auto-repeat: they look the same).
  void press(BenchKey key, TimePoint now);
  // Throttle `throttle_norm` (capped by max_throttle) for `hold` from `now`, no key needed.
  void nudge(float throttle_norm, TimePoint now, Duration hold);
  // Holds steering at `steering_norm` (clamped to [-1, 1]).
  void set_steering(float steering_norm);
  // Starts `plan` at `now`: throttle 0 and any nudge cancelled until it ends.
  void start_sweep(const SweepPlan& plan, TimePoint now);
  // Once per control tick: computes and sends a fresh setpoint.
  BenchTick tick(TimePoint now);
  // Neutral, then link.stop() (neutral, disarm, close). Safe to call more than once.
  void finish(TimePoint now);

  bool quit_requested() const { return quit_; }
  bool sweep_done() const { return !sweep_.has_value(); }
  // The sweep point now being held, if a sweep runs.
  std::optional<float> sweep_target() const;
  BenchView view() const;

 private:
  float capped(float throttle_norm) const;
  void stop_motion();
  float sweep_steering(TimePoint now, bool& moved);

  fw::MotorLink& link_;
  BenchSettings settings_;
  float steering_ = 0.0f;
  float nudge_sign_ = 0.0f;   // +1 forward, -1 reverse, 0 none
  float nudge_level_ = 0.0f;  // magnitude of the running nudge
  TimePoint nudge_until_{};
  bool quit_ = false;
  bool finished_ = false;
  struct Sweep {
    std::vector<float> points;
    Duration dwell;
    TimePoint started;
    std::size_t index = 0;
    bool announced = false;  // the current point was reported as sweep_moved
  };
  std::optional<Sweep> sweep_;
  fw::DriveCommand last_;
  bool last_nudging_ = false;
  std::uint64_t ticks_ = 0;
  std::uint64_t refused_ = 0;
};

// What a setpoint becomes at the board under the motor.* calibration: servo/ESC pulses for
// native, native_sim and mm1, servo position and duty / erpm / current for vesc.
class OutputMap {
 public:
  // Throws std::invalid_argument (naming the motor.* keys) on limits that are not ordered.
  explicit OutputMap(const config::MotorConfig& motor);
  // e.g. "1350 us", "1509 us (370 ticks)" (pca9685) or "servo 0.465"; "" for the sim driver.
  std::string steering(float steering_norm) const;
  // e.g. "1575 us" or "duty 0.030".
  std::string throttle(float throttle_norm) const;
  // What the link last put on the wire (its status, not this map): the setpoint after every
  // override and clamp, e.g. "out +0.00/+0.00 (1500/1500 us)"; "out -" before the first.
  std::string sent(const fw::LinkStatus& link) const;

 private:
  config::MotorConfig motor_;
};

// One status line: the requested setpoint, what went out, link and board state, counters.
std::string format_bench_status(const BenchView& view, const fw::LinkStatus& link,
                                const OutputMap& map, TimePoint now);

}  // namespace rcpilot::vehicle
