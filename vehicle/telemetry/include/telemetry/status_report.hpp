#pragma once
// The live one-line status and the final summary the node prints for a person watching.
#include <string>

#include <nlohmann/json.hpp>

#include "perception/pilot_thread.hpp"
#include "control/control_loop.hpp"

namespace rcpilot::vehicle {

// The simulator's view of how the car drives (absent on a real car).
struct DrivingProgress {
  bool present = false;        // false on a real car
  int laps = 0;                // laps completed
  double cte_m = 0.0;          // signed cross-track error now, m (+ left of centre)
  double mean_abs_cte_m = 0.0; // mean |cross-track error| since start, m
  double max_abs_cte_m = 0.0;  // max |cross-track error| since start, m
  int off_track_events = 0;    // times the car left the road
  double speed_mps = 0.0;      // m/s now
};

struct StatusSnapshot {
  double elapsed_s = 0.0;      // s since driving started
  double rate_hz = 0.0;        // configured control rate
  LoopStats loop;
  perception::PilotStats pilot;
  DrivingProgress progress;
};

// One line, no newline: loop Hz, inference p50/p99, steering, throttle, lap, CTE, reason.
std::string format_status_line(const StatusSnapshot& s);
// A multi-line summary for the end of a run.
std::string format_summary(const StatusSnapshot& s);
// The same figures plus the motor link's, as the control API's `status` reply carries them.
nlohmann::json status_to_json(const StatusSnapshot& s, const fw::LinkStatus& link);

}  // namespace rcpilot::vehicle
