#pragma once
// A register-level fake of the PCA9685 behind I2cDevice, for tests: MODE1 (SLEEP, RESTART,
// AI), PRESCALE writable only while asleep, auto-increment, LEDn_ON/OFF per channel, ALL_LED,
// power-on values; it fails on demand (EREMOTEIO, an open error) and browns out (registers
// back to power-on: MODE1 reads SLEEP). With a clock it checks RESTART waits 500 us after
// wake-up. Thread-safe: the link's I/O thread talks to it while the test looks.
#include <array>
#include <cerrno>
#include <cstdint>
#include <mutex>
#include <system_error>

#include "common/clock.hpp"
#include "firmware_iface/i2c_device.hpp"
#include "firmware_iface/pca9685.hpp"

namespace rcpilot::fw::testing {

class FakePca9685 {
 public:
  explicit FakePca9685(const Clock* clock = nullptr) : clock_(clock) { power_on(); }

  // Registers back to their power-on values, as after a brown-out.
  void brown_out() {
    std::lock_guard<std::mutex> lock(mutex_);
    power_on();
  }
  // The next `n` transactions fail with EREMOTEIO (nothing acknowledged).
  void fail_next(int n) {
    std::lock_guard<std::mutex> lock(mutex_);
    fail_next_ = n;
  }
  // Every transaction fails (the board unplugged) until set back to false.
  void set_unplugged(bool unplugged) {
    std::lock_guard<std::mutex> lock(mutex_);
    unplugged_ = unplugged;
  }
  // open() fails with `e` (0: opens).
  void set_open_errno(int e) {
    std::lock_guard<std::mutex> lock(mutex_);
    open_errno_ = e;
  }

