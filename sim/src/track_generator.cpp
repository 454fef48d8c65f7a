#include "sim/track_generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <opencv2/core.hpp>

namespace rcpilot::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kVergeM = 0.3;                      // grass kept between two passes of the road, m
constexpr double kMinStraightM = 0.1;                // shortest straight between two arcs, m
constexpr double kMaxTurnRad = 150.0 * kPi / 180.0;  // sharper corners need too long tangents
constexpr int kAttempts = 500;

struct Corner {
  double x = 0.0, y = 0.0;  // polygon vertex, unit scale
  double turn_rad = 0.0;    // heading change at the vertex, + left
  double radius_m = 0.0;    // fillet radius
  double tangent_m = 0.0;   // distance from the vertex to where the arc starts and ends
};

double round_to(double v, double step) { return std::round(v / step) * step; }

void check_options(const TrackGenOptions& o) {
  if (!(o.min_length_m > 0 && o.min_length_m <= o.max_length_m)) {
    throw std::invalid_argument("track generator: need 0 < min length <= max length (m)");
  }
  if (!(o.min_width_m > 0 && o.min_width_m <= o.max_width_m)) {
    throw std::invalid_argument("track generator: need 0 < min width <= max width (m)");
  }
  if (!(o.min_radius_m >= o.max_width_m / 2)) {
    throw std::invalid_argument(
        "track generator: the minimum radius must be at least half the maximum road width "
        "(the inner edge of a curve cannot turn tighter than a point)");
  }
}

// A star-shaped polygon: vertices sorted by angle round the origin never cross.
std::vector<Corner> random_polygon(cv::RNG& rng) {
  const int n = rng.uniform(5, 10);
  std::vector<Corner> corners(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const double a = 2 * kPi * (i + rng.uniform(-0.3, 0.3)) / n;
    const double r = rng.uniform(0.55, 1.0);
    corners[static_cast<std::size_t>(i)].x = r * std::cos(a);
    corners[static_cast<std::size_t>(i)].y = r * std::sin(a);
  }
  if (rng.uniform(0.0, 1.0) < 0.5) std::reverse(corners.begin(), corners.end());  // clockwise
  return corners;
}

double edge_heading(const Corner& a, const Corner& b) { return std::atan2(b.y - a.y, b.x - a.x); }
double edge_length(const Corner& a, const Corner& b) { return std::hypot(b.x - a.x, b.y - a.y); }

// Fills turn, radius and tangent of every corner; false when a corner is too sharp.
bool fillet(std::vector<Corner>& c, const TrackGenOptions& o, cv::RNG& rng) {
  const std::size_t n = c.size();
  for (std::size_t i = 0; i < n; ++i) {
    const Corner& prev = c[(i + n - 1) % n];
    const Corner& next = c[(i + 1) % n];
    c[i].turn_rad = std::remainder(edge_heading(c[i], next) - edge_heading(prev, c[i]), 2 * kPi);
    if (std::fabs(c[i].turn_rad) > kMaxTurnRad) return false;
    c[i].radius_m = o.min_radius_m * rng.uniform(1.0, 2.5);
    c[i].tangent_m = c[i].radius_m * std::tan(std::fabs(c[i].turn_rad) / 2);
  }
  return true;
}

