// The PCA9685's maths and Pca9685Driver, the link's logic, against the register-level fake on
// stepped time: initialisation per datasheet, pulses for a sweep in us and in Donkey's ticks,
// the watchdog, keep-alive, bus errors and brown-outs.
#include <gtest/gtest.h>

#include <cmath>

#include "fake_pca9685.hpp"
#include "firmware_iface/drive_command.hpp"
#include "firmware_iface/pca9685_link.hpp"

namespace rcpilot::fw {
namespace {

using namespace std::chrono_literals;
using testing::FakePca9685;
using testing::FakePca9685Bus;

TEST(Pca9685Maths, sixty_hz_at_25_mhz_is_prescale_101_and_370_ticks_about_1_5_ms) {
  EXPECT_EQ(pca9685::prescale_for(25e6, 60), 101);
  EXPECT_EQ(pca9685::prescale_for(25e6, 50), 121);
  EXPECT_EQ(pca9685::prescale_for(25e6, 1526), 3);
  EXPECT_EQ(pca9685::prescale_for(25e6, 24), 253);
  EXPECT_NEAR(pca9685::frequency_hz(25e6, 101), 59.84, 0.01);
  EXPECT_NEAR(pca9685::tick_us(25e6, 101), 4.08, 1e-9);
  EXPECT_EQ(pca9685::ticks_to_us(370, 4.08), 1510);
  EXPECT_EQ(pca9685::us_to_ticks(1500, 4.08), 368);
  EXPECT_EQ(pca9685::us_to_ticks(1e6, 4.08), 4095);
}

TEST(Pca9685Maths, a_pulse_starts_at_tick_0_and_ends_at_its_off_count) {
  const auto b = pca9685::led_bytes(0x172);
  EXPECT_EQ(b, (std::array<std::uint8_t, 4>{0, 0, 0x72, 0x01}));
  EXPECT_EQ(pca9685::led_register(0), 0x06);
  EXPECT_EQ(pca9685::led_register(15), 0x42);
}

TEST(Pca9685Maths, donkey_ticks_map_left_to_minus_one_and_stopped_to_zero) {
  pca9685::Channel steering{1, {}, pca9685::TickCalibration{460, 375, 290}};
  EXPECT_EQ(pca9685::ticks_for(-1.0f, steering, 4.08), 460);
  EXPECT_EQ(pca9685::ticks_for(0.0f, steering, 4.08), 375);
  EXPECT_EQ(pca9685::ticks_for(1.0f, steering, 4.08), 290);
  EXPECT_EQ(pca9685::ticks_for(0.5f, steering, 4.08), 333);  // 375 - 42.5, rounded away
  EXPECT_EQ(pca9685::ticks_for(NAN, steering, 4.08), 375);
  steering.us.inverted = true;
  EXPECT_EQ(pca9685::ticks_for(-1.0f, steering, 4.08), 290);
}

// The fake itself, so the tests below stand on a chip that behaves as the datasheet says.
TEST(FakePca9685, prescale_only_asleep_auto_increment_all_led_and_power_on_values) {
  FakePca9685 chip;
  EXPECT_TRUE(chip.asleep());
  EXPECT_EQ(chip.off_ticks(3), -1);  // full off at power-on
  const std::uint8_t prescale = 101;
  chip.write(pca9685::kPrescale, &prescale, 1);
  EXPECT_EQ(chip.prescale(), 101);  // asleep: taken
  const std::uint8_t wake = pca9685::kAutoIncrement;
  chip.write(pca9685::kMode1, &wake, 1);
  const std::uint8_t other = 50;
  chip.write(pca9685::kPrescale, &other, 1);
  EXPECT_EQ(chip.prescale(), 101);  // awake: ignored
  EXPECT_EQ(chip.prescale_writes_ignored(), 1);
  const auto led = pca9685::led_bytes(300);
  chip.write(pca9685::led_register(2), led.data(), led.size());
  EXPECT_EQ(chip.off_ticks(2), 300);
  const auto all = pca9685::led_bytes(400);
  chip.write(pca9685::kAllLedOnL, all.data(), all.size());
  EXPECT_EQ(chip.off_ticks(0), 400);
  EXPECT_EQ(chip.off_ticks(15), 400);
  std::uint8_t back[4] = {};
  chip.read(pca9685::led_register(15), back, 4);
  EXPECT_EQ(back[2], 400 & 0xff);
  chip.fail_next(1);
  EXPECT_EQ(chip.read(pca9685::kMode1, back, 1).value(), EREMOTEIO);
  chip.brown_out();
  EXPECT_TRUE(chip.asleep());
  EXPECT_EQ(chip.off_ticks(0), -1);
}

class Pca9685DriverTest : public ::testing::Test {
 protected:
  Pca9685DriverTest() : bus_(chip_), driver_(bus_, config()) {}

