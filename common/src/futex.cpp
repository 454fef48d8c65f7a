#include "common/futex.hpp"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <ctime>

namespace rcpilot {
namespace {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t),
              "the futex word must be a plain 32-bit integer");

long futex(std::atomic<std::uint32_t>& word, int op, std::uint32_t value, const timespec* at) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op, value, at, nullptr,
                 FUTEX_BITSET_MATCH_ANY);
}

timespec to_timespec(TimePoint t) {
  const auto since_epoch = t.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  return {static_cast<time_t>(seconds.count()),
          static_cast<long>((since_epoch - seconds) / std::chrono::nanoseconds(1))};
}

}  // namespace

bool futex_wait_until(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                      TimePoint deadline) {
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, so a late start of the wait does
  // not push the deadline back.
  const timespec at = to_timespec(deadline);
  return !(futex(word, FUTEX_WAIT_BITSET_PRIVATE, expected, &at) == -1 && errno == ETIMEDOUT);
}

void futex_wake_one(std::atomic<std::uint32_t>& word) {
  futex(word, FUTEX_WAKE_PRIVATE, 1, nullptr);
}

void futex_wake_all(std::atomic<std::uint32_t>& word) {
  futex(word, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr);
}

}  // namespace rcpilot
