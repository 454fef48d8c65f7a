#pragma once
// How the car drives along its track, as only a simulated car can tell (telemetry's `sim`
// object, the status line). Absent on a real car.
namespace rcpilot::vehicle {

struct DrivingProgress {
  bool present = false;         // false on a real car
  int laps = 0;                 // laps completed
  double cte_m = 0.0;           // signed cross-track error now, m (+ left of centre)
  double mean_abs_cte_m = 0.0;  // mean |cross-track error| since start, m
  double max_abs_cte_m = 0.0;   // max |cross-track error| since start, m
  int off_track_events = 0;     // times the car left the road
  double speed_mps = 0.0;       // m/s now
};

}  // namespace rcpilot::vehicle
