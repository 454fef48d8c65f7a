// The control API's commands and error paths without sockets: a real DriveState, OperatorInputs
// and LiveConfig behind the ControlHandler, time stepped by a ManualClock. Every rejected request
// must leave the state (mode, arming, e-stop, live keys) exactly as it was.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "config/loader.hpp"
#include "config/schema.hpp"
#include "operator/control_api.hpp"

namespace rcpilot::vehicle {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

const TimePoint kT0 = TimePoint{} + std::chrono::seconds(100);

// The `record` command's target, recording what it was asked; fails on demand.
class FakeRecording final : public RecordingControl {
 public:
  bool start(std::string& error) override {
    if (!start_error.empty()) {
      error = start_error;
      return false;
    }
    recording = true;
    return true;
  }
  void stop() override { recording = false; }
  bool erase_last(int count, std::string& error) override {
    if (!erase_error.empty()) {
      error = erase_error;
      return false;
    }
    erased += count;
    return true;
  }
  bool mark_range(std::int64_t first, std::int64_t last, bool deleted,
                  std::string& error) override {
    if (!erase_error.empty()) {
      error = erase_error;
      return false;
    }
    ranges.push_back({first, last, deleted});
    return true;
  }
  json tub(std::string&) const override { return {{"records", 3}}; }
  json status() const override { return {{"recording", recording}, {"erased", erased}}; }

  struct Range {
    std::int64_t first, last;
    bool deleted;
  };
  std::vector<Range> ranges;
  bool recording = false;
  int erased = 0;
  std::string start_error;
  std::string erase_error;
};

struct Event {
  std::string kind;
  json details;
};

class ControlApiTest : public ::testing::Test {
 protected:
  void SetUp() override { make(config::load_config("", {}), ""); }

  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A handler over `cfg` (started from `path`, for reloads). The Apply does what the node's
  // does: the mode through DriveState (which may refuse), then the tunables.
  void make(const config::Config& cfg, const std::string& path) {
    handler_.reset();
    live_.reset();
    drive_ = std::make_unique<DriveState>(DriveMode::kUser);
    DriveMode mode{};
    mode = cfg.control.mode;
    drive_->set_self_test_passed(true);
    ASSERT_TRUE(drive_->set_mode(mode).ok);
    drive_->set_self_test_passed(false);
    applied_ = cfg;
    live_ = std::make_unique<LiveConfig>(
        cfg, path, std::vector<std::string>{}, *drive_,
        [this](const config::Config& next, const std::vector<std::string>&) { applied_ = next; });
    ControlTargets targets{*drive_,
                           operators_,
                           *live_,
                           clock_,
                           [] {
                             return json{{"loop", {{"rate_hz", 50}}}};
                           },
                           &recording_,
                           [this](const std::string& kind, const std::string&, const json& d) {
                             events_.push_back({kind, d});
                           }};
    handler_ = std::make_unique<ControlHandler>(std::move(targets));
  }

  json call(const json& request) { return handler_->handle(request); }

  // Everything a request could change: status without the loop figures, and every key.
  json snapshot() {
    json s = call({{"cmd", "status"}});
    json everything = json::array();
    for (const auto& key : config::schema().keys) everything.push_back(key.path());
    s["values"] = call({{"cmd", "get"}, {"keys", everything}})["values"];
    s["applied_gain"] = applied_.control.steering_gain;
    return s;
  }

  // `request` is refused with `code` and changes nothing.
  void expect_refused(const json& request, const std::string& code) {
    const json before = snapshot();
    const std::size_t events = events_.size();
    const json reply = call(request);
    EXPECT_EQ(reply["ok"], false) << request.dump() << " -> " << reply.dump();
    EXPECT_EQ(reply["error"], code) << request.dump() << " -> " << reply.dump();
    EXPECT_EQ(reply["v"], kControlApiVersion);
    EXPECT_FALSE(reply.value("message", "").empty()) << reply.dump();
    EXPECT_EQ(snapshot(), before) << "state changed by " << request.dump();
    EXPECT_EQ(events_.size(), events) << "a refused request published an event";
  }