  static Pca9685LinkConfig config() {
    Pca9685LinkConfig c;
    c.timing.period_ms = 50;
    c.timing.command_timeout_ms = 200;
    c.timing.reconnect_min_ms = 100;
    c.timing.reconnect_max_ms = 400;
    return c;
  }
  // Steps the clock by `d` and services the driver then, with `cmd` as a fresh setpoint.
  void step(Duration d, const DriveCommand* cmd = nullptr) {
    clock_.advance(d);
    now_ = clock_.now();
    if (cmd == nullptr) {
      driver_.service(now_, nullptr);
      return;
    }
    const Pca9685Setpoint sp{*cmd, now_};
    driver_.service(now_, &sp);
  }
  void bring_up() {
    step(0s);
    step(500us);
    ASSERT_TRUE(driver_.alive());
  }
  DriveCommand cmd(float steering, float throttle) {
    DriveCommand c;
    c.steering_norm = steering;
    c.throttle_norm = throttle;
    return c;
  }
  int us_ticks(int us) const { return pca9685::us_to_ticks(us, config().tick_us()); }

  ManualClock clock_;
  FakePca9685 chip_{&clock_};
  FakePca9685Bus bus_;
  Pca9685Driver driver_;
  TimePoint now_{};
};

TEST_F(Pca9685DriverTest, initialises_asleep_sets_prescale_then_restarts_500_us_after_waking) {
  driver_.service(clock_.now(), nullptr);
  EXPECT_EQ(chip_.prescale(), 101);
  EXPECT_EQ(chip_.prescale_writes_ignored(), 0);
  EXPECT_FALSE(chip_.asleep());
  EXPECT_FALSE(chip_.restart_written());
  EXPECT_EQ(chip_.off_ticks(1), us_ticks(1500));  // neutral before the outputs run
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(1500));
  EXPECT_FALSE(driver_.alive());
  clock_.advance(499us);
  driver_.service(clock_.now(), nullptr);
  EXPECT_FALSE(chip_.restart_written());
  clock_.advance(1us);
  driver_.service(clock_.now(), nullptr);
  EXPECT_TRUE(chip_.restart_written());
  EXPECT_FALSE(chip_.restart_too_early());
  EXPECT_TRUE(driver_.alive());
  EXPECT_EQ(chip_.reg(pca9685::kMode1) & pca9685::kAutoIncrement, pca9685::kAutoIncrement);
  EXPECT_EQ(driver_.status().reconnects, 0u);
}

TEST_F(Pca9685DriverTest, a_sweep_in_us_lands_on_each_channel_and_the_status_says_so) {
  bring_up();
  for (float n = -1.0f; n <= 1.0f; n += 0.25f) {
    const DriveCommand c = cmd(n, -n);
    step(20ms, &c);
    const int steer_us = to_pulse_us(n, {1000, 1500, 2000, false});
    const int throttle_us = to_pulse_us(-n, {1000, 1500, 2000, false});
    EXPECT_EQ(chip_.off_ticks(1), us_ticks(steer_us)) << n;
    EXPECT_EQ(chip_.off_ticks(0), us_ticks(throttle_us)) << n;
    EXPECT_EQ(chip_.on_ticks(1), 0);
    const LinkStatus& s = driver_.status();
    EXPECT_EQ(s.last_command.steering_norm, n);
    EXPECT_EQ(s.last_output.steering_ticks, us_ticks(steer_us));
    EXPECT_NEAR(s.last_output.steering_us, steer_us, 2.1);  // one 4.08 us tick, rounded
    EXPECT_NEAR(s.last_output.throttle_us, throttle_us, 2.1);
  }
}

TEST_F(Pca9685DriverTest, donkey_tick_keys_go_to_the_registers_as_they_are) {
  Pca9685LinkConfig c = config();
  c.steering.ticks = pca9685::TickCalibration{460, 375, 290};
  c.throttle.ticks = pca9685::TickCalibration{220, 370, 500};
  Pca9685Driver driver(bus_, c);
  driver.service(now_, nullptr);
  EXPECT_EQ(chip_.off_ticks(1), 375);
  EXPECT_EQ(chip_.off_ticks(0), 370);
  driver.service(now_ + 1ms, nullptr);
  const struct {
    float steering, throttle;
    int steering_ticks, throttle_ticks;
  } cases[] = {{-1, 1, 460, 500}, {1, -1, 290, 220}, {0, 0, 375, 370}, {-0.5f, 0.5f, 418, 435}};
  for (const auto& k : cases) {
    const Pca9685Setpoint sp{cmd(k.steering, k.throttle), now_ + 2ms};
    driver.service(now_ + 2ms, &sp);
    EXPECT_EQ(chip_.off_ticks(1), k.steering_ticks) << k.steering;
    EXPECT_EQ(chip_.off_ticks(0), k.throttle_ticks) << k.throttle;
    EXPECT_EQ(driver.status().last_output.throttle_ticks, k.throttle_ticks);
  }
}

TEST_F(Pca9685DriverTest, inverted_steering_swaps_the_ends) {
  Pca9685LinkConfig c = config();
  c.steering.us.inverted = true;
  Pca9685Driver driver(bus_, c);
  driver.service(now_, nullptr);
  driver.service(now_ + 1ms, nullptr);
  const Pca9685Setpoint sp{cmd(1.0f, 0.0f), now_ + 2ms};
  driver.service(now_ + 2ms, &sp);
  EXPECT_EQ(chip_.off_ticks(1), us_ticks(1000));
}

TEST_F(Pca9685DriverTest, the_watchdog_writes_neutral_when_setpoints_stop) {
  bring_up();
  const DriveCommand c = cmd(0.5f, 0.4f);
  step(1ms, &c);
  step(199ms);
  EXPECT_NE(chip_.off_ticks(0), us_ticks(1500));
  step(1ms);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(1500));
  EXPECT_EQ(chip_.off_ticks(1), us_ticks(1500));
  EXPECT_EQ(driver_.status().watchdog_trips, 1u);
  EXPECT_TRUE(driver_.status().last_command.is_neutral());
}

