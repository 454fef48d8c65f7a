#include "config_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/loader.hpp"

namespace rcpilot::config {
namespace {

[[noreturn]] void not_regular(const std::string& path, mode_t mode) {
  throw ConfigError(
      "config file " + path + ": cannot open: it is " +
      (S_ISDIR(mode) ? "a directory" : "not a regular file (a pipe, device or socket)") +
      "; rcpilot reads only regular files; pass --config with a YAML file");
}

}  // namespace

std::string read_config_file(const std::string& path) {
  // Checked before opening too: opening a device (a serial port, a tape) can have effects.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) not_regular(path, st.st_mode);
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    throw ConfigError("config file " + path + ": cannot open: " + std::strerror(err) +
                      (err == EACCES ? "; make it readable or pass --config with another file"
                                     : "; pass --config with an existing file"));
  }
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {  // replaced since the stat above
    ::close(fd);
    not_regular(path, st.st_mode);
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw ConfigError("config file " + path + ": cannot read: " + std::strerror(err));
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxConfigBytes) {
      ::close(fd);
      throw ConfigError(
          "config file " + path + ": larger than " + std::to_string(kMaxConfigBytes / 1024) +
          " KiB, the most rcpilot reads; is it the right file? pass --config with a YAML "
          "file");
    }
  }
  ::close(fd);
  return text;
}

}  // namespace rcpilot::config