// Scales the polygon so the rounded track is `length_m` long; empty when a straight would be
// shorter than kMinStraightM.
std::vector<TrackSegment> segments_for(const std::vector<Corner>& c, double length_m) {
  const std::size_t n = c.size();
  double perimeter = 0.0, arcs = 0.0, tangents = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    perimeter += edge_length(c[i], c[(i + 1) % n]);
    arcs += c[i].radius_m * std::fabs(c[i].turn_rad);
    tangents += 2 * c[i].tangent_m;
  }
  const double scale = (length_m - arcs + tangents) / perimeter;
  std::vector<TrackSegment> segs;
  for (std::size_t k = 0; k < n; ++k) {  // straight from corner k to k+1, then corner k+1's arc
    const Corner& a = c[k];
    const Corner& b = c[(k + 1) % n];
    const double straight = scale * edge_length(a, b) - a.tangent_m - b.tangent_m;
    if (straight < kMinStraightM) return {};
    TrackSegment s;
    s.length_m = round_to(straight, 1e-6);
    segs.push_back(s);
    TrackSegment arc;
    arc.kind = TrackSegment::Kind::kArc;
    arc.radius_m = round_to(b.radius_m, 1e-6);
    arc.angle_rad = round_to(b.turn_rad * 180.0 / kPi, 1e-6) * kPi / 180.0;
    arc.length_m = arc.radius_m * std::fabs(arc.angle_rad);
    segs.push_back(arc);
  }
  return segs;
}

std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  return buf;
}

}  // namespace

bool track_overlaps_itself(const Track& track, double clearance_m) {
  const Track coarse(TrackSpec{track.name(), track.road_width_m(), track.start(), track.segments(),
                               track.source()},
                     0.05);
  const auto& p = coarse.points();
  const double length = coarse.length_m();
  const double min_apart_m = kPi * clearance_m / 2;  // a U-turn of radius clearance/2
  for (std::size_t i = 0; i < p.size(); ++i) {
    for (std::size_t j = i + 1; j < p.size(); ++j) {
      const double ds = p[j].s_m - p[i].s_m;
      if (std::min(ds, length - ds) <= min_apart_m) continue;
      if (std::hypot(p[j].x_m - p[i].x_m, p[j].y_m - p[i].y_m) < clearance_m) return true;
    }
  }
  return false;
}

TrackSpec generate_track(const TrackGenOptions& o) {
  check_options(o);
  cv::RNG rng(0x7a3c0001ull * (o.seed + 1ull));
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    TrackSpec spec;
    spec.name = o.name.empty() ? "generated-" + std::to_string(o.seed) : o.name;
    spec.source = "<generated track, seed " + std::to_string(o.seed) + ">";
    spec.road_width_m = round_to(rng.uniform(o.min_width_m, o.max_width_m), 1e-3);
    const double length_m = rng.uniform(o.min_length_m, o.max_length_m);
    std::vector<Corner> corners = random_polygon(rng);
    if (!fillet(corners, o, rng)) continue;
    spec.segments = segments_for(corners, length_m);
    if (spec.segments.empty()) continue;
    spec.start.yaw_rad =
        round_to(edge_heading(corners[0], corners[1]) * 180.0 / kPi, 1e-6) * kPi / 180.0;
    const Track track(spec);  // throws when it does not close (a bug here, not bad input)
    if (track_overlaps_itself(track, spec.road_width_m + kVergeM)) continue;
    return spec;
  }
  std::ostringstream msg;
  msg << "track generator: no track found for seed " << o.seed << " in " << kAttempts
      << " attempts; widen the length range or lower the minimum radius";
  throw std::runtime_error(msg.str());
}

std::string track_to_yaml(const TrackSpec& spec) {
  std::ostringstream out;
  out << "name: " << spec.name << "\n";
  out << "road_width_m: " << format_number(spec.road_width_m) << "\n";
  out << "start: {x_m: " << format_number(spec.start.x_m)
      << ", y_m: " << format_number(spec.start.y_m)
      << ", heading_deg: " << format_number(spec.start.yaw_rad * 180.0 / kPi) << "}\n";
  out << "segments:\n";
  for (const TrackSegment& s : spec.segments) {
    if (s.kind == TrackSegment::Kind::kStraight) {
      out << "  - straight: {length_m: " << format_number(s.length_m) << "}\n";
    } else {
      out << "  - arc: {radius_m: " << format_number(s.radius_m)
          << ", angle_deg: " << format_number(s.angle_rad * 180.0 / kPi) << "}\n";
    }
  }
  return out.str();
}

}  // namespace rcpilot::sim
