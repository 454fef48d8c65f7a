#include "firmware_iface/serial_transport.hpp"

#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/system/error_code.hpp>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rcpilot::fw {

namespace {

namespace fs = std::filesystem;
using boost::system::error_code;

error_code errno_code(int e) { return error_code(e, boost::system::system_category()); }

bool baud_rate(int baud, LibSerial::BaudRate& out) {
  using B = LibSerial::BaudRate;
  switch (baud) {
    case 9600:
      out = B::BAUD_9600;
      return true;
    case 19200:
      out = B::BAUD_19200;
      return true;
    case 38400:
      out = B::BAUD_38400;
      return true;
    case 57600:
      out = B::BAUD_57600;
      return true;
    case 115200:
      out = B::BAUD_115200;
      return true;
    case 230400:
      out = B::BAUD_230400;
      return true;
    case 460800:
      out = B::BAUD_460800;
      return true;
    case 921600:
      out = B::BAUD_921600;
      return true;
    default:
      return false;
  }
}

std::string real_path(const std::string& path) {
  char buf[PATH_MAX];
  return ::realpath(path.c_str(), buf) ? std::string(buf) : path;
}

// A terminal, judged without opening it: a kernel tty has /sys/class/tty/<name>, a pty slave
// lives in /dev/pts. LibSerial aborts the process on a device that is not a terminal.
bool is_terminal(const std::string& device) {
  const std::string real = real_path(device);
  if (real.rfind("/dev/pts/", 0) == 0) return true;
  std::error_code ec;
  return fs::exists("/sys/class/tty/" + fs::path(real).filename().string(), ec);
}

// Checks what can be checked before LibSerial opens the device; the errno, 0 when it is fine.
int precheck(const std::string& device) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0) return errno;
  if (!S_ISCHR(st.st_mode) || !is_terminal(device)) return ENOTTY;
  if (::access(device.c_str(), R_OK | W_OK) != 0) return errno;
  return 0;
}

}  // namespace

std::string processes_holding(const std::string& device) {
  const std::string target = real_path(device);
  const std::string self = std::to_string(::getpid());
  std::string found;
  std::error_code ec;
  for (const auto& proc : fs::directory_iterator("/proc", ec)) {
    const std::string pid = proc.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == self) continue;
    std::error_code fd_ec;
    for (const auto& fd : fs::directory_iterator(proc.path() / "fd", fd_ec)) {
      std::error_code link_ec;
      if (fs::read_symlink(fd.path(), link_ec).string() != target) continue;
      std::string comm;
      std::getline(std::ifstream(proc.path() / "comm"), comm);
      found += (found.empty() ? "" : ", ") + std::string("pid ") + pid + " (" + comm + ")";
      break;
    }
  }
  return found;
}

std::string serial_open_advice(const std::string& device, int error) {
  const std::string head = "cannot open serial device " + device + ": " + std::strerror(error);
  switch (error) {
    case ENOENT:
    case ENODEV:
    case ENXIO:
      return head +
             " (is the board plugged in and powered? check motor.device; USB adapters "
             "also appear as /dev/serial/by-id/...)";
    case EACCES:
    case EPERM:
      return head +
             " (add the user to the dialout group: sudo usermod -aG dialout $USER, then "
             "log in again; the systemd unit needs SupplementaryGroups=dialout)";
    case EBUSY: {
      const std::string holders = processes_holding(device);
      return head + (holders.empty() ? " (another program holds it: stop it, e.g. a serial "
                                       "console, ModemManager or another rcpilot)"
                                     : " (held by " + holders + ": stop it first)");
    }
    case ENOTTY:
      return head + " (it is not a serial port: check motor.device)";
    default:
      return head;
  }
}

SerialTransport::SerialTransport(std::string device, int baud)
    : device_(std::move(device)), baud_(baud) {
  LibSerial::BaudRate rate;
  if (!baud_rate(baud_, rate)) {
    throw std::runtime_error("serial baud " + std::to_string(baud_) + " for " + device_ +
                             " is not supported; use 9600..921600");
  }
  if (open()) throw std::runtime_error(open_error_);
}