  std::uint8_t reg(std::uint8_t r) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return regs_[r];
  }
  // Channel `n`'s OFF count; -1 while its full-off bit (the power-on state) is set.
  int off_ticks(int n) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const int base = pca9685::led_register(n);
    if ((regs_[base + 3] & pca9685::kFullBit) != 0) return -1;
    return regs_[base + 2] | ((regs_[base + 3] & 0x0f) << 8);
  }
  int on_ticks(int n) const {
    std::lock_guard<std::mutex> lock(mutex_);
    const int base = pca9685::led_register(n);
    return regs_[base] | ((regs_[base + 1] & 0x0f) << 8);
  }
  bool asleep() const { return (reg(pca9685::kMode1) & pca9685::kSleep) != 0; }
  int prescale() const { return reg(pca9685::kPrescale); }
  bool restart_written() const {
    return locked([&] { return restarts_ > 0; });
  }
  bool restart_too_early() const {
    return locked([&] { return restart_too_early_; });
  }
  int prescale_writes_ignored() const {
    return locked([&] { return prescale_ignored_; });
  }
  int mode1_reads() const {
    return locked([&] { return mode1_reads_; });
  }
  int failed_transactions() const {
    return locked([&] { return failed_; });
  }

  // I2cDevice's side.
  std::error_code open() {
    std::lock_guard<std::mutex> lock(mutex_);
    return open_errno_ != 0 ? std::error_code(open_errno_, std::generic_category())
                            : std::error_code{};
  }
  std::error_code write(std::uint8_t r, const std::uint8_t* data, std::size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failing()) return eremoteio();
    for (std::size_t i = 0; i < size; ++i) {
      write_one(r, data[i]);
      r = next(r);
    }
    return {};
  }
  std::error_code read(std::uint8_t r, std::uint8_t* data, std::size_t size) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (failing()) return eremoteio();
    for (std::size_t i = 0; i < size; ++i) {
      if (r == pca9685::kMode1) ++mode1_reads_;
      data[i] = regs_[r];
      r = next(r);
    }
    return {};
  }

 private:
  template <typename F>
  auto locked(F f) const -> decltype(f()) {
    std::lock_guard<std::mutex> lock(mutex_);
    return f();
  }
  void power_on() {
    regs_.fill(0);
    regs_[pca9685::kMode1] = pca9685::kMode1PowerOn;
    regs_[pca9685::kMode2] = 0x04;
    for (int n = 0; n < pca9685::kChannels; ++n) regs_[pca9685::led_register(n) + 3] = 0x10;
    regs_[pca9685::kPrescale] = 0x1e;
  }
  bool failing() {
    if (unplugged_ || fail_next_ > 0) {
      if (fail_next_ > 0) --fail_next_;
      ++failed_;
      return true;
    }
    return false;
  }
  static std::error_code eremoteio() { return {EREMOTEIO, std::generic_category()}; }
  // Auto-increment (MODE1.AI) steps through the registers; LED15_OFF_H rolls over to MODE1.
  std::uint8_t next(std::uint8_t r) const {
    if ((regs_[pca9685::kMode1] & pca9685::kAutoIncrement) == 0) return r;
    return r == 0x45 ? 0 : static_cast<std::uint8_t>(r + 1);
  }
  void write_one(std::uint8_t r, std::uint8_t v) {
    if (r == pca9685::kPrescale) {
      if ((regs_[pca9685::kMode1] & pca9685::kSleep) == 0) {
        ++prescale_ignored_;
        return;
      }
    } else if (r == pca9685::kMode1) {
      write_mode1(v);
      return;
    } else if (r >= pca9685::kAllLedOnL && r <= pca9685::kAllLedOnL + 3) {
      for (int n = 0; n < pca9685::kChannels; ++n) {
        regs_[pca9685::led_register(n) + (r - pca9685::kAllLedOnL)] = v;
      }
      return;
    }
    regs_[r] = v;
  }
  void write_mode1(std::uint8_t v) {
    const bool was_asleep = (regs_[pca9685::kMode1] & pca9685::kSleep) != 0;
    const bool sleep = (v & pca9685::kSleep) != 0;
    if (was_asleep && !sleep && clock_ != nullptr) woke_at_ = clock_->now();
    if ((v & pca9685::kRestart) != 0) {
      ++restarts_;
      if (clock_ != nullptr &&
          clock_->now() - woke_at_ < std::chrono::microseconds(pca9685::kWakeUpUs)) {
        restart_too_early_ = true;
      }
    }
    regs_[pca9685::kMode1] = static_cast<std::uint8_t>(v & ~pca9685::kRestart);  // 1 clears it
  }

  const Clock* clock_;
  mutable std::mutex mutex_;
  std::array<std::uint8_t, 256> regs_{};
  int fail_next_ = 0;
  bool unplugged_ = false;
  int open_errno_ = 0;
  int restarts_ = 0;
  bool restart_too_early_ = false;
  int prescale_ignored_ = 0;
  int mode1_reads_ = 0;
  int failed_ = 0;
  TimePoint woke_at_{};
};

// The link's handle on the fake chip (the link owns it; the test keeps the chip).
class FakePca9685Bus final : public I2cDevice {
 public:
  explicit FakePca9685Bus(FakePca9685& chip) : chip_(chip) {}
  std::error_code open() override {
    const std::error_code ec = chip_.open();
    open_ = !ec;
    return ec;
  }
  void close() override { open_ = false; }
  bool is_open() const override { return open_; }
  std::error_code write_registers(std::uint8_t reg, const std::uint8_t* data,
                                  std::size_t size) override {
    if (!open_) return {EBADF, std::generic_category()};
    return chip_.write(reg, data, size);
  }
  std::error_code read_registers(std::uint8_t reg, std::uint8_t* data, std::size_t size) override {
    if (!open_) return {EBADF, std::generic_category()};
    return chip_.read(reg, data, size);
  }
  std::string describe() const override { return "/dev/i2c-1 address 0x40 (fake)"; }

 private:
  FakePca9685& chip_;
  bool open_ = false;
};

}  // namespace rcpilot::fw::testing
