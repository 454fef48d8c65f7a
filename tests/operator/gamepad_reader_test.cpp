// GamepadReader driven through a FIFO that carries raw js_event records, the same bytes joydev
// delivers from /dev/input/js*: the real reader code opens, polls and reads it. A FIFO is not
// a joystick (the JSIOCG* ioctls fail on it), so the tests inject an identification that
// accepts it as a pad of kShape, except the one that checks the real refusal.
#include "operator/gamepad_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace rcpilot::vehicle {
namespace {

using namespace std::chrono_literals;

// Polls `pred` every ms for up to `timeout` (waiting for the reader thread, not for time).
template <typename P>
bool eventually(P pred, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

// A joystick device node played by a FIFO. The FIFO is created under a temporary name, opened
// read-write (so a writer exists before the reader opens it and written records wait in the
// pipe) and renamed into place, so the reader never opens a FIFO without a writer.
class FakeJoystick {
 public:
  explicit FakeJoystick(std::string path) : path_(std::move(path)) {
    const std::string tmp = path_ + ".tmp";
    EXPECT_EQ(::mkfifo(tmp.c_str(), 0600), 0) << tmp;
    fd_ = ::open(tmp.c_str(), O_RDWR | O_CLOEXEC);
    EXPECT_GE(fd_, 0) << tmp;
    EXPECT_EQ(::rename(tmp.c_str(), path_.c_str()), 0) << path_;
  }
  ~FakeJoystick() { close(); }

  void send(__u8 type, int number, int value, std::uint32_t time_ms = 0) {
    js_event e{};
    e.time = time_ms;
    e.type = type;
    e.number = static_cast<__u8>(number);
    e.value = static_cast<__s16>(value);
    ASSERT_EQ(::write(fd_, &e, sizeof e), static_cast<ssize_t>(sizeof e));
  }
  void bytes(const std::vector<unsigned char>& data) {
    ASSERT_EQ(::write(fd_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  void axis(int number, int value) { send(JS_EVENT_AXIS, number, value); }
  void press(int number) { send(JS_EVENT_BUTTON, number, 1); }
  void release(int number) { send(JS_EVENT_BUTTON, number, 0); }
  // What joydev sends right after open: the state of every axis and button, flagged INIT.
  void init_state() {
    for (int a = 0; a < 6; ++a) send(JS_EVENT_AXIS | JS_EVENT_INIT, a, 0);
    for (int b = 0; b < 11; ++b) send(JS_EVENT_BUTTON | JS_EVENT_INIT, b, 0);
  }
  // The writer goes away: the reader sees end of file.
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // The node vanishes (an unplugged pad); the writer end stays open.
  void remove() { ::unlink(path_.c_str()); }

 private:
  std::string path_;
  int fd_ = -1;
};

// Everything the reader handed to its handlers.
class Recorder {
 public:
  GamepadHandlers handlers() {
    GamepadHandlers h;
    h.on_input = [this](const OperatorInput& in) {
      std::lock_guard<std::mutex> lock(mutex_);
      inputs_.push_back(in);
    };
    h.on_action = [this](GamepadAction a) {
      std::lock_guard<std::mutex> lock(mutex_);
      actions_.push_back(a);
    };
    h.on_event = [this](GamepadEvent e, const std::string& text) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back({e, text});
    };
    return h;
  }
  std::vector<OperatorInput> inputs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return inputs_;
  }
  std::vector<GamepadAction> actions() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return actions_;
  }
  std::vector<std::pair<GamepadEvent, std::string>> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::size_t count(GamepadEvent kind) const {
    std::size_t n = 0;
    for (const auto& e : events()) n += e.first == kind ? 1 : 0;
    return n;
  }
  bool last_input_is(bool valid, float steering, float throttle) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (inputs_.empty()) return false;
    const OperatorInput& in = inputs_.back();
    return in.valid == valid && in.steering_norm == steering && in.throttle_norm == throttle;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<OperatorInput> inputs_;
  std::vector<GamepadAction> actions_;
  std::vector<std::pair<GamepadEvent, std::string>> events_;
};

// The pad the fake device plays: 6 axes, 11 buttons (an Xbox pad on xpad).
const JoystickShape kShape{6, 11, {}, {}};

bool fake_identify(int /*fd*/, JoystickShape& shape, std::string& /*error*/) {
  shape = kShape;
  return true;
}

class GamepadReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/rcpilot-gamepad-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    config_.device = dir_ + "/js0";
    config_.steering_axis = 0;
    config_.throttle_axis = 4;
    config_.dead_zone = 0.0;
    config_.steering_scale = 1.0;
    config_.throttle_scale = 0.5;
    config_.throttle_inverted = true;
    config_.estop_button = 1;
    config_.arm_button = 7;
    config_.reconnect_min_ms = 10;
    config_.reconnect_max_ms = 40;
  }
  void TearDown() override {
    if (reader_) reader_->stop();
    reader_.reset();
    ::unlink(config_.device.c_str());
    ::rmdir(dir_.c_str());
  }
  void start_reader(JoystickIdentify identify = fake_identify) {
    reader_ = std::make_unique<GamepadReader>(config_, clock_, recorder_.handlers(),
                                              GamepadReader::kRepeat, std::move(identify));
    reader_->start();
  }