TEST_F(Pca9685DriverTest, keep_alive_reads_mode1_and_rewrites_the_current_pulse) {
  bring_up();
  const DriveCommand c = cmd(0.0f, 0.2f);
  step(1ms, &c);
  const int want = chip_.off_ticks(0);
  const std::uint8_t zero[4] = {0, 0, 0, 0};
  chip_.write(pca9685::led_register(0), zero, 4);  // a glitch on the bus, say
  const int reads = chip_.mode1_reads();
  step(49ms);
  EXPECT_EQ(chip_.off_ticks(0), 0);
  step(1ms);  // 50 ms after the last write
  EXPECT_EQ(chip_.off_ticks(0), want);
  EXPECT_GT(chip_.mode1_reads(), reads);
  EXPECT_TRUE(driver_.alive());
}

TEST_F(Pca9685DriverTest, eremoteio_loses_the_link_attempts_neutral_and_reconnects_with_back_off) {
  bring_up();
  const DriveCommand c = cmd(0.3f, 0.5f);
  step(1ms, &c);
  chip_.fail_next(1);  // the steering write fails; the neutral after it goes through
  const DriveCommand c2 = cmd(0.3f, 0.6f);
  step(20ms, &c2);
  EXPECT_FALSE(driver_.alive());
  EXPECT_EQ(driver_.status().link_losses, 1u);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(1500));
  EXPECT_EQ(chip_.off_ticks(1), us_ticks(1500));
  EXPECT_NE(driver_.last_error().find("nothing answers at that address"), std::string::npos)
      << driver_.last_error();
  chip_.set_unplugged(true);
  step(100ms);  // first retry: fails, the next waits twice as long
  EXPECT_FALSE(driver_.alive());
  chip_.set_unplugged(false);
  step(199ms);
  EXPECT_FALSE(driver_.alive());
  step(1ms);
  step(500us);
  EXPECT_TRUE(driver_.alive());
  EXPECT_EQ(driver_.status().reconnects, 1u);
  EXPECT_EQ(driver_.status().link_losses, 1u);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(1500));
}

