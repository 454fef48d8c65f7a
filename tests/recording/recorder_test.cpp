#include "recording/recorder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <unistd.h>

#include "perception/tub_reader.hpp"
#include "recorder_support.hpp"

namespace rcpilot::vehicle {
namespace {

using namespace std::chrono_literals;
using perception::TubReader;
using testing::at_ms;
using testing::Events;
using testing::frame;
using testing::TempDir;
using testing::tick;

constexpr auto kWait = 10s;  // generous: only a hang reaches it

config::RecordConfig record_config() {
  config::RecordConfig cfg;
  cfg.queue_depth = 16;
  cfg.sync_interval_s = 0.5;
  return cfg;
}

// A recorder on a temp tub with the frame slot it reads.
struct Rig {
  explicit Rig(config::RecordConfig cfg = record_config(), perception::TubWriteFn write_fn = {})
      : recorder(cfg, dir.str("tub"), frames, std::move(write_fn)) {
    recorder.set_event_handler(
        [this](const std::string& kind, const std::string& text) { events.add(kind, text); });
    recorder.start();
  }
  // Publishes frame `seq` captured at `ms`, then a tick 5 ms later; waits until it is handled.
  void drive(std::uint64_t seq, int ms, float op_steer = 0.1f, float op_throttle = 0.4f,
             DriveMode mode = DriveMode::kUser, float sent_throttle = 0.3f) {
    frames.publish(frame(seq, at_ms(ms)));
    recorder.on_tick(tick(at_ms(ms + 5), mode, op_steer, op_throttle, 0.05f, sent_throttle));
    ASSERT_TRUE(recorder.wait_idle(kWait));
  }
  void start_recording() {
    recorder.start_recording();
    ASSERT_TRUE(recorder.wait_idle(kWait));
  }
  void stop_recording() {
    recorder.stop_recording();
    ASSERT_TRUE(recorder.wait_idle(kWait));
  }