  std::string dir_;
  config::GamepadConfig config_;
  ManualClock clock_{TimePoint{} + 1s};
  Recorder recorder_;
  std::unique_ptr<GamepadReader> reader_;
};

TEST_F(GamepadReaderTest, axis_moves_reach_on_input_as_valid_normalised_input) {
  FakeJoystick pad(config_.device);
  pad.init_state();
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kConnected) == 1; }));
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 0.0f, 0.0f); }));
  pad.axis(0, -32767);
  pad.axis(4, -32767);  // right stick forward
  EXPECT_TRUE(eventually([&] { return recorder_.last_input_is(true, -1.0f, 0.5f); }));
  EXPECT_EQ(recorder_.inputs().back().received_at, clock_.now());
  EXPECT_TRUE(reader_->stats().connected);
  EXPECT_GE(reader_->stats().events, 19u);
}

TEST_F(GamepadReaderTest, button_presses_give_actions_and_init_state_gives_none) {
  FakeJoystick pad(config_.device);
  pad.send(JS_EVENT_BUTTON | JS_EVENT_INIT, 7, 1);  // arm held while the pad connects
  start_reader();
  pad.press(1);
  pad.release(1);
  pad.release(7);
  pad.press(7);
  ASSERT_TRUE(eventually([&] { return recorder_.actions().size() == 2; }));
  EXPECT_EQ(recorder_.actions()[0], GamepadAction::kEstop);
  EXPECT_EQ(recorder_.actions()[1], GamepadAction::kArm);
}

TEST_F(GamepadReaderTest, the_current_input_is_repeated_with_a_fresh_stamp_while_connected) {
  FakeJoystick pad(config_.device);
  pad.axis(0, 32767);
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 1.0f, 0.0f); }));
  const std::size_t before = recorder_.inputs().size();
  clock_.advance(GamepadReader::kRepeat + 1ms);  // the stick does not move: no events
  ASSERT_TRUE(eventually([&] { return recorder_.inputs().size() > before; }));
  const OperatorInput repeated = recorder_.inputs().back();
  EXPECT_TRUE(repeated.valid);
  EXPECT_FLOAT_EQ(repeated.steering_norm, 1.0f);
  EXPECT_EQ(repeated.received_at, clock_.now());
}

TEST_F(GamepadReaderTest, closing_the_writer_gives_an_invalid_input_and_a_lost_event) {
  FakeJoystick pad(config_.device);
  pad.axis(4, -32767);
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 0.0f, 0.5f); }));
  pad.close();
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kLost) == 1; }));
  EXPECT_TRUE(recorder_.last_input_is(false, 0.0f, 0.0f)) << "neutral published before kLost";
  EXPECT_FALSE(reader_->stats().connected);
  EXPECT_EQ(reader_->stats().losses, 1u);
  for (const auto& [kind, text] : recorder_.events()) {
    if (kind == GamepadEvent::kLost) {
      EXPECT_NE(text.find(config_.device), std::string::npos) << text;
    }
  }
}

