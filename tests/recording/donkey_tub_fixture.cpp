// Writes the tubs that donkey_tub_test.py reads with a reader written from Donkey's tub v2
// format (tests/perception/donkey_tub_check.py), through the real Recorder and TubWriter.
// Usage:
//   donkey_tub_fixture modes DIR   DIR/full_catalog: one session of exactly 1000 records;
//                                  DIR/after_empty_session: then a session that recorded
//                                  nothing; DIR/modes: then a session in user, local_angle
//                                  and local with record.during_autopilot (no operator input
//                                  connected in the autopilot modes).
//   donkey_tub_fixture kills DIR   DIR/kill_<write>_<none|half>: a tub of 998 records reopened
//                                  and written 4 more records (across the catalog boundary)
//                                  with the process "killed" at that write (none or half of
//                                  its bytes written); ..._reopened: the same tub after
//                                  TubWriter reopened it and wrote one record.
// Prints one line per tub written.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include "perception/tub_writer.hpp"
#include "recorder_support.hpp"
#include "recording/recorder.hpp"

using namespace rcpilot;
using namespace rcpilot::vehicle;
namespace fs = std::filesystem;

namespace {

// A copy of a tub. Images that `shared_images` also has are hard-linked to those (its
// records are committed, so no writer rewrites them); everything else is copied.
void copy_tub(const fs::path& from, const fs::path& to, const fs::path& shared_images = {}) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const fs::path target = to / entry.path().filename();
    if (!entry.is_directory()) {
      fs::copy_file(entry.path(), target);
      continue;
    }
    fs::create_directories(target);
    for (const auto& image : fs::directory_iterator(entry.path())) {
      const fs::path shared = shared_images / image.path().filename();
      if (!shared_images.empty() && fs::exists(shared)) {
        fs::create_hard_link(shared, target / image.path().filename());
      } else {
        fs::copy_file(image.path(), target / image.path().filename());
      }
    }
  }
}

void snapshot(const fs::path& from, const fs::path& to, const fs::path& shared_images = {}) {
  copy_tub(from, to, shared_images);
  std::printf("%s\n", to.c_str());
}

// Feeds `count` frames, one tick each, and waits until each is recorded.
std::uint64_t drive(Recorder& recorder, LatestSlot<perception::Frame>& frames,
                    std::uint64_t first_seq, int count, DriveMode mode, bool operator_connected,
                    bool pilot_valid) {
  std::uint64_t seq = first_seq;
  for (int i = 0; i < count; ++i, ++seq) {
    const TimePoint t = testing::at_ms(static_cast<int>(seq) * 50);
    frames.publish(testing::frame(seq, t));
    TickState st = testing::tick(t, mode, 0.1f, 0.4f, 0.2f, 0.3f);
    st.operator_input.valid = operator_connected;
    if (pilot_valid) {
      st.pilot_steering_norm = -0.25f;
      st.pilot_throttle_norm = 0.5f;
    }
    recorder.on_tick(st);
    if (!recorder.wait_idle(std::chrono::seconds(30))) throw std::runtime_error("recorder stuck");
  }
  return seq;
}

int record_modes(const fs::path& dir) {
  config::RecordConfig cfg;
  cfg.during_autopilot = true;
  cfg.sync_interval_s = 1e9;  // no syncfs: this checks file contents, not power loss
  LatestSlot<perception::Frame> frames;
  const fs::path tub = dir / "tub";
  Recorder recorder(cfg, tub.string(), frames);
  recorder.start();
  recorder.start_recording();
  recorder.wait_idle(std::chrono::seconds(30));  // ticks are queued only once it is open
  std::uint64_t seq = drive(recorder, frames, 1, perception::TubWriter::kMaxCatalogLen,
                            DriveMode::kUser, true, false);
  recorder.stop_recording();
  recorder.wait_idle(std::chrono::seconds(30));
  snapshot(tub, dir / "full_catalog");
  recorder.start_recording();
  recorder.stop_recording();
  recorder.wait_idle(std::chrono::seconds(30));
  snapshot(tub, dir / "after_empty_session");
  recorder.start_recording();
  recorder.wait_idle(std::chrono::seconds(30));
  seq = drive(recorder, frames, seq, 10, DriveMode::kLocalAngle, false, true);
  seq = drive(recorder, frames, seq, 10, DriveMode::kLocal, false, true);
  drive(recorder, frames, seq, 5, DriveMode::kUser, true, false);
  recorder.stop();
  if (recorder.status().records != 25) {
    std::fprintf(stderr, "recorded %llu records, expected 25\n",
                 static_cast<unsigned long long>(recorder.status().records));
    return 1;
  }
  snapshot(tub, dir / "modes");
  return 0;
}

// Thrown by the write function at the kill point; not a TubError, so the writer runs none of
// its clean-up, like a killed process.
struct Killed : std::exception {
  const char* what() const noexcept override { return "killed"; }
};

// Reopens `tub` and writes 4 records with every write from `kill_at` on "killed". True if the
// kill point was reached.
bool write_until_killed(const fs::path& tub, int kill_at, bool half) {
  int writes = 0;
  bool dead = false;
  perception::TubOptions options;
  options.write_fn = [&](int fd, const void* data, std::size_t size) -> ssize_t {
    if (!dead && writes++ < kill_at) return ::write(fd, data, size);
    if (!dead && half && size > 1 && ::write(fd, data, size / 2) < 0) std::perror("write");
    dead = true;
    throw Killed();
  };
  try {
    perception::TubWriter writer(tub.string(), nlohmann::json::object(), options);
    for (int i = 0; i < 4; ++i) {
      writer.write(testing::frame(static_cast<std::uint64_t>(i), TimePoint{}).bgr, 0.1f, 0.2f,
                   "user", 1700000000000 + i);
    }
    writer.close();
  } catch (const Killed&) {
  }
  return dead;
}

int record_kills(const fs::path& dir) {
  const fs::path base = dir / "base";
  {
    perception::TubWriter writer(base.string());
    for (int i = 0; i < perception::TubWriter::kMaxCatalogLen - 2; ++i) {
      writer.write(testing::frame(static_cast<std::uint64_t>(i), TimePoint{}).bgr, 0.1f, 0.2f,
                   "user", 1700000000000 + i);
    }
  }
  for (int kill_at = 0;; ++kill_at) {
    bool reached = false;
    for (const bool half : {false, true}) {
      const std::string name = "kill_" + std::to_string(kill_at) + "_" + (half ? "half" : "none");
      const fs::path work = dir / "work";
      fs::remove_all(work);
      copy_tub(base, work, base / "images");
      reached = write_until_killed(work, kill_at, half);
      if (!reached) break;
      snapshot(work, dir / name, base / "images");
      perception::TubWriter reopened(work.string());
      reopened.write(testing::frame(9, TimePoint{}).bgr, 0.3f, 0.4f, "user", 1800000000000);
      reopened.close();
      snapshot(work, dir / (name + "_reopened"), base / "images");
    }
    if (!reached) return kill_at > 10 ? 0 : 1;  // fewer writes than that: the fixture is broken
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "modes" && std::string(argv[1]) != "kills")) {
    std::fprintf(stderr, "usage: %s modes|kills DIR\n", argv[0]);
    return 2;
  }
  try {
    fs::create_directories(argv[2]);
    return std::string(argv[1]) == "modes" ? record_modes(argv[2]) : record_kills(argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
