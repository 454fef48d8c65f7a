#include "common/wake_flag.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace rcpilot {
namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word must be a plain 32-bit integer");

long futex(std::atomic<std::uint32_t>* word, int op, std::uint32_t value, const timespec* at) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(word), op, value, at, nullptr,
                 FUTEX_BITSET_MATCH_ANY);
}

}  // namespace

void WakeFlag::set() {
  if (word_.exchange(1) == 0) futex(&word_, FUTEX_WAKE_PRIVATE, 1, nullptr);
}

bool WakeFlag::wait_until(TimePoint deadline) {
  const auto since_epoch = deadline.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const timespec at{static_cast<time_t>(seconds.count()),
                    static_cast<long>((since_epoch - seconds) / std::chrono::nanoseconds(1))};
  // FUTEX_WAIT_BITSET takes an absolute time on CLOCK_MONOTONIC, so a late start of the wait
  // does not push the deadline back. It sleeps only while the word is still 0.
  while (word_.exchange(0) == 0) {
    if (futex(&word_, FUTEX_WAIT_BITSET_PRIVATE, 0, &at) == -1 && errno == ETIMEDOUT) {
      return word_.exchange(0) != 0;
    }
  }
  return true;
}

}  // namespace rcpilot
