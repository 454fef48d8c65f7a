#pragma once
// A latest-value slot: writers overwrite, readers get the newest value and never a backlog.
// The real-time control loop publishes into some slots (RC receiver input) and reads others,
// so the slot takes only a priority-inheritance lock, and wakes waiters through a futex word
// rather than a condition variable (whose notify takes a plain mutex): publish() makes no
// system call at all while nobody waits.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

#include "common/clock.hpp"
#include "common/futex.hpp"
#include "common/pi_mutex.hpp"

namespace rcpilot {

template <typename T>
class LatestSlot {
 public:
  // Stores `value` as the newest; wakes waiters. Never blocks for longer than a copy.
  void publish(const T& value) {
    {
      std::lock_guard<PiMutex> lock(mutex_);
      value_ = value;
      ++version_;
    }
    wake_all();
  }

  // Copies the newest value into `out` if it is newer than `seen_version`; updates
  // `seen_version`. Returns false (and leaves `out` alone) when nothing new was published.
  bool take_if_newer(T& out, std::uint64_t& seen_version) const {
    std::lock_guard<PiMutex> lock(mutex_);
    if (version_ == seen_version) return false;
    out = value_;
    seen_version = version_;
    return true;
  }

  // Copies the newest value (whatever its age); returns its version (0: never published).
  std::uint64_t peek(T& out) const {
    std::lock_guard<PiMutex> lock(mutex_);
    out = value_;
    return version_;
  }

  // Blocks up to `timeout` for a value newer than `seen_version`; like take_if_newer after.
  template <typename Rep, typename Period>
  bool wait_newer(T& out, std::uint64_t& seen_version,
                  std::chrono::duration<Rep, Period> timeout) const {
    const TimePoint deadline =
        std::chrono::steady_clock::now() + std::chrono::duration_cast<Duration>(timeout);
    for (;;) {
      const std::uint32_t generation = wakes_.load();
      if (take_if_newer(out, seen_version)) return true;
      if (std::chrono::steady_clock::now() >= deadline) return false;
      waiters_.fetch_add(1);
      futex_wait_until(wakes_, generation, deadline);
      waiters_.fetch_sub(1);
    }
  }

  // Wakes every waiter without publishing (used on shutdown); they see nothing new and wait
  // again unless their timeout passed.
  void wake_all() const {
    wakes_.fetch_add(1);
    if (waiters_.load() != 0) futex_wake_all(wakes_);
  }

 private:
  mutable PiMutex mutex_;  // the control thread takes it too
  T value_{};
  std::uint64_t version_ = 0;
  mutable std::atomic<std::uint32_t> wakes_{0};    // futex word: bumped on every wake
  mutable std::atomic<std::uint32_t> waiters_{0};  // threads in wait_newer's futex wait
};

}  // namespace rcpilot
