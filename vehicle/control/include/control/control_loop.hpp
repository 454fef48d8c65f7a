#pragma once
// The real-time thread: a fixed-rate loop on absolute deadlines that also acts at once on a new
// prediction. Each wake it reads the newest prediction, lets ControlCore decide and sends the
// setpoint to the motor link; telemetry gets a copy through a non-blocking sink.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "common/pi_mutex.hpp"
#include "common/stats.hpp"
#include "common/wake_flag.hpp"
#include "firmware_iface/motor_link.hpp"
#include "control/control_core.hpp"
#include "control/operator_inputs.hpp"
#include "control/supervisor.hpp"

namespace rcpilot::vehicle {

// Receives each tick's state; must not block (telemetry queues and drops).
class StateSink {
 public:
  virtual ~StateSink() = default;
  virtual void on_tick(const TickState& state) = 0;
};

// Hands each tick to several sinks in turn (telemetry, recorder); each must not block.
class FanOutSink final : public StateSink {
 public:
  void add(StateSink* sink) {
    if (sink != nullptr && count_ < sinks_.size()) sinks_[count_++] = sink;
  }
  void on_tick(const TickState& state) override {
    for (std::size_t i = 0; i < count_; ++i) sinks_[i]->on_tick(state);
  }

 private:
  std::array<StateSink*, 4> sinks_{};
  std::size_t count_ = 0;
};

struct LoopStats {
  std::uint64_t ticks = 0;             // deadline ticks run
  std::uint64_t overruns = 0;          // deadline ticks skipped because the loop was late
  std::uint64_t prediction_wakes = 0;  // extra setpoints sent at once on a new prediction
  Percentiles period_ms;               // time between deadline ticks, last 1000 ticks
  Percentiles period_error_ms;         // |period - nominal period|, every tick since start
  Percentiles exec_ms;                 // compute + send time per wake, last 1000 wakes
  Percentiles latency_ms;              // frame capture -> setpoint sent, per new prediction,
                                       // since start
  TickState last;                      // the newest tick
};

class ControlLoop {
 public:
  // The thread sleeps on `clock`, which must then be the real monotonic clock; step() alone
  // works on any clock.
  ControlLoop(const config::ControlConfig& control, ControlCore& core,
              const LatestSlot<perception::Prediction>& predictions, fw::MotorLink& link,
              StateSink& sink, const Clock& clock);
  ~ControlLoop();

  // Starts the thread, which applies control.rt_priority, control.cpu and control.lock_memory to
  // itself first; returns one warning per setting that could not be applied (the caller logs).
  std::vector<std::string> start();
  // Stops the thread, then sends neutral (reason shutdown) and publishes that last state.
  void stop();
  // One wake of the loop at `now`: a deadline tick once `now` reached the next deadline (missed
  // deadlines are skipped and counted, never burst), else a setpoint at once when a new
  // prediction arrived. Returns the next deadline. The thread calls it after each wake; tests
  // call it with a ManualClock's time instead of start().
  TimePoint step(TimePoint now);
  // Wakes the loop at once (the pilot calls this after publishing a prediction).
  void notify_prediction();
  // Checked every tick (before start()): false means the camera is lost and the model may not
  // drive. Must not block or allocate. Without it the camera counts as alive.
  void set_camera_check(std::function<bool(TimePoint)> camera_alive) {
    camera_alive_ = std::move(camera_alive);
  }

  // Operator interfaces (control API, gamepad) submit there; the board's RC receiver reports are
  // submitted by the loop itself. Without it there is no operator input. Any thread.
  void set_operator_inputs(OperatorInputs* operators) { operators_.store(operators); }
  // New tunables, applied at the start of the next tick, all at once. Any thread.
  void update_tunables(const Tunables& tunables) { tunables_.publish(tunables); }

  LoopStats stats() const;
  // Increments on every deadline tick: a stalled loop stops it (the systemd watchdog hook).
  std::uint64_t heartbeat() const { return heartbeat_.load(); }

 private:
  void run();
  void tick(TimePoint now, bool on_deadline);
  // The operator input of this tick; submits the board's RC receiver report first.
  OperatorInput operator_input(TimePoint now);
  // Fills timing fields of `st` and the statistics; `captured_at` is set when a new
  // prediction drove the car (for capture -> command latency).
  void record(TickState& st, TimePoint woke, bool on_deadline, TimePoint captured_at);

  const config::ControlConfig control_;
  ControlCore& core_;
  const LatestSlot<perception::Prediction>& predictions_;
  fw::MotorLink& link_;
  StateSink& sink_;
  const Clock& clock_;
  const Duration period_;
  std::function<bool(TimePoint)> camera_alive_;
  std::atomic<OperatorInputs*> operators_{nullptr};
  LatestSlot<Tunables> tunables_;

  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<std::uint64_t> heartbeat_{0};
  WakeFlag wake_;  // set by the pilot thread (and stop()); no lock it could hold the loop with

  // Loop-thread state.
  std::uint64_t tick_ = 0;
  std::uint64_t last_used_sequence_ = 0;
  std::uint64_t tunables_version_ = 0;
  bool link_ok_ = true;  // the previous setpoint was taken by the link
  TimePoint last_deadline_tick_{};
  TimePoint next_deadline_{};
  bool stepped_ = false;  // false: the first step() is a deadline tick
  bool lagging_ = false;

  // The loop's statistics, and a copy readers summarise outside the loop's lock.
  struct Measurements {
    LoopStats counters;
    SampleWindow period_window{1000};
    Histogram period_error{250.0, 0.01};  // ms; whole run, 10 us bins
    SampleWindow exec_window{1000};
    Histogram latency{250.0, 0.01};  // ms; whole run, 10 us bins
  };
  mutable PiMutex stats_mutex_;  // the loop and stats() readers: priority inheritance
  Measurements m_;               // guarded by stats_mutex_
  LagDetector lag_;
  // stats() copies m_ into this (same sizes: no allocation under the loop's lock), then sorts
  // and summarises the copy holding only readers_mutex_, which the loop never takes.
  mutable std::mutex readers_mutex_;
  mutable Measurements copy_;
};

}  // namespace rcpilot::vehicle
