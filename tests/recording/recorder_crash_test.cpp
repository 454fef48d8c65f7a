// The recorder against real failures: a recording process killed with SIGKILL, and a real
// full disk (a 200 KiB tmpfs; skipped where mounting is not permitted).
#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "perception/tub_reader.hpp"
#include "process.hpp"
#include "recorder_support.hpp"
#include "recording/recorder.hpp"

namespace rcpilot::vehicle {
namespace {

using namespace std::chrono_literals;
using perception::TubReader;

// The last "recorded N" line of the helper's output; 0 if none.
std::uint64_t confirmed_records(const std::string& output) {
  static const std::regex line("recorded ([0-9]+)\n");
  std::uint64_t n = 0;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), line);
       it != std::sregex_iterator(); ++it) {
    n = std::stoull((*it)[1].str());
  }
  return n;
}

// manifest.json is five JSON lines.
void expect_valid_manifest(const std::string& tub) {
  std::ifstream in(tub + "/manifest.json");
  int lines = 0;
  for (std::string line; std::getline(in, line); ++lines) {
    EXPECT_TRUE(nlohmann::json::accept(line)) << "manifest line " << lines + 1;
  }
  EXPECT_EQ(lines, 5);
}

TEST(RecorderCrash, a_kill_9_mid_recording_loses_at_most_the_record_in_flight) {
  testing::TempDir dir;
  const std::string tub = dir.str("tub");
  std::size_t before = 0;
  std::set<std::string> sessions;
  // Three kills into one tub: each later run also opens a tub a kill left behind.
  for (std::uint64_t round = 0; round < 3; ++round) {
    rcpilot::testing::Process helper(RECORDER_CRASH_HELPER, {tub});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    const std::uint64_t target = 10 + 7 * round;  // vary where the kill lands
    while (confirmed_records(helper.output()) < target) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << helper.output();
      std::this_thread::sleep_for(5ms);
    }
    helper.signal(SIGKILL);
    ASSERT_EQ(helper.wait(30), 128 + SIGKILL);
    const std::uint64_t confirmed = confirmed_records(helper.output());

    expect_valid_manifest(tub);
    const TubReader reader(tub);
    const std::size_t total = reader.records().size();
    EXPECT_GE(total, before + confirmed) << "a confirmed record was lost";
    EXPECT_LE(total, before + confirmed + 1) << "more than the record in flight";
    for (std::size_t i = 0; i < total; ++i) {
      ASSERT_EQ(reader.records()[i].index, static_cast<std::int64_t>(i));
      sessions.insert(reader.records()[i].session_id);
    }
    EXPECT_NO_THROW((void)reader.image(reader.records().back()));
    EXPECT_EQ(sessions.size(), round + 1) << "each run is its own session";
    before = total;
  }
}

// A tmpfs of `size` mounted on a fresh folder; unmounted on destruction.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& dir) : dir_(dir) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=200k") == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST(RecorderDiskFull, a_full_tmpfs_stops_recording_with_an_event_and_keeps_what_was_recorded) {
  testing::TempDir dir;
  const SmallDisk disk(dir.str());
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (" << disk.error() << ")";
  const std::string tub = dir.str("tub");
  config::RecordConfig cfg;
  LatestSlot<perception::Frame> frames;
  testing::Events events;
  Recorder recorder(cfg, tub, frames);
  recorder.set_event_handler(
      [&](const std::string& kind, const std::string& text) { events.add(kind, text); });
  recorder.start();
  recorder.start_recording();
  ASSERT_TRUE(recorder.wait_idle(10s));
  ASSERT_TRUE(recorder.status().recording) << recorder.status().last_error;
  for (int i = 1; i <= 500 && recorder.status().recording; ++i) {
    frames.publish(testing::noise_frame(static_cast<std::uint64_t>(i), testing::at_ms(i * 50)));
    recorder.on_tick(
        testing::tick(testing::at_ms(i * 50 + 5), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
    ASSERT_TRUE(recorder.wait_idle(10s));
  }
  const RecorderStatus status = recorder.status();
  ASSERT_FALSE(status.recording) << "200 KiB never filled up";
  EXPECT_GT(status.records, 3u);
  const auto errors = events.of_kind("record_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].second.find(tub), std::string::npos) << errors[0].second;
  EXPECT_NE(errors[0].second.find(std::strerror(ENOSPC)), std::string::npos) << errors[0].second;

  // Driving goes on: the loop side returns at once and queues nothing any more.
  for (int i = 0; i < 1000; ++i) {
    recorder.on_tick(
        testing::tick(testing::at_ms(100000 + i), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  }
  EXPECT_EQ(recorder.status().dropped, 0u);

  // Nothing recorded before is lost; the record that hit the full disk may have made it.
  expect_valid_manifest(tub);
  const TubReader reader(tub);
  EXPECT_GE(reader.records().size(), status.records);
  EXPECT_LE(reader.records().size(), status.records + 1);
  for (const auto& r : reader.records()) EXPECT_FALSE(reader.image(r).empty());
}

}  // namespace
}  // namespace rcpilot::vehicle