SerialTransport::~SerialTransport() { close(); }

error_code SerialTransport::open() {
  close();
  if (const int e = precheck(device_)) {
    open_error_ = serial_open_advice(device_, e);
    return errno_code(e);
  }
  port_ = std::make_unique<LibSerial::SerialPort>();
  try {
    port_->Open(device_);
  } catch (const std::exception& e) {
    // The device exists, is a terminal and is ours to open (precheck): what is left is mostly
    // EBUSY (another process opened it exclusively). LibSerial's errno is not reliable here.
    port_.reset();
    const bool busy = errno == EBUSY || !processes_holding(device_).empty();
    open_error_ = busy ? serial_open_advice(device_, EBUSY)
                       : "cannot open serial device " + device_ + ": " + e.what();
    return errno_code(busy ? EBUSY : EIO);
  }
  if (const error_code ec = configure()) {
    close();
    return ec;
  }
  open_error_.clear();
  return {};
}

error_code SerialTransport::configure() {
  LibSerial::BaudRate rate = LibSerial::BaudRate::BAUD_DEFAULT;
  baud_rate(baud_, rate);
  try {
    port_->SetBaudRate(rate);
    port_->SetCharacterSize(LibSerial::CharacterSize::CHAR_SIZE_8);
    port_->SetParity(LibSerial::Parity::PARITY_NONE);
    port_->SetStopBits(LibSerial::StopBits::STOP_BITS_1);
    port_->SetFlowControl(LibSerial::FlowControl::FLOW_CONTROL_NONE);
    port_->SetSerialPortBlockingStatus(false);  // the link waits in Asio, never in read()
  } catch (const std::exception& e) {
    const int err = errno != 0 ? errno : EIO;
    open_error_ = "cannot configure serial device " + device_ + " (" + std::to_string(baud_) +
                  " baud 8N1): " + e.what();
    return errno_code(err);
  }
  // Boards that reset on DTR (Arduino-style) do so when it rises here; the handshake retries
  // cover their boot. ptys and some UARTs (ttyTHS*) have no modem lines: not an error.
  try {
    port_->SetDTR(true);
    port_->SetRTS(true);
  } catch (const std::exception&) {
  }
  // Exclusive: a second rcpilot (or rcpilot-motor) opening the port gets EBUSY and is told
  // who holds it, instead of two hosts writing to one board.
  ::ioctl(port_->GetFileDescriptor(), TIOCEXCL);
  try {
    port_->FlushIOBuffers();  // bytes from before the open are not this session's
  } catch (const std::exception&) {
  }
  return {};
}

int SerialTransport::native_handle() const { return port_ ? port_->GetFileDescriptor() : -1; }

std::size_t SerialTransport::read_some(std::uint8_t* buf, std::size_t cap, error_code& ec) {
  return fd_read_some(native_handle(), buf, cap, ec);
}

std::size_t SerialTransport::write_some(const std::uint8_t* data, std::size_t size,
                                        error_code& ec) {
  return fd_write_some(native_handle(), data, size, ec);
}

void SerialTransport::close() {
  if (!port_) return;
  const int fd = port_->GetFileDescriptor();
  try {
    port_->Close();
  } catch (const std::exception&) {
    // LibSerial 1.0.0's Close() first restores the old termios settings, which fails with EIO
    // on a device that is gone (unplugged adapter, closed pty); it then throws and keeps the
    // port marked open, and its destructor would call Close() again and throw out of a
    // destructor (std::terminate). So close the descriptor here and let that one object go
    // unfreed: a few hundred bytes per unplug.
    ::close(fd);
    [[maybe_unused]] LibSerial::SerialPort* abandoned = port_.release();
    return;
  }
  port_.reset();
}

std::string SerialTransport::describe() const {
  return "serial " + device_ + " at " + std::to_string(baud_) + " baud (LibSerial)";
}

}  // namespace rcpilot::fw