  void submit(OperatorSource source, float steering, float throttle) {
    operators_.submit(source, {steering, throttle, clock_.now(), true});
  }

  std::string write_config(const std::string& text) {
    if (dir_.empty()) {
      dir_ = (std::filesystem::temp_directory_path() /
              ("rcpilot_control_api_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                 .string();
      std::filesystem::create_directories(dir_);
    }
    const std::string path = dir_ + "/node.yaml";
    std::ofstream(path) << text;
    return path;
  }

  ManualClock clock_{kT0};
  OperatorInputs operators_;
  FakeRecording recording_;
  std::vector<Event> events_;
  config::Config applied_;
  std::unique_ptr<DriveState> drive_;
  std::unique_ptr<LiveConfig> live_;
  std::unique_ptr<ControlHandler> handler_;
  std::string dir_;
};

TEST_F(ControlApiTest, status_reports_mode_arming_operator_and_recording_with_the_version) {
  submit(OperatorSource::kGamepad, 0.25f, 0.0f);
  const json r = call({{"v", 1}, {"id", 7}, {"cmd", "status"}});
  EXPECT_EQ(r["ok"], true);
  EXPECT_EQ(r["v"], 1);
  EXPECT_EQ(r["id"], 7);
  EXPECT_EQ(r["mode"], "local");
  EXPECT_EQ(r["armed"], false);
  EXPECT_EQ(r["estop"], false);
  EXPECT_EQ(r["self_test_passed"], false);
  EXPECT_EQ(r["loop"]["rate_hz"], 50);
  EXPECT_EQ(r["operator"]["source"], "gamepad");
  EXPECT_FLOAT_EQ(r["operator"]["steering"].get<float>(), 0.25f);
  EXPECT_EQ(r["recording"]["recording"], false);
  clock_.advance(milliseconds(501));  // operator_timeout_ms is 500
  EXPECT_TRUE(call({{"cmd", "status"}})["operator"].is_null());
}

TEST_F(ControlApiTest, requests_that_are_not_understood_get_an_error_and_change_nothing) {
  for (const char* text : {"{not json", "{\"cmd\": \"arm\"", "", "\xff\xfe"}) {
    const json reply = json::parse(handler_->handle(std::string(text)));
    EXPECT_EQ(reply["ok"], false) << text;
    EXPECT_EQ(reply["error"], "malformed") << text;
  }
  EXPECT_FALSE(drive_->armed());
  expect_refused(json::array({"cmd", "arm"}), "malformed");
  expect_refused("arm", "malformed");
  expect_refused(json::object(), "malformed");
  expect_refused({{"cmd", 3}}, "malformed");
  expect_refused({{"v", 2}, {"cmd", "arm"}}, "bad_version");
  expect_refused({{"v", "1"}, {"cmd", "arm"}}, "bad_version");
  expect_refused({{"cmd", "fly"}}, "unknown_command");
  expect_refused({{"cmd", "arm"}, {"force", true}}, "unknown_field");
  expect_refused({{"cmd", "mode"}}, "missing_field");
  expect_refused({{"cmd", "drive"}, {"steering", 0}}, "missing_field");
  expect_refused({{"cmd", "set"}}, "missing_field");
  expect_refused({{"cmd", "record"}}, "missing_field");
}

TEST_F(ControlApiTest, an_error_reply_carries_the_request_id) {
  const json r = call({{"id", "abc"}, {"cmd", "fly"}});
  EXPECT_EQ(r["id"], "abc");
  EXPECT_EQ(r["error"], "unknown_command");
}

TEST_F(ControlApiTest, mode_switches_and_is_what_get_reports) {
  drive_->set_self_test_passed(true);
  const json r = call({{"cmd", "mode"}, {"mode", "user"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["mode"], "user");
  EXPECT_EQ(drive_->mode(), DriveMode::kUser);
  EXPECT_EQ(call({{"cmd", "get"}, {"keys", {"control.mode"}}})["values"]["control.mode"], "user");
  ASSERT_FALSE(events_.empty());
  EXPECT_EQ(events_.back().kind, "mode");
  EXPECT_EQ(events_.back().details["mode"], "user");
}

TEST_F(ControlApiTest, set_of_the_mode_after_a_mode_command_still_switches_the_car) {
  drive_->set_self_test_passed(true);
  ASSERT_EQ(call({{"cmd", "mode"}, {"mode", "user"}})["ok"], true);
  // The config said local at start: `set` must not think local is still in force.
  const json r = call({{"cmd", "set"}, {"values", {{"control.mode", "local"}}}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["applied"], json({"control.mode"}));
  EXPECT_EQ(drive_->mode(), DriveMode::kLocal);
}

TEST_F(ControlApiTest, autonomous_modes_are_refused_without_a_passed_self_test) {
  drive_->set_self_test_passed(true);
  ASSERT_EQ(call({{"cmd", "mode"}, {"mode", "user"}})["ok"], true);
  drive_->set_self_test_passed(false);
  expect_refused({{"cmd", "mode"}, {"mode", "local"}}, "refused");
  expect_refused({{"cmd", "mode"}, {"mode", "local_angle"}}, "refused");
  expect_refused({{"cmd", "set"}, {"values", {{"control.mode", "local"}}}}, "refused");
  EXPECT_EQ(drive_->mode(), DriveMode::kUser);
  expect_refused({{"cmd", "mode"}, {"mode", "turbo"}}, "out_of_range");
  expect_refused({{"cmd", "mode"}, {"mode", 1}}, "bad_type");
}

TEST_F(ControlApiTest, arm_and_disarm) {
  drive_->set_self_test_passed(true);
  const json r = call({{"cmd", "arm"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["armed"], true);
  EXPECT_TRUE(drive_->armed());
  EXPECT_EQ(events_.back().kind, "armed");
  EXPECT_EQ(call({{"cmd", "disarm"}})["armed"], false);
  EXPECT_FALSE(drive_->armed());
  EXPECT_EQ(events_.back().kind, "disarmed");
}

TEST_F(ControlApiTest, arm_is_refused_while_operator_input_is_not_neutral) {
  drive_->set_self_test_passed(true);
  submit(OperatorSource::kGamepad, 0.0f, 0.4f);
  expect_refused({{"cmd", "arm"}}, "refused");
  submit(OperatorSource::kControlApi, 0.5f, 0.0f);
  expect_refused({{"cmd", "arm"}}, "refused");
  // Once that input is older than the dead-man timeout it no longer counts.
  clock_.advance(milliseconds(600));
  EXPECT_EQ(call({{"cmd", "arm"}})["ok"], true);
}

TEST_F(ControlApiTest, arm_in_an_autonomous_mode_needs_the_self_test) {
  expect_refused({{"cmd", "arm"}}, "refused");  // started in local, self-test not passed
}

TEST_F(ControlApiTest, estop_latches_through_mode_changes_until_cleared_and_armed_again) {
  drive_->set_self_test_passed(true);
  ASSERT_EQ(call({{"cmd", "arm"}})["ok"], true);
  const json r = call({{"cmd", "estop"}});
  EXPECT_EQ(r["estop"], true);
  EXPECT_EQ(events_.back().kind, "estop");
  EXPECT_FALSE(drive_->armed());
  ASSERT_EQ(call({{"cmd", "mode"}, {"mode", "user"}})["ok"], true);
  ASSERT_EQ(call({{"cmd", "mode"}, {"mode", "local"}})["ok"], true);
  EXPECT_TRUE(drive_->estopped());
  expect_refused({{"cmd", "arm"}}, "refused");
  EXPECT_EQ(call({{"cmd", "clear_estop"}})["estop"], false);
  EXPECT_EQ(events_.back().kind, "estop_cleared");
  EXPECT_FALSE(drive_->estopped());
  EXPECT_FALSE(drive_->armed()) << "clearing the e-stop must not arm";
  EXPECT_EQ(call({{"cmd", "arm"}})["ok"], true);
  EXPECT_TRUE(drive_->armed());
}

TEST_F(ControlApiTest, drive_submits_operator_input_that_expires_after_the_dead_man_timeout) {
  const json r = call({{"cmd", "drive"}, {"steering", -0.5}, {"throttle", 0.25}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["expires_in_ms"], 500.0);
  OperatorInput in;
  OperatorSource source{};
  ASSERT_TRUE(operators_.current(clock_.now(), 500, in, source));
  EXPECT_EQ(source, OperatorSource::kControlApi);
  EXPECT_FLOAT_EQ(in.steering_norm, -0.5f);
  EXPECT_FLOAT_EQ(in.throttle_norm, 0.25f);
  clock_.advance(milliseconds(499));
  EXPECT_TRUE(operators_.current(clock_.now(), 500).valid);
  clock_.advance(milliseconds(2));
  EXPECT_FALSE(operators_.current(clock_.now(), 500).valid);
}

TEST_F(ControlApiTest, drive_outside_its_range_or_of_the_wrong_type_is_refused) {
  expect_refused({{"cmd", "drive"}, {"steering", 1.01}, {"throttle", 0}}, "out_of_range");
  expect_refused({{"cmd", "drive"}, {"steering", 0}, {"throttle", -2}}, "out_of_range");
  expect_refused({{"cmd", "drive"}, {"steering", "left"}, {"throttle", 0}}, "bad_type");
  expect_refused({{"cmd", "drive"}, {"steering", 0}, {"throttle", nullptr}}, "bad_type");
  expect_refused({{"cmd", "drive"}, {"steering", 0}, {"throttle", 0}, {"brake", 1}},
                 "unknown_field");
  OperatorInput in;
  OperatorSource source{};
  EXPECT_FALSE(operators_.current(clock_.now(), 500, in, source));
}

TEST_F(ControlApiTest, get_lists_every_live_key_or_the_keys_asked) {
  const json all = call({{"cmd", "get"}})["values"];
  std::size_t live = 0;
  for (const auto& key : config::schema().keys) {
    if (!key.live) continue;
    ++live;
    EXPECT_TRUE(all.contains(key.path())) << key.path();
  }
  EXPECT_EQ(all.size(), live);
  EXPECT_FALSE(all.contains("control.rate_hz"));
  const json some = call({{"cmd", "get"}, {"keys", {"control.rate_hz", "control.steering_gain"}}});
  EXPECT_EQ(some["values"]["control.rate_hz"], 50.0);
  EXPECT_EQ(some["values"]["control.steering_gain"], 1.0);
  expect_refused({{"cmd", "get"}, {"keys", {"control.steering_gian"}}}, "unknown_key");
  expect_refused({{"cmd", "get"}, {"keys", "control.steering_gain"}}, "bad_type");
  expect_refused({{"cmd", "get"}, {"keys", {1}}}, "bad_type");
}

TEST_F(ControlApiTest, set_applies_several_live_keys_at_once_and_reports_them) {
  const json r = call({{"cmd", "set"},
                       {"values",
                        {{"control.steering_gain", 1.5},
                         {"control.throttle_max", 0.4},
                         {"control.reverse", "brake_then_reverse"}}}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  EXPECT_EQ(r["applied"].size(), 3u);
  EXPECT_DOUBLE_EQ(applied_.control.steering_gain, 1.5);
  EXPECT_DOUBLE_EQ(applied_.control.throttle_max, 0.4);
  EXPECT_EQ(applied_.control.reverse, config::ReverseMode::kBrakeThenReverse);
  EXPECT_EQ(live_->current().control.throttle_max, 0.4);
  EXPECT_EQ(events_.back().kind, "tunables");
  EXPECT_EQ(events_.back().details["keys"].size(), 3u);
  // Setting the same values again changes nothing and says so.
  const json again = call({{"cmd", "set"}, {"values", {{"control.steering_gain", 1.5}}}});
  EXPECT_EQ(again["applied"], json::array());
}

TEST_F(ControlApiTest, set_is_all_or_nothing_when_one_key_is_bad) {
  const json good = {{"control.steering_gain", 2.0}, {"control.steering_trim", 0.1}};
  auto with = [&good](const std::string& key, const json& value) {
    json values = good;
    values[key] = value;
    return json{{"cmd", "set"}, {"values", values}};
  };
  expect_refused(with("control.steering_limit", 1.5), "out_of_range");
  expect_refused(with("control.steering_limit", "wide"), "bad_type");
  expect_refused(with("control.steering_limit", nullptr), "bad_type");
  expect_refused(with("control.reverse", "backwards"), "out_of_range");
  expect_refused(with("control.rate_hz", 100), "not_live");
  expect_refused(with("camera.fps", 10), "not_live");
  expect_refused(with("control.nosuch", 1), "unknown_key");
  expect_refused({{"cmd", "set"}, {"values", json::object()}}, "bad_type");
  expect_refused({{"cmd", "set"}, {"values", {1, 2}}}, "bad_type");
  EXPECT_DOUBLE_EQ(live_->current().control.steering_gain, 1.0);
}

TEST_F(ControlApiTest, set_refused_by_the_car_changes_no_other_key) {
  expect_refused({{"cmd", "set"},
                  {"values", {{"control.steering_gain", 2.0}, {"control.mode", "local_angle"}}}},
                 "refused");
}

TEST_F(ControlApiTest, reload_applies_live_keys_and_reports_the_others_as_needing_a_restart) {
  const std::string path = write_config("control:\n  mode: user\n  steering_gain: 1.0\n");
  make(config::load_config(path, {}), path);
  ASSERT_EQ(call({{"cmd", "set"}, {"values", {{"control.throttle_max", 0.5}}}})["ok"], true);
  write_config("control:\n  mode: user\n  steering_gain: 2.5\n  rate_hz: 100\n");
  const json r = call({{"cmd", "reload"}});
  ASSERT_EQ(r["ok"], true) << r.dump();
  // The file wins for live keys, including the one `set` changed since.
  EXPECT_EQ(r["applied"], json({"control.steering_gain", "control.throttle_max"}));
  EXPECT_EQ(r["restart_required"], json({"control.rate_hz"}));
  EXPECT_DOUBLE_EQ(applied_.control.steering_gain, 2.5);
  EXPECT_DOUBLE_EQ(live_->current().control.throttle_max, 1.0);
  EXPECT_DOUBLE_EQ(live_->current().control.rate_hz, 50.0);
  EXPECT_EQ(events_.back().kind, "reload");
  EXPECT_EQ(events_.back().details["restart_required"], json({"control.rate_hz"}));
}

TEST_F(ControlApiTest, reload_of_a_broken_or_unacceptable_file_changes_nothing) {
  const std::string path = write_config("control:\n  mode: user\n");
  make(config::load_config(path, {}), path);
  write_config("control:\n  mode: user\n  steering_gain: 2.5\n  steering_gian: 1\n");
  expect_refused({{"cmd", "reload"}}, "bad_file");
  write_config("control:\n  mode: [user\n");
  expect_refused({{"cmd", "reload"}}, "bad_file");
  write_config("control:\n  mode: local\n  steering_gain: 2.5\n");
  expect_refused({{"cmd", "reload"}}, "refused");  // local needs the self-test
  std::filesystem::remove(path);
  expect_refused({{"cmd", "reload"}}, "bad_file");
}

TEST_F(ControlApiTest, record_starts_stops_and_erases) {
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "start"}})["recording"]["recording"], true);
  EXPECT_TRUE(recording_.recording);
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "erase"}, {"count", 5}})["ok"], true);
  EXPECT_EQ(recording_.erased, 5);
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "erase"}})["ok"], true);
  EXPECT_EQ(recording_.erased, 105) << "erase without a count erases 100, as Donkey's default";
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "stop"}})["recording"]["recording"], false);
  EXPECT_FALSE(recording_.recording);
}