TEST_F(GamepadReaderTest, removing_the_node_loses_the_pad_and_recreating_it_reconnects) {
  auto pad = std::make_unique<FakeJoystick>(config_.device);
  pad->axis(0, 32767);
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 1.0f, 0.0f); }));
  pad->remove();  // the writer is still open: only the node is gone, as when unplugged
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kLost) == 1; }));
  EXPECT_TRUE(recorder_.last_input_is(false, 0.0f, 0.0f));
  // The kLost event, not stats().last_error: a re-open failing meanwhile overwrites that.
  for (const auto& [kind, text] : recorder_.events()) {
    if (kind == GamepadEvent::kLost) {
      EXPECT_NE(text.find("removed"), std::string::npos) << text;
    }
  }
  pad = std::make_unique<FakeJoystick>(config_.device);
  pad->axis(0, -32767);
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kConnected) == 2; }));
  EXPECT_TRUE(eventually([&] { return recorder_.last_input_is(true, -1.0f, 0.0f); }))
      << "the stick state of the old connection is gone; the new one is used";
  EXPECT_EQ(reader_->stats().connects, 2u);
}

TEST_F(GamepadReaderTest, a_missing_device_at_start_is_an_event_and_a_retry_not_a_crash) {
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kUnavailable) >= 1; }));
  const std::string text = recorder_.events().front().second;
  EXPECT_NE(text.find(config_.device), std::string::npos) << text;
  EXPECT_NE(text.find("ls /dev/input/js*"), std::string::npos) << text;
  EXPECT_NE(text.find("input` group"), std::string::npos) << text;
  ASSERT_TRUE(eventually([&] { return reader_->stats().open_failures >= 3; }));
  EXPECT_EQ(recorder_.count(GamepadEvent::kUnavailable), 1u) << "the same failure is told once";
  EXPECT_TRUE(recorder_.inputs().empty());
  FakeJoystick pad(config_.device);
  pad.init_state();
  EXPECT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kConnected) == 1; }));
  EXPECT_TRUE(eventually([&] { return recorder_.last_input_is(true, 0.0f, 0.0f); }));
}

TEST_F(GamepadReaderTest, a_record_split_across_writes_is_decoded_whole) {
  FakeJoystick pad(config_.device);
  start_reader();
  js_event e{};
  e.type = JS_EVENT_AXIS;
  e.number = 0;
  e.value = 32767;
  const int fd = ::open(config_.device.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const auto* bytes = reinterpret_cast<const unsigned char*>(&e);
  ASSERT_EQ(::write(fd, bytes, 3), 3);
  std::this_thread::sleep_for(20ms);  // let the reader see the partial record (not required)
  ASSERT_EQ(::write(fd, bytes + 3, sizeof e - 3), static_cast<ssize_t>(sizeof e - 3));
  EXPECT_TRUE(eventually([&] { return recorder_.last_input_is(true, 1.0f, 0.0f); }));
  EXPECT_EQ(reader_->stats().events, 1u);
  ::close(fd);
}

TEST_F(GamepadReaderTest, stop_ends_with_an_invalid_input_when_connected) {
  FakeJoystick pad(config_.device);
  pad.axis(0, 32767);
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 1.0f, 0.0f); }));
  reader_->stop();
  EXPECT_TRUE(recorder_.last_input_is(false, 0.0f, 0.0f));
  EXPECT_EQ(recorder_.count(GamepadEvent::kLost), 0u) << "stopping is not losing the pad";
}

TEST_F(GamepadReaderTest, a_device_that_is_not_a_joystick_is_refused_and_nothing_from_it_used) {
  FakeJoystick pipe(config_.device);  // a FIFO: the real JSIOCGAXES fails on it
  pipe.axis(0, 32767);
  pipe.press(1);  // e-stop
  start_reader({});
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kUnavailable) == 1; }));
  const std::string text = recorder_.events().front().second;
  EXPECT_NE(text.find(config_.device), std::string::npos) << text;
  EXPECT_NE(text.find("not a joystick"), std::string::npos) << text;
  EXPECT_NE(text.find("JSIOCGAXES"), std::string::npos) << text;
  ASSERT_TRUE(eventually([&] { return reader_->stats().open_failures >= 2; }));
  EXPECT_TRUE(recorder_.actions().empty());
  EXPECT_TRUE(recorder_.inputs().empty());
  EXPECT_EQ(recorder_.count(GamepadEvent::kConnected), 0u);
  EXPECT_EQ(reader_->stats().events, 0u);
}

