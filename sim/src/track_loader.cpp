// Track YAML parsing; every error names file:line and what to change.
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "config/loader.hpp"
#include "sim/track.hpp"

namespace rcpilot::sim {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

[[noreturn]] void fail(const std::string& source, const YAML::Node& node, const std::string& what) {
  std::ostringstream msg;
  msg << source << ":" << node.Mark().line + 1 << ": " << what;
  throw std::runtime_error(msg.str());
}

void check_keys(const std::string& source, const YAML::Node& map, const std::string& where,
                const std::set<std::string>& allowed) {
  if (!map.IsMap()) fail(source, map, where + " must be a mapping");
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (allowed.count(key) == 0) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(source, kv.first, "unknown key '" + key + "' in " + where + " (allowed: " + list + ")");
    }
  }
}

double number(const std::string& source, const YAML::Node& map, const std::string& key,
              const std::string& where) {
  const YAML::Node v = map[key];
  if (!v) fail(source, map, where + " needs '" + key + "'");
  try {
    const double d = v.as<double>();
    if (!std::isfinite(d)) throw YAML::BadConversion(v.Mark());
    return d;
  } catch (const YAML::BadConversion&) {
    fail(source, v, where + "." + key + " must be a number, got '" + v.as<std::string>("?") + "'");
  }
}

double positive(const std::string& source, const YAML::Node& map, const std::string& key,
                const std::string& where) {
  const double d = number(source, map, key, where);
  if (d <= 0) fail(source, map[key], where + "." + key + " must be > 0");
  return d;
}

TrackSegment parse_segment(const std::string& source, const YAML::Node& item, double road_width) {
  if (!item.IsMap() || item.size() != 1) {
    fail(source, item,
         "each segment is one of 'straight: {length_m: L}' or "
         "'arc: {radius_m: R, angle_deg: A}'");
  }
  const std::string kind = item.begin()->first.as<std::string>();
  const YAML::Node body = item.begin()->second;
  TrackSegment seg;
  seg.line = item.Mark().line + 1;
  if (kind == "straight") {
    check_keys(source, body, "straight", {"length_m"});
    seg.length_m = positive(source, body, "length_m", "straight");
  } else if (kind == "arc") {
    check_keys(source, body, "arc", {"radius_m", "angle_deg"});
    seg.kind = TrackSegment::Kind::kArc;
    seg.radius_m = positive(source, body, "radius_m", "arc");
    const double angle_deg = number(source, body, "angle_deg", "arc");
    if (angle_deg == 0 || std::fabs(angle_deg) > 360) {
      fail(source, body["angle_deg"],
           "arc.angle_deg must be non-zero and within +-360 "
           "(positive turns left, negative right)");
    }
    if (seg.radius_m < road_width / 2) {
      fail(source, body["radius_m"],
           "arc.radius_m must be at least half the road width (" + std::to_string(road_width / 2) +
               " m)");
    }
    seg.angle_rad = angle_deg * kDegToRad;
    seg.length_m = seg.radius_m * std::fabs(seg.angle_rad);
  } else {
    fail(source, item, "unknown segment type '" + kind + "' (use 'straight' or 'arc')");
  }
  return seg;
}

Pose2 parse_start(const std::string& source, const YAML::Node& start) {
  if (!start) return {};
  check_keys(source, start, "start", {"x_m", "y_m", "heading_deg"});
  Pose2 p;
  if (start["x_m"]) p.x_m = number(source, start, "x_m", "start");
  if (start["y_m"]) p.y_m = number(source, start, "y_m", "start");
  if (start["heading_deg"]) p.yaw_rad = number(source, start, "heading_deg", "start") * kDegToRad;
  return p;
}

}  // namespace

TrackSpec parse_track_spec(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw std::runtime_error(source + ":" + std::to_string(e.mark.line + 1) +
                             ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap())
    fail(source, root,
         "a track file is a mapping with name, road_width_m, "
         "start and segments");
  check_keys(source, root, "the track", {"name", "road_width_m", "start", "segments"});
  TrackSpec spec;
  spec.source = source;
  spec.name = root["name"] ? root["name"].as<std::string>() : source;
  spec.road_width_m = positive(source, root, "road_width_m", "the track");
  spec.start = parse_start(source, root["start"]);
  const YAML::Node segments = root["segments"];
  if (!segments || !segments.IsSequence() || segments.size() == 0) {
    fail(source, segments ? segments : root, "'segments' must be a non-empty list");
  }
  for (const auto& item : segments) {
    spec.segments.push_back(parse_segment(source, item, spec.road_width_m));
  }
  return spec;
}

Track load_track(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open track file (check sim.track)");
  std::stringstream text;
  text << in.rdbuf();
  return Track(parse_track_spec(text.str(), path));
}

Track load_configured_track(const config::Config& cfg) {
  Track track = load_track(config::resolve_path(cfg, cfg.sim.track));
  if (cfg.sim.road_width_m <= 0) return track;
  TrackSpec spec{track.name(), cfg.sim.road_width_m, track.start(), track.segments(),
                 track.source() + " (road width from sim.road_width_m)"};
  for (const TrackSegment& seg : spec.segments) {
    if (seg.kind == TrackSegment::Kind::kArc && seg.radius_m < spec.road_width_m / 2) {
      throw std::runtime_error(track.source() + ":" + std::to_string(seg.line) +
                               ": sim.road_width_m " + std::to_string(spec.road_width_m) +
                               " is wider than twice this arc's radius; use a narrower road");
    }
  }
  return Track(std::move(spec));
}

}  // namespace rcpilot::sim
