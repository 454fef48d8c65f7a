// Pca9685Link on its I/O thread against the fake chip (stepped clock): neutral on every exit
// path, send() refused while the link is down; and the motor.* keys turned into its config,
// with the errors a bad calibration gets.
#include <gtest/gtest.h>

#include <stdexcept>

#include "board_thread.hpp"
#include "fake_pca9685.hpp"
#include "firmware_iface/link_factory.hpp"
#include "firmware_iface/pca9685_link.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::eventually;
using testing::FakePca9685;
using testing::FakePca9685Bus;

class Pca9685LinkTest : public ::testing::Test {
 protected:
  std::unique_ptr<Pca9685Link> make_link() {
    return std::make_unique<Pca9685Link>(std::make_unique<FakePca9685Bus>(chip_), clock_,
                                         Pca9685LinkConfig{});
  }
  // Steps the clock and waits until the link's thread has acted on the new time.
  void step(Pca9685Link& link, Duration d) {
    clock_.advance(d);
    const TimePoint target = clock_.now();
    ASSERT_TRUE(eventually([&] { return link.serviced_until() >= target; }));
  }
  void bring_up(Pca9685Link& link) {
    ASSERT_TRUE(eventually([&] { return link.serviced_until() >= clock_.now(); }));
    step(link, 1ms);
    ASSERT_TRUE(link.status().alive);
  }
  static DriveCommand forward(float throttle) {
    DriveCommand c;
    c.steering_norm = 0.4f;
    c.throttle_norm = throttle;
    return c;
  }
  int neutral_ticks() const { return pca9685::us_to_ticks(1500, Pca9685LinkConfig{}.tick_us()); }

  ManualClock clock_{TimePoint(std::chrono::seconds(1))};  // serviced_until() starts below it
  FakePca9685 chip_{&clock_};
};

TEST_F(Pca9685LinkTest, send_is_refused_until_the_board_is_initialised) {
  auto link = make_link();
  ASSERT_TRUE(eventually([&] { return link->serviced_until() >= clock_.now(); }));
  EXPECT_FALSE(link->send(forward(0.3f)));
  EXPECT_EQ(link->status().send_failures, 1u);
  step(*link, 1ms);
  EXPECT_TRUE(link->send(forward(0.3f)));
  EXPECT_NE(link->describe().find("prescale 101"), std::string::npos) << link->describe();
}

TEST_F(Pca9685LinkTest, a_setpoint_reaches_the_registers_and_stop_writes_neutral) {
  auto link = make_link();
  bring_up(*link);
  ASSERT_TRUE(link->send(forward(0.5f)));
  ASSERT_TRUE(eventually([&] { return chip_.off_ticks(0) != neutral_ticks(); }));
  EXPECT_EQ(link->status().last_command.throttle_norm, 0.5f);
  link->stop();
  EXPECT_EQ(chip_.off_ticks(0), neutral_ticks());
  EXPECT_EQ(chip_.off_ticks(1), neutral_ticks());
  const LinkStatus s = link->status();
  EXPECT_FALSE(s.alive);
  EXPECT_TRUE(s.last_command.is_neutral());
  EXPECT_EQ(s.last_output.throttle_us, 1501);  // 368 ticks of 4.08 us
  EXPECT_FALSE(link->send(forward(0.5f)));
  link->stop();  // twice is harmless
}

TEST_F(Pca9685LinkTest, the_destructor_writes_neutral) {
  {
    auto link = make_link();
    bring_up(*link);
    ASSERT_TRUE(link->send(forward(0.7f)));
    ASSERT_TRUE(eventually([&] { return chip_.off_ticks(0) != neutral_ticks(); }));
  }
  EXPECT_EQ(chip_.off_ticks(0), neutral_ticks());
  EXPECT_EQ(chip_.off_ticks(1), neutral_ticks());
}

TEST_F(Pca9685LinkTest, a_bus_error_is_a_lost_link_with_neutral_then_a_reconnect) {
  auto link = make_link();
  bring_up(*link);
  ASSERT_TRUE(link->send(forward(0.5f)));
  ASSERT_TRUE(eventually([&] { return chip_.off_ticks(0) != neutral_ticks(); }));
  chip_.fail_next(1);
  step(*link, 50ms);  // the keep-alive's MODE1 read fails
  EXPECT_FALSE(link->status().alive);
  EXPECT_EQ(link->status().link_losses, 1u);
  EXPECT_EQ(chip_.off_ticks(0), neutral_ticks());
  EXPECT_FALSE(link->send(forward(0.5f)));
  EXPECT_NE(link->last_error().find("i2cdetect"), std::string::npos);
  step(*link, 100ms);
  step(*link, 1ms);
  EXPECT_TRUE(link->status().alive);
  EXPECT_EQ(link->status().reconnects, 1u);
}

