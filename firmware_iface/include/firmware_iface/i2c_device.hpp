#pragma once
// One device on an I2C bus seen as 8-bit registers (the PCA9685 and its kin), and the Linux
// i2c-dev implementation: /dev/i2c-N, ioctl(I2C_SLAVE) for writes, ioctl(I2C_RDWR) for a
// register read (write the register number, repeated start, read). Transports only move bytes;
// what the registers mean is the driver's job (pca9685.hpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace rcpilot::fw {

class I2cDevice {
 public:
  virtual ~I2cDevice() = default;
  // Opens the bus and selects the device; an errno-based error (ENOENT, EACCES, ...) or none.
  virtual std::error_code open() = 0;
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  // Writes `size` (1..32) bytes to consecutive registers from `reg` in one transaction (the
  // device's auto-increment advances the register). EREMOTEIO/ENXIO: nothing acknowledged.
  virtual std::error_code write_registers(std::uint8_t reg, const std::uint8_t* data,
                                          std::size_t size) = 0;
  // Reads `size` (1..32) bytes from consecutive registers from `reg`.
  virtual std::error_code read_registers(std::uint8_t reg, std::uint8_t* data,
                                         std::size_t size) = 0;
  // "/dev/i2c-1 address 0x40": what error messages name.
  virtual std::string describe() const = 0;
};

// The most bytes one register write or read may carry.
constexpr std::size_t kI2cMaxTransfer = 32;

// `ec` from `device` (see describe()) as a message that says what to do: a missing bus
// (enable it, or another number: 1 on most boards, 7 or 8 on newer Jetsons), EACCES (add the
// user to group i2c), EREMOTEIO/ENXIO (nothing answers at the address: wiring, power, address;
// i2cdetect -y N lists what answers).
std::string explain_i2c_error(const std::string& device, std::error_code ec);

// /dev/i2c-<bus>, device at the 7-bit `address`.
class LinuxI2cDevice final : public I2cDevice {
 public:
  LinuxI2cDevice(int bus, int address);
  ~LinuxI2cDevice() override;
  LinuxI2cDevice(const LinuxI2cDevice&) = delete;
  LinuxI2cDevice& operator=(const LinuxI2cDevice&) = delete;

  std::error_code open() override;
  void close() override;
  bool is_open() const override { return fd_ >= 0; }
  std::error_code write_registers(std::uint8_t reg, const std::uint8_t* data,
                                  std::size_t size) override;
  std::error_code read_registers(std::uint8_t reg, std::uint8_t* data, std::size_t size) override;
  std::string describe() const override;

 private:
  std::string path_;
  int address_;
  int fd_ = -1;
};

}  // namespace rcpilot::fw