TEST_F(GamepadReaderTest, random_bytes_lose_the_pad_and_never_act) {
  FakeJoystick pad(config_.device);
  pad.axis(0, 32767);
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 1.0f, 0.0f); }));
  std::mt19937 random(13);
  std::vector<unsigned char> noise(4096);
  for (auto& b : noise) b = static_cast<unsigned char>(random() & 0xFF);
  pad.bytes(noise);
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kLost) == 1; }));
  EXPECT_TRUE(recorder_.last_input_is(false, 0.0f, 0.0f)) << "neutral at once";
  EXPECT_TRUE(recorder_.actions().empty());
  for (const auto& [kind, text] : recorder_.events()) {
    if (kind != GamepadEvent::kLost) continue;
    EXPECT_NE(text.find(config_.device), std::string::npos) << text;
    EXPECT_NE(text.find("not a joystick event"), std::string::npos) << text;
  }
}

TEST_F(GamepadReaderTest, a_button_value_other_than_0_or_1_is_no_press) {
  FakeJoystick pad(config_.device);
  pad.axis(0, 0);
  pad.send(JS_EVENT_BUTTON, config_.estop_button, 2);
  pad.send(JS_EVENT_BUTTON, 200, 1);  // beyond the pad's 11 buttons
  start_reader();
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kLost) == 1; }));
  EXPECT_TRUE(recorder_.actions().empty());
}

TEST_F(GamepadReaderTest, the_erase_button_erases_only_after_a_hold) {
  config_.erase_records_button = 2;
  config_.erase_hold_ms = 1000;
  FakeJoystick pad(config_.device);
  start_reader();
  pad.send(JS_EVENT_BUTTON, 2, 1, 10000);
  pad.send(JS_EVENT_BUTTON, 2, 0, 10100);  // a tap
  pad.send(JS_EVENT_BUTTON, 2, 1, 20000);
  pad.send(JS_EVENT_BUTTON, 2, 0, 21000);  // held 1 s
  pad.press(1);                            // a marker: everything before it was decoded
  ASSERT_TRUE(eventually([&] { return recorder_.actions().size() == 2; }));
  EXPECT_EQ(recorder_.actions()[0], GamepadAction::kEraseRecords);
  EXPECT_EQ(recorder_.actions()[1], GamepadAction::kEstop);
}

// A DualShock 4 as hid-playstation reports it: which code each event number carries.
bool dualshock4_identify(int /*fd*/, JoystickShape& shape, std::string& /*error*/) {
  shape.axes = 8;
  shape.buttons = 13;
  shape.axis_codes = {ABS_X, ABS_Y, ABS_Z, ABS_RX, ABS_RY, ABS_RZ, ABS_HAT0X, ABS_HAT0Y};
  shape.button_codes = {BTN_SOUTH, BTN_EAST,   BTN_NORTH, BTN_WEST, BTN_TL,     BTN_TR,    BTN_TL2,
                        BTN_TR2,   BTN_SELECT, BTN_START, BTN_MODE, BTN_THUMBL, BTN_THUMBR};
  return true;
}

TEST_F(GamepadReaderTest, a_named_pad_maps_by_codes_and_reports_its_throttle_scale_buttons) {
  config_.pad = config::GamepadPad::kPs4;
  config_.throttle_scale = 0.5;
  config_.throttle_scale_step = 0.05;
  FakeJoystick pad(config_.device);
  start_reader(dualshock4_identify);
  pad.axis(4, -32767);  // right stick forward
  pad.press(4);         // L1: max throttle up
  pad.press(0);         // Cross: e-stop
  ASSERT_TRUE(eventually([&] { return recorder_.actions().size() == 1; }));
  EXPECT_EQ(recorder_.actions()[0], GamepadAction::kEstop) << "L1 is no action of its own";
  ASSERT_TRUE(eventually([&] { return recorder_.count(GamepadEvent::kThrottleScale) == 1; }));
  ASSERT_TRUE(eventually([&] { return recorder_.last_input_is(true, 0.0f, 0.55f); }));
  for (const auto& [kind, text] : recorder_.events()) {
    if (kind == GamepadEvent::kConnected) {
      EXPECT_NE(text.find("ps4 mapping"), std::string::npos) << text;
    }
    if (kind == GamepadEvent::kThrottleScale) {
      EXPECT_NE(text.find("0.55"), std::string::npos) << text;
    }
  }
}

TEST_F(GamepadReaderTest, a_double_mapping_is_refused_at_construction) {
  config_.disarm_button = config_.arm_button;
  EXPECT_THROW((GamepadReader{config_, clock_, recorder_.handlers()}), std::invalid_argument);
}

}  // namespace
}  // namespace rcpilot::vehicle
