#include "firmware_iface/i2c_device.hpp"

#include <fcntl.h>
#include <linux/i2c-dev.h>
#include <linux/i2c.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rcpilot::fw {

namespace {

std::error_code errno_code(int e) { return {e, std::generic_category()}; }

std::error_code last_error() { return errno_code(errno != 0 ? errno : EIO); }

}  // namespace

std::string explain_i2c_error(const std::string& device, std::error_code ec) {
  const std::string what = device + ": " + ec.message();
  switch (ec.value()) {
    case ENOENT:
    case ENODEV:
      return what +
             ": no such I2C bus. Enable it (Raspberry Pi: raspi-config, Interfaces, I2C; "
             "Jetson: the 40-pin header's buses are on by default), load i2c-dev "
             "(modprobe i2c-dev), or set motor.i2c_bus to the bus the board is wired to "
             "(1 on most boards, 7 or 8 on newer Jetsons: ls /dev/i2c-*)";
    case EACCES:
    case EPERM:
      return what +
             ": not allowed to open the bus. Add the user to group i2c "
             "(sudo usermod -aG i2c $USER, then log in again; the service: "
             "SupplementaryGroups=i2c in a drop-in)";
    case EREMOTEIO:
    case ENXIO:
    case EIO:
      return what +
             ": nothing answers at that address. Check the wiring (SDA, SCL, GND), "
             "the board's power (VCC) and motor.i2c_address; i2cdetect -y <bus> lists "
             "the addresses that answer (a PCA9685 is 0x40 unless its jumpers change it)";
    case EBUSY:
      return what + ": the address is claimed by a kernel driver or another program";
    default:
      return what;
  }
}

LinuxI2cDevice::LinuxI2cDevice(int bus, int address)
    : path_("/dev/i2c-" + std::to_string(bus)), address_(address) {}

LinuxI2cDevice::~LinuxI2cDevice() { close(); }

std::error_code LinuxI2cDevice::open() {
  close();
  const int fd = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return last_error();
  if (::ioctl(fd, I2C_SLAVE, static_cast<unsigned long>(address_)) < 0) {
    const std::error_code ec = last_error();
    ::close(fd);
    return ec;
  }
  fd_ = fd;
  return {};
}

void LinuxI2cDevice::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::error_code LinuxI2cDevice::write_registers(std::uint8_t reg, const std::uint8_t* data,
                                                std::size_t size) {
  if (fd_ < 0) return errno_code(EBADF);
  if (size == 0 || size > kI2cMaxTransfer) return errno_code(EINVAL);
  std::array<std::uint8_t, kI2cMaxTransfer + 1> buf{};  // register number, then the data
  buf[0] = reg;
  std::memcpy(buf.data() + 1, data, size);
  const ssize_t n = ::write(fd_, buf.data(), size + 1);
  if (n < 0) return last_error();
  return static_cast<std::size_t>(n) == size + 1 ? std::error_code{} : errno_code(EIO);
}

std::error_code LinuxI2cDevice::read_registers(std::uint8_t reg, std::uint8_t* data,
                                               std::size_t size) {
  if (fd_ < 0) return errno_code(EBADF);
  if (size == 0 || size > kI2cMaxTransfer) return errno_code(EINVAL);
  std::uint8_t reg_byte = reg;
  std::array<i2c_msg, 2> msgs{};
  msgs[0].addr = static_cast<__u16>(address_);
  msgs[0].flags = 0;
  msgs[0].len = 1;
  msgs[0].buf = &reg_byte;
  msgs[1].addr = static_cast<__u16>(address_);
  msgs[1].flags = I2C_M_RD;
  msgs[1].len = static_cast<__u16>(size);
  msgs[1].buf = data;
  i2c_rdwr_ioctl_data xfer{msgs.data(), 2};
  if (::ioctl(fd_, I2C_RDWR, &xfer) < 0) return last_error();
  return {};
}

std::string LinuxI2cDevice::describe() const {
  char addr[8];
  std::snprintf(addr, sizeof addr, "0x%02x", static_cast<unsigned>(address_ & 0xff));
  return path_ + " address " + addr;
}

}  // namespace rcpilot::fw
