#pragma once
// Random closed tracks from a seed: a star-shaped polygon whose corners are rounded into arcs,
// so training and evaluation need not depend on one hand-written layout.
#include <string>

#include "sim/track.hpp"

namespace rcpilot::sim {

struct TrackGenOptions {
  unsigned seed = 1;           // the same options and seed give the same track, bit for bit
  double min_length_m = 20.0;  // m, centreline length range
  double max_length_m = 40.0;
  double min_radius_m = 1.0;  // m, tightest arc: |curvature| <= 1 / min_radius_m
  double min_width_m = 0.6;   // m, road width range (one width per track)
  double max_width_m = 1.2;
  std::string name;  // track name; empty: "generated-<seed>"
};

// A closed, non-self-intersecting track within the options' limits (parts of the road that are
// not neighbours along it stay at least a road width plus a 0.3 m verge apart). Throws
// std::invalid_argument naming the option when the limits are inconsistent, and
// std::runtime_error when no layout was found (limits too tight).
TrackSpec generate_track(const TrackGenOptions& options);

// The spec as a track file that parse_track_spec() reads back to the same track (closure within
// micrometres).
std::string track_to_yaml(const TrackSpec& spec);

// True when two points of the centreline more than a U-turn apart along it come closer than
// `clearance_m` (the road would overlap itself). Samples every 5 cm.
bool track_overlaps_itself(const Track& track, double clearance_m);

}  // namespace rcpilot::sim