TEST_F(Pca9685LinkTest, stop_after_a_lost_link_opens_the_bus_again_for_a_last_neutral) {
  auto link = make_link();
  bring_up(*link);
  ASSERT_TRUE(link->send(forward(0.5f)));
  ASSERT_TRUE(eventually([&] { return chip_.off_ticks(0) != neutral_ticks(); }));
  chip_.fail_next(2);  // the keep-alive's read and the neutral after it both fail
  step(*link, 50ms);
  ASSERT_FALSE(link->status().alive);
  EXPECT_NE(chip_.off_ticks(0), neutral_ticks());  // the board still drives
  link->stop();                                    // before the back-off re-opened the bus
  EXPECT_EQ(chip_.off_ticks(0), neutral_ticks());
  EXPECT_EQ(chip_.off_ticks(1), neutral_ticks());
}

TEST_F(Pca9685LinkTest, stop_while_the_board_is_gone_still_returns) {
  auto link = make_link();
  bring_up(*link);
  chip_.set_unplugged(true);
  link->stop();
  EXPECT_FALSE(link->status().alive);
}

config::MotorConfig pca_motor() {
  config::MotorConfig m;
  m.driver = config::MotorDriver::kPca9685;
  return m;
}

TEST(Pca9685LinkConfig, the_defaults_are_donkeys_bus_1_address_0x40_60_hz_steering_1_throttle_0) {
  const Pca9685LinkConfig c = pca9685_link_config(pca_motor());
  EXPECT_EQ(c.prescale(), 101);
  EXPECT_EQ(c.steering.channel, 1);
  EXPECT_EQ(c.throttle.channel, 0);
  EXPECT_FALSE(c.steering.ticks);
  EXPECT_EQ(c.steering.us.center_us, 1500);
}

TEST(Pca9685LinkConfig, donkey_tick_keys_take_precedence_over_the_us_keys) {
  config::MotorConfig m = pca_motor();
  m.steering_left_ticks = 460;
  m.steering_right_ticks = 290;
  m.throttle_forward_ticks = 500;
  m.throttle_stopped_ticks = 370;
  m.throttle_reverse_ticks = 220;
  const Pca9685LinkConfig c = pca9685_link_config(m);
  ASSERT_TRUE(c.steering.ticks && c.throttle.ticks);
  EXPECT_EQ(pca9685::ticks_for(-1.0f, c.steering, c.tick_us()), 460);
  EXPECT_EQ(pca9685::ticks_for(0.0f, c.steering, c.tick_us()), 375);
  EXPECT_EQ(pca9685::ticks_for(1.0f, c.throttle, c.tick_us()), 500);
  EXPECT_EQ(pca9685::ticks_for(0.0f, c.throttle, c.tick_us()), 370);
  EXPECT_EQ(pca9685::ticks_for(-1.0f, c.throttle, c.tick_us()), 220);
}

// The message of the std::invalid_argument `m` gets ("" when it is accepted).
std::string refusal(const config::MotorConfig& m) {
  try {
    pca9685_link_config(m);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(Pca9685LinkConfig, bad_channels_addresses_and_frequencies_are_refused_naming_the_key) {
  config::MotorConfig m = pca_motor();
  m.throttle_channel = 1;
  EXPECT_NE(refusal(m).find("motor.steering_channel and motor.throttle_channel"),
            std::string::npos);
  m = pca_motor();
  m.i2c_address = 0x3c;
  EXPECT_NE(refusal(m).find("motor.i2c_address 60 is no PCA9685 address"), std::string::npos);
  m = pca_motor();
  m.pca9685_osc_hz = 50000000;
  m.pwm_frequency_hz = 24;  // prescale 508
  EXPECT_NE(refusal(m).find("motor.pwm_frequency_hz 24"), std::string::npos) << refusal(m);
  m = pca_motor();
  m.pwm_frequency_hz = 500;  // a 2 ms period: a 2000 us pulse does not fit
  EXPECT_NE(refusal(m).find("motor.steering_max_us 2000"), std::string::npos) << refusal(m);
}

TEST(Pca9685LinkConfig, ticks_set_in_part_or_inconsistent_are_refused) {
  config::MotorConfig m = pca_motor();
  m.steering_left_ticks = 460;
  EXPECT_NE(refusal(m).find("must both be set"), std::string::npos);
  m.steering_right_ticks = 460;
  EXPECT_NE(refusal(m).find("must both be set and differ"), std::string::npos);
  m = pca_motor();
  m.throttle_forward_ticks = 500;
  m.throttle_stopped_ticks = 370;
  EXPECT_NE(refusal(m).find("must all be set"), std::string::npos);
  m.throttle_reverse_ticks = 400;
  EXPECT_NE(refusal(m).find("strictly between"), std::string::npos);
  m.throttle_reverse_ticks = 220;
  EXPECT_EQ(refusal(m), "");
  m.throttle_forward_ticks = 700;  // 2856 us at 60 Hz: no ESC takes it
  EXPECT_NE(refusal(m).find("motor.throttle_forward_ticks 700"), std::string::npos) << refusal(m);
  m = pca_motor();  // an ESC wired the other way round: forward below stopped
  m.throttle_forward_ticks = 220;
  m.throttle_stopped_ticks = 370;
  m.throttle_reverse_ticks = 500;
  EXPECT_EQ(refusal(m), "");
}

}  // namespace
}  // namespace rcpilot::fw