TEST_F(ControlApiTest, record_errors_are_reported_and_change_nothing) {
  expect_refused({{"cmd", "record"}, {"action", "pause"}}, "out_of_range");
  expect_refused({{"cmd", "record"}, {"action", 1}}, "bad_type");
  expect_refused({{"cmd", "record"}, {"action", "erase"}, {"count", 0}}, "out_of_range");
  expect_refused({{"cmd", "record"}, {"action", "erase"}, {"count", "all"}}, "bad_type");
  recording_.start_error = "tub folder /x: not writable";
  const json r = call({{"cmd", "record"}, {"action", "start"}});
  EXPECT_EQ(r["error"], "refused");
  EXPECT_NE(r["message"].get<std::string>().find("/x"), std::string::npos);
  recording_.erase_error = "disk full";
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "erase"}, {"count", 1}})["error"], "refused");
  EXPECT_EQ(recording_.erased, 0);
}

TEST_F(ControlApiTest, record_erases_and_restores_ranges_and_lists_the_tub) {
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "erase_range"}, {"first", 10}, {"last", 19}})["ok"],
            true);
  EXPECT_EQ(
      call({{"cmd", "record"}, {"action", "restore_range"}, {"first", 12}, {"last", 12}})["ok"],
      true);
  ASSERT_EQ(recording_.ranges.size(), 2u);
  EXPECT_EQ(recording_.ranges[0].first, 10);
  EXPECT_EQ(recording_.ranges[0].last, 19);
  EXPECT_TRUE(recording_.ranges[0].deleted);
  EXPECT_FALSE(recording_.ranges[1].deleted);
  EXPECT_EQ(call({{"cmd", "record"}, {"action", "list"}})["tub"]["records"], 3);
}