TEST_F(Pca9685DriverTest, a_brown_out_is_initialised_again_and_counted_as_a_reconnect) {
  bring_up();
  const DriveCommand c = cmd(0.2f, 0.3f);
  step(1ms, &c);
  chip_.brown_out();
  EXPECT_TRUE(chip_.asleep());
  EXPECT_EQ(chip_.off_ticks(0), -1);
  step(50ms);  // keep-alive finds SLEEP set
  EXPECT_EQ(chip_.prescale(), 101);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(1500));
  EXPECT_TRUE(driver_.alive());  // the board answers: no link loss
  const DriveCommand c2 = cmd(0.2f, 0.35f);
  step(100us, &c2);  // arrives while it wakes: written once it runs
  step(400us);
  EXPECT_FALSE(chip_.restart_too_early());
  EXPECT_EQ(driver_.status().reconnects, 1u);
  EXPECT_EQ(driver_.status().link_losses, 0u);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(to_pulse_us(0.35f, {1000, 1500, 2000, false})));
  EXPECT_NE(driver_.last_error().find("brown-out"), std::string::npos);
}

TEST_F(Pca9685DriverTest, a_brown_out_while_setpoints_keep_coming_is_found_within_a_period) {
  bring_up();
  const DriveCommand c = cmd(0.1f, 0.3f);
  step(1ms, &c);
  chip_.brown_out();
  for (int i = 0; i < 3; ++i) step(20ms, &c);  // 50 Hz: the pulse is never idle for a period
  EXPECT_EQ(chip_.prescale(), 101);            // found at 60 ms, initialising
  step(1ms);                                   // the I/O thread's next look, 500 us on
  EXPECT_EQ(driver_.status().reconnects, 1u);
  EXPECT_FALSE(chip_.asleep());
  EXPECT_EQ(chip_.prescale(), 101);
  EXPECT_EQ(chip_.off_ticks(0), us_ticks(to_pulse_us(0.3f, {1000, 1500, 2000, false})));
}

TEST_F(Pca9685DriverTest, an_unopenable_bus_says_what_to_do_and_is_retried) {
  chip_.set_open_errno(EACCES);
  step(0s);
  EXPECT_FALSE(driver_.alive());
  EXPECT_NE(driver_.last_error().find("group i2c"), std::string::npos) << driver_.last_error();
  EXPECT_EQ(driver_.status().link_losses, 0u);
  chip_.set_open_errno(0);
  step(100ms);
  step(500us);
  EXPECT_TRUE(driver_.alive());
  EXPECT_EQ(driver_.status().reconnects, 0u);
}

TEST(I2cErrors, each_error_names_the_device_and_what_to_do) {
  const std::string dev = "/dev/i2c-7 address 0x40";
  const auto msg = [&](int e) {
    return explain_i2c_error(dev, std::error_code(e, std::generic_category()));
  };
  EXPECT_NE(msg(ENOENT).find("7 or 8 on newer Jetsons"), std::string::npos);
  EXPECT_NE(msg(ENOENT).find(dev), std::string::npos);
  EXPECT_NE(msg(EACCES).find("group i2c"), std::string::npos);
  EXPECT_NE(msg(EREMOTEIO).find("i2cdetect"), std::string::npos);
  EXPECT_NE(msg(ENXIO).find("nothing answers"), std::string::npos);
}

TEST(LinuxI2cDevice, a_missing_bus_is_an_error_not_a_crash) {
  LinuxI2cDevice dev(250, 0x40);
  EXPECT_EQ(dev.describe(), "/dev/i2c-250 address 0x40");
  EXPECT_EQ(dev.open().value(), ENOENT);
  EXPECT_FALSE(dev.is_open());
  std::uint8_t b = 0;
  EXPECT_TRUE(dev.write_registers(0, &b, 1));
}

}  // namespace
}  // namespace rcpilot::fw
