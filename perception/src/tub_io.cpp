#include "tub_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace rcpilot::perception::tub_io {

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', true); }

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail_errno(const std::string& what, const std::string& path, int err) {
  throw TubError("cannot " + what + " " + path + ": " + std::strerror(err) +
                 "; check free disk space and permissions");
}

int open_or_throw(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("open", path, errno);
  return fd;
}

// Writes all of `data`, retrying short writes and EINTR.
void write_all(const TubWriteFn& write_fn, int fd, const std::string& data,
               const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    errno = 0;
    const ssize_t n = write_fn ? write_fn(fd, data.data() + done, data.size() - done)
                               : ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail_errno("write", path, n == 0 || errno == 0 ? EIO : errno);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace rcpilot::perception::tub_io