TEST_F(ControlApiTest, a_bad_range_is_refused_and_changes_nothing) {
  const auto range = [](const json& fields) {
    json request = {{"cmd", "record"}, {"action", "erase_range"}};
    request.update(fields);
    return request;
  };
  expect_refused(range({{"first", 5}}), "missing_field");
  expect_refused(range({{"first", 5}, {"last", 4}}), "out_of_range");
  expect_refused(range({{"first", -1}, {"last", 4}}), "out_of_range");
  expect_refused(range({{"first", 1.5}, {"last", 4}}), "bad_type");
  expect_refused(range({{"first", 1}, {"last", 4}, {"count", 2}}), "unknown_field");
  expect_refused({{"cmd", "record"}, {"action", "erase"}, {"first", 1}}, "unknown_field");
  recording_.erase_error = "disk full";
  expect_refused(range({{"first", 1}, {"last", 4}}), "refused");
  EXPECT_TRUE(recording_.ranges.empty());
}

TEST_F(ControlApiTest, record_without_a_recorder_is_unavailable) {
  ControlHandler bare({*drive_, operators_, *live_, clock_, nullptr, nullptr, nullptr});
  const json r = bare.handle(json{{"cmd", "record"}, {"action", "start"}});
  EXPECT_EQ(r["error"], "unavailable");
  EXPECT_FALSE(bare.handle(json{{"cmd", "status"}}).contains("recording"));
}

}  // namespace
}  // namespace rcpilot::vehicle
