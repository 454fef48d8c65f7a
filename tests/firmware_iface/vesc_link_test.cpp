#include "firmware_iface/vesc_link.hpp"

#include <gtest/gtest.h>

#include <cmath>  // NAN: GCC 9 and 10 do not include it through gtest
#include <random>

#include "board_thread.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using Bytes = std::vector<std::uint8_t>;

// One command the fake VESC received: its id and its first argument (scaled integer).
struct Received {
  vesc::CommId id;
  std::int32_t value = 0;
};

// A VESC on the far end of a memory transport: decodes what the host sends, logs it, answers
// FW_VERSION and GET_VALUES (each can be silenced), and can inject noise before its replies.
class FakeVesc {
 public:
  explicit FakeVesc(std::unique_ptr<MemoryBoardEnd> end) : end_(std::move(end)) {
    thread_ = std::thread([this] { run(); });
  }
  ~FakeVesc() {
    running_ = false;
    end_->interrupt();
    thread_.join();
  }
  std::atomic<bool> answer_version{true};
  std::atomic<bool> answer_values{true};
  std::atomic<bool> noise_before_replies{false};
  std::atomic<int> fault_code{0};

  std::vector<Received> log() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }
  // The last value received for `id` (nullopt when none).
  std::optional<std::int32_t> last(vesc::CommId id) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = log_.rbegin(); it != log_.rend(); ++it) {
      if (it->id == id) return it->value;
    }
    return std::nullopt;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    log_.clear();
  }

  static Bytes values_payload(int fault) {
    Bytes p = {0x04, 0x01, 0xC2, 0x00, 0xFA};  // FET 45.0 C, motor 25.0 C
    auto i32 = [&](std::int32_t v) {
      for (int s = 24; s >= 0; s -= 8) {
        p.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> s));
      }
    };
    for (int k = 0; k < 4; ++k) i32(0);  // currents, id, iq
    p.push_back(0x00);
    p.push_back(0x32);  // duty 0.05
    i32(3210);          // erpm
    p.push_back(0x00);
    p.push_back(0x7E);  // 12.6 V
    for (int k = 0; k < 4; ++k) i32(0);
    i32(99);  // tachometer
    i32(99);
    p.push_back(static_cast<std::uint8_t>(fault));
    return p;
  }

 private:
  void run() {
    std::uint8_t buf[256];
    std::mt19937 rng(3);
    while (running_) {
      const IoResult r = end_->read(buf, sizeof(buf), 1ms);
      if (r.status != IoStatus::kOk) continue;
      decoder_.push(buf, r.bytes);
      while (auto p = decoder_.next()) handle(*p, rng);
    }
  }
  void handle(const Bytes& p, std::mt19937& rng) {
    Received rec{static_cast<vesc::CommId>(p[0])};
    if (p.size() >= 5) {
      rec.value =
          static_cast<std::int32_t>((std::uint32_t{p[1]} << 24) | (std::uint32_t{p[2]} << 16) |
                                    (std::uint32_t{p[3]} << 8) | p[4]);
    } else if (p.size() == 3) {
      rec.value = static_cast<std::int16_t>((p[1] << 8) | p[2]);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back(rec);
    }
    Bytes reply;
    if (rec.id == vesc::CommId::kFwVersion && answer_version) {
      reply = vesc::frame({0x00, 6, 5, 'r', 'c', 0});
    } else if (rec.id == vesc::CommId::kGetValues && answer_values) {
      reply = vesc::frame(values_payload(fault_code));
    }
    if (reply.empty()) return;
    if (noise_before_replies) {
      Bytes noise(8);
      for (auto& b : noise) {
        // Random, but no stray start byte: a long-frame candidate (0x03, length up to 512)
        // would legitimately swallow several replies before its CRC fails, which makes the
        // alive check below depend on the machine's load.
        b = static_cast<std::uint8_t>(rng() & 0xFF);
        if (b == 0x02 || b == 0x03) b = 0x55;
      }
      noise[0] = 0x02;  // a fake short-frame start whose candidate must be rejected
      noise[1] = 0x04;
      end_->write(noise.data(), noise.size());
    }
    end_->write(reply.data(), reply.size());
  }

  std::unique_ptr<MemoryBoardEnd> end_;
  vesc::Decoder decoder_;
  std::atomic<bool> running_{true};
  std::mutex mutex_;
  std::vector<Received> log_;
  std::thread thread_;
};

