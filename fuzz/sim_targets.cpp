// Fuzz target for the simulator's track files (sim.track, evaluate --track).
#include <stdexcept>

#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "sim/track.hpp"
#include "sim/track_generator.hpp"

namespace rcpilot::fuzz {

int track_file(const std::uint8_t* data, std::size_t size) {
  sim::TrackSpec spec;
  try {
    spec = sim::parse_track_spec(text_of(data, size), "fuzz.yaml");
  } catch (const std::runtime_error&) {  // yaml-cpp's exceptions are runtime_errors too
    return 0;
  }
  try {
    const sim::Track track(spec);
    check(track.length_m() > 0 && !track.points().empty());
    const sim::TrackProjection p = track.project(track.start().x_m, track.start().y_m);
    check(p.s_m >= 0 && p.s_m < track.length_m());
    // What generate-track writes for a spec reads back as the same segments.
    const sim::TrackSpec again = sim::parse_track_spec(sim::track_to_yaml(spec), "again.yaml");
    check(again.segments.size() == spec.segments.size());
  } catch (const std::runtime_error&) {  // does not close, or too long: refused by name
  }
  return 0;
}

}  // namespace rcpilot::fuzz
