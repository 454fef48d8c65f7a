#include "sim/track.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace rcpilot::sim {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kClosureTolM = 0.05;
constexpr double kClosureTolRad = 2.0 * kPi / 180.0;
constexpr int kLocalWindow = 60;        // samples searched each side of the hint (~0.6 m)
constexpr double kMaxLengthM = 1000.0;  // a 1/10 scale track; bounds the samples (memory)

double wrap_angle(double a) { return std::remainder(a, 2.0 * kPi); }

// Pose after driving `d` metres along `seg` from `p`.
Pose2 advance(const Pose2& p, const TrackSegment& seg, double d) {
  if (seg.kind == TrackSegment::Kind::kStraight) {
    return {p.x_m + d * std::cos(p.yaw_rad), p.y_m + d * std::sin(p.yaw_rad), p.yaw_rad};
  }
  const double sign = seg.angle_rad > 0 ? 1.0 : -1.0;
  const double r = seg.radius_m;
  const double cx = p.x_m - sign * r * std::sin(p.yaw_rad);
  const double cy = p.y_m + sign * r * std::cos(p.yaw_rad);
  const double yaw = p.yaw_rad + sign * d / r;
  return {cx + sign * r * std::sin(yaw), cy - sign * r * std::cos(yaw), yaw};
}

double curvature_of(const TrackSegment& seg) {
  if (seg.kind == TrackSegment::Kind::kStraight) return 0.0;
  return (seg.angle_rad > 0 ? 1.0 : -1.0) / seg.radius_m;
}

void check_closure(const TrackSpec& spec, const Pose2& end) {
  const double dx = end.x_m - spec.start.x_m;
  const double dy = end.y_m - spec.start.y_m;
  const double gap_m = std::hypot(dx, dy);
  const double gap_rad = std::fabs(wrap_angle(end.yaw_rad - spec.start.yaw_rad));
  if (gap_m <= kClosureTolM && gap_rad <= kClosureTolRad) return;
  std::ostringstream msg;
  msg << spec.source << ": track '" << spec.name << "' does not close: the last segment ends "
      << gap_m << " m (dx " << dx << ", dy " << dy << ") and " << gap_rad * 180.0 / kPi
      << " deg away from the start pose (allowed: " << kClosureTolM << " m, "
      << kClosureTolRad * 180.0 / kPi
      << " deg); adjust segment lengths/angles so the arcs sum to +-360 deg and the path returns "
         "to the start";
  throw std::runtime_error(msg.str());
}

}  // namespace

Track::Track(TrackSpec spec, double spacing_m) : spec_(std::move(spec)) {
  if (spec_.segments.empty()) {
    throw std::runtime_error(spec_.source + ": track has no segments");
  }
  double total_m = 0.0;
  for (const TrackSegment& seg : spec_.segments) total_m += seg.length_m;
  if (!(total_m <= kMaxLengthM)) {
    throw std::runtime_error(spec_.source + ": track '" + spec_.name + "' is " +
                             std::to_string(total_m) + " m long; the simulator takes at most " +
                             std::to_string(kMaxLengthM) + " m: shorten the segments");
  }
  Pose2 pose = spec_.start;
  double s = 0.0;
  for (const TrackSegment& seg : spec_.segments) {
    const int steps = std::max(1, static_cast<int>(std::ceil(seg.length_m / spacing_m)));
    const double step_m = seg.length_m / steps;
    const double curvature = curvature_of(seg);
    for (int i = 0; i < steps; ++i) {
      const Pose2 p = advance(pose, seg, i * step_m);
      points_.push_back({p.x_m, p.y_m, wrap_angle(p.yaw_rad), s + i * step_m, curvature});
    }
    pose = advance(pose, seg, seg.length_m);
    s += seg.length_m;
  }
  length_m_ = s;
  check_closure(spec_, pose);
}

double Track::wrap_s(double s_m) const {
  double w = std::fmod(s_m, length_m_);
  if (w < 0) w += length_m_;
  return w >= length_m_ ? 0.0 : w;
}