  TempDir dir;
  LatestSlot<perception::Frame> frames;
  Events events;
  Recorder recorder;
};

TEST(Recorder, records_operator_input_mode_and_sent_command_that_the_tub_reader_reads_back) {
  Rig rig;
  rig.start_recording();
  rig.drive(1, 100, -0.5f, 0.25f, DriveMode::kUser, 0.2f);
  rig.drive(2, 150, 0.75f, 0.5f, DriveMode::kUser, 0.4f);
  rig.stop_recording();

  const TubReader tub(rig.dir.str("tub"));
  ASSERT_EQ(tub.records().size(), 2u);
  const auto& r = tub.records()[1];
  EXPECT_EQ(r.index, 1);
  EXPECT_FLOAT_EQ(r.angle, 0.75f);
  EXPECT_FLOAT_EQ(r.throttle, 0.5f);
  EXPECT_EQ(r.mode, "user");
  EXPECT_FLOAT_EQ(r.raw.at("rcpilot/steering_sent").get<float>(), 0.05f);
  EXPECT_FLOAT_EQ(r.raw.at("rcpilot/throttle_sent").get<float>(), 0.4f);
  EXPECT_EQ(r.raw.at("rcpilot/frame_seq"), 2);
  // Both times are epoch ms on one offset: the tick came 5 ms after the frame.
  EXPECT_EQ(r.timestamp_ms - r.raw.at("rcpilot/frame_ms").get<std::int64_t>(), 5);
  EXPECT_EQ(r.timestamp_ms - tub.records()[0].timestamp_ms, 50);
  EXPECT_EQ(r.session_id, rig.recorder.status().session_id);
  EXPECT_NEAR(tub.image(r).at<cv::Vec3b>(0, 0)[0], 2, 6);  // frame 2's blue, through JPEG
  EXPECT_EQ(tub.sessions(), std::vector<std::string>{r.session_id});
  EXPECT_EQ(rig.events.of_kind("record_started").size(), 1u);
  EXPECT_EQ(rig.events.of_kind("record_stopped").size(), 1u);
}

TEST(Recorder, writes_one_record_per_new_frame_however_many_ticks_see_it) {
  Rig rig;
  rig.start_recording();
  rig.frames.publish(frame(1, at_ms(100)));
  for (int i = 0; i < 5; ++i) {
    rig.recorder.on_tick(tick(at_ms(101 + 20 * i), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  }
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  rig.drive(2, 200);
  EXPECT_EQ(rig.recorder.status().records, 2u);
}

TEST(Recorder, a_tick_older_than_the_newest_frame_is_not_paired_with_it) {
  Rig rig;
  rig.start_recording();
  rig.frames.publish(frame(1, at_ms(100)));
  rig.recorder.on_tick(tick(at_ms(90), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  EXPECT_EQ(rig.recorder.status().records, 0u);
  rig.recorder.on_tick(tick(at_ms(110), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  EXPECT_EQ(rig.recorder.status().records, 1u);
}

TEST(Recorder, records_nothing_before_start_recording_or_without_a_frame) {
  Rig rig;
  rig.drive(1, 100);
  rig.start_recording();
  rig.recorder.on_tick(tick(at_ms(50), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  EXPECT_EQ(rig.recorder.status().records, 0u);  // frame 1 came after that tick
  EXPECT_FALSE(std::filesystem::exists(rig.dir.str("tub/images/1_cam_image_array_.jpg")));
}

TEST(Recorder, only_when_moving_skips_ticks_without_forward_throttle_sent) {
  Rig rig;
  rig.start_recording();
  rig.drive(1, 100, 0.f, 0.4f, DriveMode::kUser, 0.0f);    // disarmed: nothing sent
  rig.drive(2, 150, 0.f, -0.4f, DriveMode::kUser, -0.3f);  // reversing
  rig.drive(3, 200, 0.f, 0.4f, DriveMode::kUser, 0.3f);
  EXPECT_EQ(rig.recorder.status().records, 1u);
}

TEST(Recorder, autopilot_modes_are_recorded_only_when_configured) {
  {
    Rig rig;
    rig.start_recording();
    rig.drive(1, 100, 0.f, 0.4f, DriveMode::kLocal, 0.3f);
    rig.drive(2, 150, 0.f, 0.4f, DriveMode::kLocalAngle, 0.3f);
    EXPECT_EQ(rig.recorder.status().records, 0u);
  }
  auto cfg = record_config();
  cfg.during_autopilot = true;
  cfg.only_when_moving = false;
  Rig rig(cfg);
  rig.start_recording();
  rig.drive(1, 100, 0.f, 0.f, DriveMode::kLocal, 0.0f);
  rig.drive(2, 150, 0.f, 0.f, DriveMode::kLocalAngle, 0.3f);
  rig.stop_recording();
  const TubReader tub(rig.dir.str("tub"));
  ASSERT_EQ(tub.records().size(), 2u);
  EXPECT_EQ(tub.records()[0].mode, "local");
  EXPECT_EQ(tub.records()[1].mode, "local_angle");
}

TEST(Recorder, autopilot_records_carry_user_keys_as_zero_and_the_pilot_outputs) {
  // Donkey's training reads user/angle and user/throttle from every record (issue 18).
  auto cfg = record_config();
  cfg.during_autopilot = true;
  Rig rig(cfg);
  rig.start_recording();
  rig.frames.publish(frame(1, at_ms(100)));
  TickState st = tick(at_ms(105), DriveMode::kLocal, 0.f, 0.f, 0.2f, 0.3f);
  st.operator_input.valid = false;
  st.pilot_steering_norm = -0.5f;
  st.pilot_throttle_norm = 0.25f;
  rig.recorder.on_tick(st);
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));  // before frame 2 makes tick 1 too old for it
  rig.frames.publish(frame(2, at_ms(150)));
  TickState no_pilot = tick(at_ms(155), DriveMode::kLocal, 0.f, 0.f, 0.f, 0.3f);
  no_pilot.operator_input.valid = false;
  rig.recorder.on_tick(no_pilot);
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  rig.stop_recording();
  const TubReader tub(rig.dir.str("tub"));
  ASSERT_EQ(tub.records().size(), 2u);
  const auto& raw = tub.records()[0].raw;
  EXPECT_EQ(raw.at("user/angle"), 0.0);
  EXPECT_EQ(raw.at("user/throttle"), 0.0);
  EXPECT_EQ(raw.at("pilot/angle"), -0.5);
  EXPECT_EQ(raw.at("pilot/throttle"), 0.25);
  EXPECT_FLOAT_EQ(raw.at("rcpilot/throttle_sent").get<float>(), 0.3f);
  EXPECT_FALSE(tub.records()[1].raw.contains("pilot/angle")) << "no valid prediction";
  EXPECT_EQ(tub.inputs().back(), "pilot/throttle");
}

TEST(Recorder, a_tub_keeps_its_pilot_inputs_when_record_during_autopilot_changes) {
  for (const bool during_autopilot : {false, true}) {
    auto cfg = record_config();
    cfg.during_autopilot = during_autopilot;
    Rig rig(cfg);
    const std::string tub = rig.dir.str("tub");
    rig.start_recording();
    rig.drive(1, 100);
    rig.stop_recording();
    auto other = cfg;
    other.during_autopilot = !during_autopilot;
    Recorder again(other, tub, rig.frames);
    again.start();
    again.start_recording();
    ASSERT_TRUE(again.wait_idle(kWait));
    rig.frames.publish(frame(2, at_ms(200)));
    TickState st = tick(at_ms(205), DriveMode::kUser, 0.1f, 0.4f, 0.05f, 0.3f);
    st.pilot_steering_norm = 0.5f;
    again.on_tick(st);
    ASSERT_TRUE(again.wait_idle(kWait));
    again.stop();
    EXPECT_TRUE(again.status().last_error.empty()) << again.status().last_error;
    const TubReader reader(tub);
    ASSERT_EQ(reader.records().size(), 2u) << "during_autopilot " << during_autopilot;
    const bool has_pilot = std::find(reader.inputs().begin(), reader.inputs().end(),
                                     "pilot/angle") != reader.inputs().end();
    EXPECT_EQ(has_pilot, during_autopilot);
    EXPECT_EQ(reader.records()[1].raw.contains("pilot/angle"), during_autopilot);
  }
}

TEST(Recorder, each_start_is_a_new_session_in_the_same_tub) {
  Rig rig;
  rig.start_recording();
  rig.drive(1, 100);
  const std::string first = rig.recorder.status().session_id;
  rig.stop_recording();
  rig.start_recording();
  rig.start_recording();  // no-op while recording
  rig.drive(2, 200);
  rig.drive(3, 250);
  const RecorderStatus status = rig.recorder.status();
  rig.stop_recording();
  EXPECT_NE(status.session_id, first);
  EXPECT_EQ(status.records, 2u);
  EXPECT_EQ(status.records_total, 3u);

  const TubReader tub(rig.dir.str("tub"));
  EXPECT_EQ(tub.sessions(), (std::vector<std::string>{first, status.session_id}));
  EXPECT_EQ(tub.session_records(first).size(), 1u);
  EXPECT_EQ(tub.session_records(status.session_id).size(), 2u);
}

TEST(Recorder, erase_last_soft_deletes_and_the_reader_skips_them) {
  Rig rig;
  rig.start_recording();
  for (int i = 1; i <= 5; ++i) rig.drive(static_cast<std::uint64_t>(i), 100 * i);
  rig.recorder.erase_last(2);  // while recording
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  rig.drive(6, 600);
  rig.stop_recording();
  rig.recorder.erase_last(1);  // after stopping: the tub on disk
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));

  EXPECT_EQ(rig.recorder.status().erased, 3u);
  EXPECT_EQ(rig.events.of_kind("record_erased").size(), 2u);
  const TubReader tub(rig.dir.str("tub"));
  std::vector<std::int64_t> indexes;
  for (const auto& r : tub.records()) indexes.push_back(r.index);
  EXPECT_EQ(indexes, (std::vector<std::int64_t>{0, 1, 2}));
  EXPECT_EQ(tub.deleted_count(), 3u);
}

TEST(Recorder, mark_range_erases_and_restores_a_range_through_the_tubs_writer) {
  Rig rig;
  rig.start_recording();
  for (int i = 1; i <= 6; ++i) rig.drive(static_cast<std::uint64_t>(i), 100 * i);
  rig.recorder.mark_range(1, 4, true);  // while recording
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  rig.stop_recording();
  rig.recorder.mark_range(2, 3, false);  // after stopping: the tub on disk
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));

  EXPECT_EQ(rig.recorder.status().erased, 4u);
  EXPECT_EQ(rig.events.of_kind("record_erased").size(), 1u);
  EXPECT_EQ(rig.events.of_kind("record_restored").size(), 1u);
  const TubReader tub(rig.dir.str("tub"));
  std::vector<std::int64_t> indexes;
  for (const auto& r : tub.records()) indexes.push_back(r.index);
  EXPECT_EQ(indexes, (std::vector<std::int64_t>{0, 2, 3, 5}));
  EXPECT_EQ(tub.deleted_indexes(), (std::vector<std::int64_t>{1, 4}));
}

// The case: one wrong line_lengths entry, then erase 1 from a stopped recorder.
TEST(Recorder, erase_on_a_tub_with_a_wrong_line_lengths_entry_repairs_it_and_loses_no_record) {
  Rig rig;
  rig.start_recording();
  for (int i = 1; i <= 5; ++i) rig.drive(static_cast<std::uint64_t>(i), 100 * i);
  rig.stop_recording();
  const std::string tub = rig.dir.str("tub");
  auto meta = nlohmann::json::parse(std::ifstream(tub + "/catalog_0.catalog_manifest"));
  meta["line_lengths"][0] = 999999;
  std::ofstream(tub + "/catalog_0.catalog_manifest", std::ios::trunc) << meta.dump() << "\n";

  rig.recorder.erase_last(1);
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  ASSERT_EQ(rig.events.of_kind("record_repaired").size(), 1u);
  EXPECT_NE(rig.events.of_kind("record_repaired")[0].second.find("catalog_0.catalog_manifest"),
            std::string::npos);
  EXPECT_EQ(rig.events.of_kind("record_erased").size(), 1u);
  const TubReader reader(tub);
  std::vector<std::int64_t> indexes;
  for (const auto& r : reader.records()) indexes.push_back(r.index);
  EXPECT_EQ(indexes, (std::vector<std::int64_t>{0, 1, 2, 3}));
}

// A write(2) that blocks once armed, until released: the recorder thread stuck on the disk.
class StuckDisk {
 public:
  perception::TubWriteFn write_fn() {
    return [this](int fd, const void* data, std::size_t size) -> ssize_t {
      std::unique_lock<std::mutex> lock(mutex_);
      if (armed_) {
        stuck_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !armed_; });
      }
      return ::write(fd, data, size);
    };
  }
  void arm() {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_ = true;
  }
  bool wait_stuck() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, kWait, [&] { return stuck_; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      armed_ = false;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool stuck_ = false;
};

TEST(Recorder, a_full_queue_drops_and_counts_ticks_while_on_tick_never_waits_for_the_disk) {
  StuckDisk disk;
  auto cfg = record_config();
  cfg.queue_depth = 4;
  Rig rig(cfg, disk.write_fn());
  rig.start_recording();
  disk.arm();
  rig.frames.publish(frame(1, at_ms(100)));
  rig.recorder.on_tick(tick(at_ms(105), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  ASSERT_TRUE(disk.wait_stuck());
  // The recorder thread is inside write(2) and takes nothing off the queue: 4 fit, 6 drop.
  for (int i = 0; i < 10; ++i) {
    rig.recorder.on_tick(tick(at_ms(110 + i), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  }
  EXPECT_EQ(rig.recorder.status().dropped, 6u);
  disk.release();
  ASSERT_TRUE(rig.recorder.wait_idle(kWait));
  EXPECT_EQ(rig.recorder.status().records, 1u);  // the queued ticks saw no new frame
  EXPECT_EQ(rig.recorder.status().dropped, 6u);
}

// A disk that fills up after `budget` bytes: write(2) then fails with ENOSPC.
perception::TubWriteFn disk_of(std::shared_ptr<std::atomic<long>> budget) {
  return [budget](int fd, const void* data, std::size_t size) -> ssize_t {
    if (budget->fetch_sub(static_cast<long>(size)) < static_cast<long>(size)) {
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  };
}

TEST(Recorder, a_write_failure_stops_recording_with_an_event_and_keeps_what_was_recorded) {
  auto budget = std::make_shared<std::atomic<long>>(1L << 30);
  Rig rig(record_config(), disk_of(budget));
  rig.start_recording();
  rig.drive(1, 100);
  rig.drive(2, 150);
  budget->store(0);
  rig.drive(3, 200);

  const RecorderStatus status = rig.recorder.status();
  EXPECT_FALSE(status.recording);
  EXPECT_EQ(status.records, 2u);
  EXPECT_NE(status.last_error.find(std::strerror(ENOSPC)), std::string::npos) << status.last_error;
  const auto errors = rig.events.of_kind("record_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].second.find(rig.dir.str("tub")), std::string::npos) << errors[0].second;
  EXPECT_NE(errors[0].second.find(std::strerror(ENOSPC)), std::string::npos);

  // The loop side goes on: ticks are no longer queued, nothing blocks or drops.
  for (int i = 0; i < 1000; ++i) {
    rig.recorder.on_tick(tick(at_ms(300 + i), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
  }
  EXPECT_EQ(rig.recorder.status().dropped, 0u);

  const TubReader tub(rig.dir.str("tub"));
  ASSERT_EQ(tub.records().size(), 2u);
  for (const auto& r : tub.records()) EXPECT_FALSE(tub.image(r).empty());

  // With space again, recording starts a new session in the same tub.
  budget->store(1L << 30);
  rig.start_recording();
  rig.drive(4, 400);
  rig.stop_recording();
  EXPECT_TRUE(rig.recorder.status().last_error.empty());
  EXPECT_EQ(TubReader(rig.dir.str("tub")).records().size(), 3u);
}

TEST(Recorder, a_folder_that_is_not_a_tub_is_reported_and_nothing_is_written) {
  Rig rig;
  std::filesystem::create_directories(rig.dir.str("tub"));
  { std::ofstream(rig.dir.str("tub/notes.txt")) << "precious"; }
  rig.start_recording();
  EXPECT_FALSE(rig.recorder.status().recording);
  const auto errors = rig.events.of_kind("record_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].second.find("is not a tub"), std::string::npos) << errors[0].second;
}

TEST(Recorder, autostart_records_from_start_and_stop_closes_the_session) {
  auto cfg = record_config();
  cfg.autostart = true;
  TempDir dir;
  LatestSlot<perception::Frame> frames;
  {
    Recorder recorder(cfg, dir.str("tub"), frames);
    recorder.start();
    ASSERT_TRUE(recorder.wait_idle(kWait));
    EXPECT_TRUE(recorder.status().recording);
    frames.publish(frame(1, at_ms(100)));
    recorder.on_tick(tick(at_ms(105), DriveMode::kUser, 0.f, 0.4f, 0.f, 0.3f));
    recorder.stop();  // records what is queued, then closes
  }
  const TubReader tub(dir.str("tub"));
  EXPECT_EQ(tub.records().size(), 1u);
  EXPECT_EQ(tub.sessions().size(), 1u);
}

TEST(Recorder, tub_path_is_config_relative_or_data_tub_in_the_working_directory) {
  config::Config cfg;
  cfg.base_dir = "/etc/rcpilot";
  EXPECT_EQ(record_tub_path(cfg), (std::filesystem::current_path() / "data/tub").string());
  cfg.record.path = "tubs/run1";
  EXPECT_EQ(record_tub_path(cfg), "/etc/rcpilot/tubs/run1");
  cfg.record.path = "/data/tub";
  EXPECT_EQ(record_tub_path(cfg), "/data/tub");
}

}  // namespace
}  // namespace rcpilot::vehicle
