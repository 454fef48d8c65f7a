#include "sim/lockstep.hpp"

#include "control/control_core.hpp"
#include "sim/sim_board_link.hpp"
#include "sim/sim_camera.hpp"

namespace rcpilot::sim {

namespace {

// Takes a frame when one is due and asks the driver; returns true when it published.
bool maybe_predict(SimCamera* camera, const FrameDriver& driver, const ManualClock& clock,
                   TimePoint& next_frame, Duration frame_period, perception::Frame& frame,
                   vehicle::TickInputs& in, SampleWindow& driver_ms) {
  const TimePoint now = clock.now();
  if (now < next_frame) return false;
  next_frame += frame_period;
  frame.captured_at = now;
  if (camera != nullptr) {
    if (!camera->read(frame.bgr)) return false;
    frame.captured_at = camera->captured_at();  // earlier than now with sim.latency_ms
  }
  ++frame.sequence;
  const SteadyClock wall;
  const TimePoint t0 = wall.now();
  in.prediction = driver(frame, clock);
  driver_ms.add(elapsed_ms(t0, wall.now()));
  in.has_prediction = true;
  return true;
}

LockstepResult summarize_run(const SimWorld& world, const SampleWindow& driver_ms) {
  const auto p = world.progress();
  LockstepResult r;
  r.laps = p.laps;
  r.mean_abs_cte_m = p.mean_abs_cte_m;
  r.max_abs_cte_m = p.max_abs_cte_m;
  r.mean_cte_m = p.mean_cte_m;
  r.off_track_events = p.off_track_events;
  r.off_track_s = p.off_track_s;
  r.mean_lap_s = p.laps > 0 ? p.laps_end_s / p.laps : 0.0;
  r.best_lap_s = p.best_lap_s;
  r.distance_m = p.distance_m;
  r.driver_ms = driver_ms.summary();
  return r;
}

}  // namespace

LockstepResult run_lockstep(const config::Config& cfg, SimWorld& world, ManualClock& clock,
                            const FrameDriver& driver, const LockstepOptions& options) {
  SimCamera camera(world, clock, cfg.camera.fps, /*realtime=*/false);
  LockstepMotor link(cfg.motor, world, clock);  // sim, or native_sim over a pty
  vehicle::ControlCore core(cfg.control, cfg.pilot);
  // A harness: the driver under test is trusted to drive from the first tick.
  core.drive_state().set_self_test_passed(true);
  core.drive_state().arm(vehicle::OperatorInput{});
  const Duration tick_period = seconds_to_duration(1.0 / cfg.control.rate_hz);
  const Duration frame_period = seconds_to_duration(1.0 / cfg.camera.fps);
  const TimePoint start = clock.now();
  TimePoint next_frame = start;
  perception::Frame frame;
  vehicle::TickInputs in;
  SampleWindow driver_ms(4096);
  std::uint64_t ticks = 0, neutral = 0;
  while (world.progress().laps < options.laps &&
         elapsed_ms(start, clock.now()) < options.max_sim_s * 1000.0) {
    maybe_predict(options.render_frames ? &camera : nullptr, driver, clock, next_frame,
                  frame_period, frame, in, driver_ms);
    const vehicle::TickState st = core.decide(in, ++ticks, clock.now());
    if (st.reason != vehicle::StopReason::kNone) ++neutral;
    link.send(st.command);
    clock.advance(tick_period);
    world.advance_to(clock.now());
    if (options.stop_off_track && world.progress().off_track_events > 0) break;
  }
  link.stop();
  LockstepResult r = summarize_run(world, driver_ms);
  r.sim_s = elapsed_ms(start, clock.now()) / 1000.0;
  r.ticks = ticks;
  r.neutral_ticks = neutral;
  return r;
}

FrameDriver expert_driver(const SimWorld& world) {
  return [&world](const perception::Frame& frame, const Clock& clock) {
    const auto cmd = world.expert_command();
    perception::Prediction p;
    p.steering_norm = cmd.steering_norm;
    p.throttle_norm = cmd.throttle_norm;
    p.frame_sequence = frame.sequence;
    p.captured_at = frame.captured_at;
    p.predicted_at = clock.now();
    p.valid = true;
    return p;
  };
}

}  // namespace rcpilot::sim
