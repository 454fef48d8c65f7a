#include "control/control_loop.hpp"

#include <cmath>

#include <future>

#include "firmware_iface/drive_command.hpp"
#include "control/realtime.hpp"

namespace rcpilot::vehicle {

ControlLoop::ControlLoop(const config::ControlConfig& control, ControlCore& core,
                         const LatestSlot<perception::Prediction>& predictions, fw::MotorLink& link,
                         StateSink& sink, const Clock& clock)
    : control_(control),
      core_(core),
      predictions_(predictions),
      link_(link),
      sink_(sink),
      clock_(clock),
      period_(seconds_to_duration(1.0 / control.rate_hz)),
      lag_(1000.0 / control.rate_hz) {}

ControlLoop::~ControlLoop() {
  if (thread_.joinable()) stop();
}

std::vector<std::string> ControlLoop::start() {
  running_ = true;
  std::promise<std::vector<std::string>> warnings;
  std::future<std::vector<std::string>> applied = warnings.get_future();
  thread_ = std::thread([this, &warnings] {
    // Before the first tick, the only time this thread may allocate for reporting.
    warnings.set_value(apply_realtime({control_.rt_priority, control_.cpu, control_.lock_memory}));
    run();
  });
  return applied.get();
}

void ControlLoop::stop() {
  running_ = false;
  notify_prediction();
  if (thread_.joinable()) thread_.join();
  const TimePoint now = clock_.now();
  TickState st;
  st.tick = ++tick_;
  st.now = now;
  st.mode = core_.mode();
  st.reason = StopReason::kShutdown;
  st.command = fw::neutral_command(st.tick, now);
  st.link_ok = link_.send(st.command);
  sink_.on_tick(st);
  std::lock_guard<PiMutex> lock(stats_mutex_);
  m_.counters.last = st;
}

void ControlLoop::notify_prediction() { wake_.set(); }

void ControlLoop::run() {
  next_deadline_ = clock_.now();
  stepped_ = true;
  while (running_) {
    wake_.wait_until(next_deadline_);  // a new prediction wakes it early
    if (!running_) break;
    step(clock_.now());
  }
}

TimePoint ControlLoop::step(TimePoint now) {
  if (!stepped_) next_deadline_ = now;
  stepped_ = true;
  const bool on_deadline = now >= next_deadline_;
  if (on_deadline) {
    // Late: skip the missed deadlines instead of bursting to catch up.
    const auto missed = static_cast<std::uint64_t>((now - next_deadline_) / period_);
    next_deadline_ += period_ * static_cast<Duration::rep>(missed + 1);
    std::lock_guard<PiMutex> lock(stats_mutex_);
    m_.counters.overruns += missed;
  }
  tick(now, on_deadline);
  return next_deadline_;
}

OperatorInput ControlLoop::operator_input(TimePoint now) {
  OperatorInputs* operators = operators_.load();
  if (operators == nullptr) return OperatorInput{};
  const fw::RcInput rc = link_.status().rc;
  if (rc.valid) {
    OperatorInput in;
    in.steering_norm = rc.steering_norm;
    in.throttle_norm = rc.throttle_norm;
    in.received_at = rc.received_at;
    in.valid = true;
    operators->submit(OperatorSource::kRcReceiver, in);
  }
  return operators->current(now, core_.tunables().operator_timeout_ms);
}

void ControlLoop::tick(TimePoint now, bool on_deadline) {
  Tunables tunables;
  if (tunables_.take_if_newer(tunables, tunables_version_)) core_.set_tunables(tunables);
  TickInputs in;
  in.has_prediction = predictions_.peek(in.prediction) != 0;
  const bool new_prediction =
      in.has_prediction && in.prediction.frame_sequence != last_used_sequence_;
  if (!on_deadline && !new_prediction) return;  // spurious wake: nothing new to act on
  in.camera_alive = !camera_alive_ || camera_alive_(now);
  in.link_alive = link_ok_;
  in.operator_input = operator_input(now);
  if (on_deadline) ++tick_;
  TickState st = core_.decide(in, tick_, now);
  st.link_ok = link_.send(st.command);
  link_ok_ = st.link_ok;
  if (!st.link_ok) {
    // Nothing went out: report neutral, what the board's failsafe falls back to, not the
    // setpoint the link refused.
    st.reason = StopReason::kMotorLinkDown;
    st.command.steering_norm = 0.0f;
    st.command.throttle_norm = 0.0f;
  }
  last_used_sequence_ = in.prediction.frame_sequence;
  const bool model_drove =
      new_prediction && st.reason == StopReason::kNone && st.mode != DriveMode::kUser;
  record(st, now, on_deadline, model_drove ? in.prediction.captured_at : TimePoint{});
  if (on_deadline) sink_.on_tick(st);
}

void ControlLoop::record(TickState& st, TimePoint woke, bool on_deadline, TimePoint captured_at) {
  const TimePoint done = clock_.now();
  std::lock_guard<PiMutex> lock(stats_mutex_);
  st.exec_ms = static_cast<float>(elapsed_ms(woke, done));
  m_.exec_window.add(st.exec_ms);
  if (captured_at != TimePoint{}) m_.latency.add(elapsed_ms(captured_at, done));
  if (on_deadline) {
    if (m_.counters.ticks > 0) {
      st.period_ms = static_cast<float>(elapsed_ms(last_deadline_tick_, woke));
      m_.period_window.add(st.period_ms);
      m_.period_error.add(std::abs(st.period_ms - 1000.0 / control_.rate_hz));
      lagging_ = lag_.add(st.period_ms);
    }
    last_deadline_tick_ = woke;
    ++m_.counters.ticks;
    heartbeat_.fetch_add(1);
  } else {
    ++m_.counters.prediction_wakes;
  }
  st.overruns = m_.counters.overruns;
  st.lagging = lagging_;
  m_.counters.last = st;
}

LoopStats ControlLoop::stats() const {
  std::lock_guard<std::mutex> reader(readers_mutex_);
  {
    std::lock_guard<PiMutex> lock(stats_mutex_);
    copy_ = m_;
  }
  LoopStats s = copy_.counters;
  s.period_ms = copy_.period_window.summary();
  s.period_error_ms = copy_.period_error.summary();
  s.exec_ms = copy_.exec_window.summary();
  s.latency_ms = copy_.latency.summary();
  return s;
}

}  // namespace rcpilot::vehicle
