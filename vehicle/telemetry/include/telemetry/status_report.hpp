#pragma once
// The live one-line status and the final summary the node prints for a person watching.
#include <string>

#include <nlohmann/json.hpp>

#include "perception/frame_grabber.hpp"
#include "perception/pilot_thread.hpp"
#include "control/control_loop.hpp"
#include "telemetry/driving_progress.hpp"

namespace rcpilot::vehicle {

struct StatusSnapshot {
  double elapsed_s = 0.0;      // s since driving started
  double rate_hz = 0.0;        // configured control rate
  LoopStats loop;
  perception::PilotStats pilot;
  perception::GrabberStats camera;
  DrivingProgress progress;
};

// One line, no newline: loop Hz, inference p50/p99, steering, throttle, lap, CTE, reason.
std::string format_status_line(const StatusSnapshot& s);
// A multi-line summary for the end of a run.
std::string format_summary(const StatusSnapshot& s);
// The same figures plus the motor link's, as the control API's `status` reply carries them.
nlohmann::json status_to_json(const StatusSnapshot& s, const fw::LinkStatus& link);

}  // namespace rcpilot::vehicle