bool is_motor_command(vesc::CommId id) {
  return id == vesc::CommId::kSetDuty || id == vesc::CommId::kSetCurrent ||
         id == vesc::CommId::kSetCurrentBrake || id == vesc::CommId::kSetRpm ||
         id == vesc::CommId::kSetServoPos;
}

DriveCommand drive(float steering, float throttle) {
  DriveCommand c;
  c.steering_norm = steering;
  c.throttle_norm = throttle;
  return c;
}

class VescLinkTest : public ::testing::Test {
 protected:
  void start(VescLinkConfig cfg = {}) {
    cfg.timing.period_ms = 20;
    cfg.timing.alive_timeout_ms = 200;
    cfg.timing.handshake_retry_ms = 20;
    cfg.timing.reconnect_min_ms = 20;
    cfg.values_period_ms = 20;
    auto [host, board_end] = make_memory_pair();
    vesc_ = std::make_unique<FakeVesc>(std::move(board_end));
    vesc_->answer_version = answer_version_;
    vesc_->noise_before_replies = noise_before_replies_;
    link_ = std::make_unique<VescLink>(std::move(host), clock_, cfg);
  }
  bool answer_version_ = true;
  bool noise_before_replies_ = false;  // from the first reply on (set before start())
  SteadyClock clock_;
  std::unique_ptr<FakeVesc> vesc_;
  std::unique_ptr<VescLink> link_;
};

TEST(VescServo, position_is_centre_plus_gain_times_steering_clamped_to_limits) {
  VescLinkConfig cfg;
  cfg.servo_center = 0.53f;
  cfg.servo_gain = -0.4f;
  cfg.servo_min = 0.2f;
  cfg.servo_max = 0.8f;
  EXPECT_FLOAT_EQ(vesc_servo_position(0.0f, cfg), 0.53f);
  EXPECT_FLOAT_EQ(vesc_servo_position(0.5f, cfg), 0.33f);
  EXPECT_FLOAT_EQ(vesc_servo_position(-1.0f, cfg), 0.8f);  // 0.93 clamped
  EXPECT_FLOAT_EQ(vesc_servo_position(NAN, cfg), 0.53f);
}

TEST_F(VescLinkTest, repeats_fw_version_until_answered_and_sends_no_motor_command_before) {
  answer_version_ = false;
  start();
  EXPECT_FALSE(link_->send(drive(0.5f, 0.5f)));
  EXPECT_TRUE(eventually([&] { return vesc_->log().size() >= 3; }));
  for (const Received& r : vesc_->log()) EXPECT_EQ(r.id, vesc::CommId::kFwVersion);
  EXPECT_FALSE(link_->status().alive);
  vesc_->answer_version = true;
  ASSERT_TRUE(link_->wait_alive(2s));
  EXPECT_EQ(link_->firmware_version(), "6.5");
}

TEST_F(VescLinkTest, setpoint_goes_out_as_servo_position_and_duty) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  ASSERT_TRUE(link_->send(drive(1.0f, 0.5f)));
  ASSERT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetDuty) == 10000; }));
  EXPECT_EQ(vesc_->last(vesc::CommId::kSetServoPos), 850);  // 0.5 + 0.35, servo_max 0.85
}

TEST_F(VescLinkTest, rpm_and_current_modes_scale_throttle_by_their_maximum) {
  VescLinkConfig cfg;
  cfg.throttle_mode = VescThrottleMode::kRpm;
  cfg.max_erpm = 8000;
  start(cfg);
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.0f, -0.25f));
  EXPECT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetRpm) == -2000; }));
  link_.reset();
  cfg.throttle_mode = VescThrottleMode::kCurrent;
  cfg.max_current_a = 20;
  start(cfg);
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.0f, 0.5f));
  EXPECT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetCurrent) == 10000; }));
}

TEST_F(VescLinkTest, get_values_are_polled_into_the_board_status) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  ASSERT_TRUE(eventually([&] { return link_->status().board.battery_v > 0.0f; }));
  const BoardTelemetry b = link_->status().board;
  EXPECT_FLOAT_EQ(b.battery_v, 12.6f);
  EXPECT_FLOAT_EQ(b.motor_erpm, 3210.0f);
  EXPECT_FLOAT_EQ(b.temp_fet_c, 45.0f);
  EXPECT_FLOAT_EQ(b.temp_motor_c, 25.0f);
  EXPECT_EQ(b.wheel_ticks, 99);
  EXPECT_EQ(b.fault_code, 0);
}

