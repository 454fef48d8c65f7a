#pragma once
// A closed race track: a centreline built from straights and arcs, loaded from YAML.
// World frame: x east, y north, metres; headings in radians, counter-clockwise from +x.
#include <string>
#include <vector>

#include "config/config.hpp"

namespace rcpilot::sim {

// A position and heading in the world frame.
struct Pose2 {
  double x_m = 0.0;
  double y_m = 0.0;
  double yaw_rad = 0.0;  // counter-clockwise from +x
};

// One piece of centreline as written in the track file.
struct TrackSegment {
  enum class Kind { kStraight, kArc };
  Kind kind = Kind::kStraight;
  double length_m = 0.0;   // straight: length; arc: derived arc length
  double radius_m = 0.0;   // arc only, > 0
  double angle_rad = 0.0;  // arc only; positive turns left, negative right
  int line = 0;            // line in the track file, for error messages
};

// Everything a track file says, before the centreline is built.
struct TrackSpec {
  std::string name;
  double road_width_m = 0.8;  // m, edge line to edge line
  Pose2 start;                // start line pose; s = 0 here
  std::vector<TrackSegment> segments;
  std::string source = "<memory>";  // file the spec came from, named in errors
};

// A sample of the centreline.
struct TrackPoint {
  double x_m = 0.0;
  double y_m = 0.0;
  double heading_rad = 0.0;
  double s_m = 0.0;            // arc length from the start line, [0, length)
  double curvature_1pm = 0.0;  // 1/m, positive = turning left
};

// Where a point lies relative to the centreline.
struct TrackProjection {
  double s_m = 0.0;          // arc length of the closest centreline point, [0, length)
  double cte_m = 0.0;        // signed cross-track error, + = left of the centreline
  double heading_rad = 0.0;  // track heading at s
  int index = 0;             // closest sample; pass back as the hint for the next call
};

class Track {
 public:
  // Samples the centreline every ~spacing_m; throws std::runtime_error naming spec.source when
  // the segments do not return to the start pose (within 5 cm and 2 deg).
  explicit Track(TrackSpec spec, double spacing_m = 0.01);

  const std::string& name() const { return spec_.name; }
  const std::string& source() const { return spec_.source; }
  double road_width_m() const { return spec_.road_width_m; }
  double length_m() const { return length_m_; }
  const Pose2& start() const { return spec_.start; }
  const std::vector<TrackPoint>& points() const { return points_; }
  const std::vector<TrackSegment>& segments() const { return spec_.segments; }

  // Wraps any arc length into [0, length).
  double wrap_s(double s_m) const;
  // Centreline point at arc length s (any value, wrapped), linearly interpolated.
  TrackPoint at(double s_m) const;
  // Pose `lateral_m` to the left of the centreline at s, heading along the track.
  Pose2 pose_at(double s_m, double lateral_m = 0.0) const;
  // Closest centreline point to (x, y). hint < 0 searches the whole track; otherwise a local
  // search starts at sample `hint` (use the previous result's index: O(1) per call).
  TrackProjection project(double x_m, double y_m, int hint = -1) const;
  // Largest |curvature| (1/m) over the arc [s, s + ahead_m].
  double max_abs_curvature(double s_m, double ahead_m) const;
  // The same road driven the other way round (same start point, heading turned 180 deg).
  Track reversed() const;

 private:
  int search_local(double x_m, double y_m, int hint) const;
  int search_global(double x_m, double y_m) const;
  double distance_sq(int index, double x_m, double y_m) const;

  TrackSpec spec_;
  std::vector<TrackPoint> points_;
  double length_m_ = 0.0;
};

// Parses YAML text into a spec; errors read "<source>:<line>: <what is wrong and how to fix>".
TrackSpec parse_track_spec(const std::string& yaml_text, const std::string& source);
// Loads and builds a track file; throws std::runtime_error naming the file on any problem.
Track load_track(const std::string& path);
// The track sim.track names, relative to the config's folder, with sim.road_width_m (when
// set) as its road width; throws naming the file when an arc is too tight for that width.
Track load_configured_track(const config::Config& cfg);

}  // namespace rcpilot::sim