TrackPoint Track::at(double s_m) const {
  const double s = wrap_s(s_m);
  auto it = std::upper_bound(points_.begin(), points_.end(), s,
                             [](double v, const TrackPoint& p) { return v < p.s_m; });
  const std::size_t i =
      static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, (it - points_.begin()) - 1));
  const TrackPoint& a = points_[i];
  const TrackPoint& b = points_[(i + 1) % points_.size()];
  const double span = (i + 1 == points_.size()) ? length_m_ - a.s_m : b.s_m - a.s_m;
  const double t = span > 0 ? (s - a.s_m) / span : 0.0;
  TrackPoint out = a;
  out.x_m = a.x_m + t * (b.x_m - a.x_m);
  out.y_m = a.y_m + t * (b.y_m - a.y_m);
  out.heading_rad = wrap_angle(a.heading_rad + t * wrap_angle(b.heading_rad - a.heading_rad));
  out.s_m = s;
  return out;
}

Pose2 Track::pose_at(double s_m, double lateral_m) const {
  const TrackPoint p = at(s_m);
  return {p.x_m - lateral_m * std::sin(p.heading_rad), p.y_m + lateral_m * std::cos(p.heading_rad),
          p.heading_rad};
}

double Track::distance_sq(int index, double x_m, double y_m) const {
  const TrackPoint& p = points_[static_cast<std::size_t>(index)];
  const double dx = x_m - p.x_m;
  const double dy = y_m - p.y_m;
  return dx * dx + dy * dy;
}

int Track::search_global(double x_m, double y_m) const {
  int best = 0;
  const int n = static_cast<int>(points_.size());
  for (int i = 1; i < n; ++i) {
    if (distance_sq(i, x_m, y_m) < distance_sq(best, x_m, y_m)) best = i;
  }
  return best;
}

int Track::search_local(double x_m, double y_m, int hint) const {
  const int n = static_cast<int>(points_.size());
  auto wrap = [n](int i) { return ((i % n) + n) % n; };
  int best = hint;
  double best_d = distance_sq(hint, x_m, y_m);
  for (int k = -kLocalWindow; k <= kLocalWindow; ++k) {
    const double d = distance_sq(wrap(hint + k), x_m, y_m);
    if (d < best_d) best_d = d, best = wrap(hint + k);
  }
  // Hill-climb past the window when the hint was stale (a teleport or a long gap).
  for (int dir : {-1, 1}) {
    for (int steps = 0; steps < n; ++steps) {
      const double d = distance_sq(wrap(best + dir), x_m, y_m);
      if (d >= best_d) break;
      best_d = d, best = wrap(best + dir);
    }
  }
  return best;
}

TrackProjection Track::project(double x_m, double y_m, int hint) const {
  const int n = static_cast<int>(points_.size());
  const int best = (hint < 0 || hint >= n) ? search_global(x_m, y_m) : search_local(x_m, y_m, hint);
  TrackProjection out;
  out.index = best;
  double best_d = 1e300;
  // Refine on the two chords that touch the closest sample.
  for (int a : {(best - 1 + n) % n, best}) {
    const TrackPoint& p = points_[static_cast<std::size_t>(a)];
    const TrackPoint& q = points_[static_cast<std::size_t>((a + 1) % n)];
    const double cx = q.x_m - p.x_m, cy = q.y_m - p.y_m;
    const double len_sq = cx * cx + cy * cy;
    const double vx = x_m - p.x_m, vy = y_m - p.y_m;
    const double t = std::clamp((vx * cx + vy * cy) / len_sq, 0.0, 1.0);
    const double dx = vx - t * cx, dy = vy - t * cy;
    const double d = dx * dx + dy * dy;
    if (d >= best_d) continue;
    best_d = d;
    const double len = std::sqrt(len_sq);
    out.s_m = wrap_s(p.s_m + t * len);
    out.cte_m = (cx * vy - cy * vx) / len;
    out.heading_rad = std::atan2(cy, cx);
  }
  return out;
}

double Track::max_abs_curvature(double s_m, double ahead_m) const {
  double k = 0.0;
  const double step = 0.05;
  for (double d = 0.0; d <= ahead_m + 1e-9; d += step) {
    k = std::max(k, std::fabs(at(s_m + d).curvature_1pm));
  }
  return k;
}

Track Track::reversed() const {
  TrackSpec spec = spec_;
  spec.name += " (reversed)";
  spec.start.yaw_rad = wrap_angle(spec.start.yaw_rad + kPi);
  std::reverse(spec.segments.begin(), spec.segments.end());
  for (TrackSegment& seg : spec.segments) seg.angle_rad = -seg.angle_rad;
  return Track(std::move(spec), length_m_ / static_cast<double>(points_.size()));
}

}  // namespace rcpilot::sim
