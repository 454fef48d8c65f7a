#pragma once
// A latest-value slot: writers overwrite, readers get the newest value and never a backlog.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

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
    changed_.notify_all();
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
    std::unique_lock<PiMutex> lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return version_ != seen_version; })) return false;
    out = value_;
    seen_version = version_;
    return true;
  }

  // Wakes every waiter without publishing (used on shutdown).
  void wake_all() const { changed_.notify_all(); }

 private:
  mutable PiMutex mutex_;  // the control thread takes it too
  mutable std::condition_variable_any changed_;
  T value_{};
  std::uint64_t version_ = 0;
};

}  // namespace rcpilot
