#include "telemetry/status_report.hpp"

#include <fmt/format.h>

namespace rcpilot::vehicle {

namespace {
// Deadline ticks per second, from the mean period of the recent window.
double loop_hz(const LoopStats& loop) {
  return loop.period_ms.mean > 0.0 ? 1000.0 / loop.period_ms.mean : 0.0;
}
}  // namespace

std::string format_status_line(const StatusSnapshot& s) {
  const auto& st = s.loop.last;
  std::string line = fmt::format(
      "{:6.1f}s | loop {:5.1f} Hz | infer p50 {:4.1f} p99 {:4.1f} ms | pilot {:4.1f} fps | "
      "steer {:+.2f} thr {:+.2f} | {}",
      s.elapsed_s, loop_hz(s.loop), s.pilot.inference_ms.p50, s.pilot.inference_ms.p99,
      s.pilot.unique_frames_per_s, st.command.steering_norm, st.command.throttle_norm,
      to_string(st.mode));
  if (s.progress.present) {
    line += fmt::format(" | lap {} | cte {:+.3f} m | off-track {}", s.progress.laps,
                        s.progress.cte_m, s.progress.off_track_events);
  }
  if (st.reason != StopReason::kNone) line += fmt::format(" | NEUTRAL: {}", to_string(st.reason));
  return line;
}

std::string format_summary(const StatusSnapshot& s) {
  const auto& l = s.loop;
  std::string out = fmt::format(
      "rcpilot summary after {:.1f} s\n"
      "  control loop   {} ticks at {:.1f} Hz (configured {:.0f}), period p50 {:.2f} p99 {:.2f} "
      "max {:.2f} ms, period error p99 {:.3f} max {:.3f} ms, {} overruns, {} extra setpoints on "
      "new predictions\n"
      "  pilot          {} predictions ({} invalid), {:.1f} unique frames/s, inference p50 "
      "{:.2f} p99 {:.2f} ms\n"
      "  latency        capture -> setpoint p50 {:.2f} p99 {:.2f} max {:.2f} ms\n",
      s.elapsed_s, l.ticks, loop_hz(l), s.rate_hz, l.period_ms.p50, l.period_ms.p99,
      l.period_ms.max, l.period_error_ms.p99, l.period_error_ms.max, l.overruns, l.prediction_wakes, s.pilot.predictions, s.pilot.invalid,
      s.pilot.unique_frames_per_s, s.pilot.inference_ms.p50, s.pilot.inference_ms.p99,
      l.latency_ms.p50, l.latency_ms.p99, l.latency_ms.max);
  if (s.progress.present) {
    out += fmt::format(
        "  driving        {} laps, |cte| mean {:.3f} max {:.3f} m, {} off-track events\n",
        s.progress.laps, s.progress.mean_abs_cte_m, s.progress.max_abs_cte_m,
        s.progress.off_track_events);
  }
  return out;
}

namespace {
nlohmann::json percentiles_json(const Percentiles& p) {
  return {{"p50", p.p50}, {"p99", p.p99}, {"max", p.max}};
}
}  // namespace

nlohmann::json status_to_json(const StatusSnapshot& s, const fw::LinkStatus& link) {
  const auto& l = s.loop;
  const auto& st = l.last;
  nlohmann::json j = {
      {"uptime_s", s.elapsed_s},
      {"reason", to_string(st.reason)},
      {"steering", st.command.steering_norm},
      {"throttle", st.command.throttle_norm},
      {"loop", {{"rate_hz", s.rate_hz}, {"measured_hz", loop_hz(l)}, {"ticks", l.ticks},
                {"overruns", l.overruns}, {"lagging", st.lagging},
                {"period_error_ms", percentiles_json(l.period_error_ms)},
                {"exec_ms", percentiles_json(l.exec_ms)},
                {"latency_ms", percentiles_json(l.latency_ms)}}},
      {"pilot", {{"predictions", s.pilot.predictions}, {"invalid", s.pilot.invalid},
                 {"unique_frames_per_s", s.pilot.unique_frames_per_s},
                 {"inference_ms", percentiles_json(s.pilot.inference_ms)}}},
      {"camera", {{"alive", s.camera.camera_alive}, {"frames", s.camera.frames},
                  {"read_failures", s.camera.read_failures}, {"lost_events", s.camera.lost_events},
                  {"stalls", s.camera.stalls}, {"reopens", s.camera.reopens},
                  {"reopen_failures", s.camera.reopen_failures},
                  {"since_last_frame_ms", s.camera.since_last_frame_ms},
                  {"last_error", s.camera.last_error}}},
      {"link", {{"alive", link.alive}, {"commands_sent", link.commands_sent},
                {"send_failures", link.send_failures}, {"link_losses", link.link_losses},
                {"reconnects", link.reconnects}, {"battery_v", link.board.battery_v}}},
  };
  if (s.progress.present) {
    j["sim"] = {{"laps", s.progress.laps}, {"cte_m", s.progress.cte_m},
                {"off_track_events", s.progress.off_track_events}};
  }
  return j;
}

}  // namespace rcpilot::vehicle
