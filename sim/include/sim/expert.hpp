#pragma once
// The expert driver: pure pursuit on the centreline. Its output is the training label.
#include "config/config.hpp"
#include "sim/car.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {

// What the expert would command at a pose.
struct ExpertCommand {
  float steering_norm = 0.0f;  // -1 full left .. +1 full right
  float throttle_norm = 0.0f;  // 0 .. expert_throttle
};

struct ExpertParams {
  double lookahead_m = 0.55;            // pure-pursuit lookahead along the centreline
  double throttle = 0.35;               // norm, on straights
  double min_throttle_scale = 0.6;      // throttle never drops below this fraction in curves
  double slowdown_per_curvature = 0.4;  // throttle fraction lost per 1/m of curvature ahead
  double preview_m = 1.5;               // how far ahead curvature slows the expert
  double wheelbase_m = 0.26;
  double max_steer_rad = 0.436;

  static ExpertParams from(const config::SimConfig& sim);
};

class Expert {
 public:
  // `track` must outlive the expert.
  Expert(const Track& track, ExpertParams params);

  // Command for `car` whose projection onto the track is `where`.
  ExpertCommand command(const CarState& car, const TrackProjection& where) const;
  // Same, projecting the car itself (hint as in Track::project).
  ExpertCommand command(const CarState& car, int hint = -1) const;

  const ExpertParams& params() const { return params_; }

 private:
  const Track* track_;
  ExpertParams params_;
};

}  // namespace rcpilot::sim