TEST_F(VescLinkTest, resynchronises_after_garbage_before_every_reply) {
  noise_before_replies_ = true;  // set after start(), the first replies could come out clean
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  ASSERT_TRUE(eventually([&] { return link_->status().board.battery_v > 0.0f; }));
  EXPECT_GT(link_->status().rx_errors, 0u);
  EXPECT_TRUE(link_->status().alive);
}

TEST_F(VescLinkTest, stop_writes_zero_current_and_servo_centre_last) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(-1.0f, 1.0f));
  ASSERT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetDuty) == 20000; }));
  vesc_->clear();  // the idle neutral written before the first setpoint is not the shutdown
  link_->stop();
  ASSERT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetCurrent).has_value(); }));
  std::vector<Received> log = vesc_->log();
  while (!log.empty() && !is_motor_command(log.back().id)) log.pop_back();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[log.size() - 2].id, vesc::CommId::kSetServoPos);
  EXPECT_EQ(log[log.size() - 2].value, 500);
  EXPECT_EQ(log.back().id, vesc::CommId::kSetCurrent);
  EXPECT_EQ(log.back().value, 0);
}

TEST_F(VescLinkTest, neutral_applies_the_configured_brake_current) {
  VescLinkConfig cfg;
  cfg.brake_current_a = 3.5f;
  start(cfg);
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.2f, 0.0f));
  EXPECT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetCurrentBrake) == 3500; }));
}

TEST_F(VescLinkTest, a_board_fault_forces_neutral_until_it_clears) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  vesc_->fault_code = 2;
  ASSERT_TRUE(eventually([&] { return link_->status().board.fault_code == 2; }));
  vesc_->clear();
  link_->send(drive(0.5f, 0.5f));
  ASSERT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetCurrent).has_value(); }));
  EXPECT_FALSE(vesc_->last(vesc::CommId::kSetDuty).has_value());
  EXPECT_EQ(vesc_->last(vesc::CommId::kSetServoPos), 500);
  vesc_->fault_code = 0;
  EXPECT_TRUE(eventually([&] {
    link_->send(drive(0.5f, 0.5f));
    return vesc_->last(vesc::CommId::kSetDuty) == 10000;
  }));
}

TEST_F(VescLinkTest, during_a_board_fault_the_status_shows_the_neutral_that_went_out) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  vesc_->fault_code = 2;
  ASSERT_TRUE(eventually([&] { return link_->status().board.fault_code == 2; }));
  ASSERT_TRUE(eventually([&] {
    link_->send(drive(1.0f, 0.5f));  // asked for: full right, half throttle
    return link_->status().commands_sent > 0 && link_->status().last_output.servo_position != 0;
  }));
  const LinkStatus s = link_->status();
  EXPECT_TRUE(s.last_command.is_neutral());
  EXPECT_FLOAT_EQ(s.last_output.servo_position, 0.5f);  // servo centre went out
  EXPECT_FLOAT_EQ(s.last_output.throttle_value, 0.0f);  // zero current, not duty 0.1
  vesc_->fault_code = 0;
  EXPECT_TRUE(eventually([&] {
    link_->send(drive(1.0f, 0.5f));
    return link_->status().last_output.throttle_value == 0.1f;  // duty 0.5 * vesc_max_duty
  }));
  EXPECT_FLOAT_EQ(link_->status().last_output.servo_position, 0.85f);
}

TEST_F(VescLinkTest, a_board_that_stops_answering_is_a_dead_link_and_is_handshaken_again) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  vesc_->answer_values = false;
  vesc_->answer_version = false;
  ASSERT_TRUE(eventually([&] { return !link_->status().alive; }, 2s));
  EXPECT_EQ(link_->status().link_losses, 1u);
  EXPECT_FALSE(link_->send(drive(0.1f, 0.1f)));
  vesc_->answer_values = true;
  vesc_->answer_version = true;
  EXPECT_TRUE(link_->wait_alive(2s));
  EXPECT_EQ(link_->status().reconnects, 1u);
}

TEST_F(VescLinkTest, the_host_watchdog_sends_neutral_when_the_loop_stops_calling_send) {
  start();
  ASSERT_TRUE(link_->wait_alive(2s));
  link_->send(drive(0.5f, 0.5f));
  ASSERT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetDuty) == 10000; }));
  EXPECT_TRUE(eventually([&] { return link_->status().watchdog_trips == 1u; }));
  EXPECT_TRUE(eventually([&] { return vesc_->last(vesc::CommId::kSetServoPos) == 500; }));
}

}  // namespace
}  // namespace rcpilot::fw
