#pragma once
// Hands telemetry from the feed thread to the server's I/O thread without letting work pile up
// there: at most one drain is posted at a time, and while it waits only the newest frame and
// state (LatestHandoff) or at most `max` other messages (QueueHandoff, the rest dropped and
// counted) are kept. put() says when the caller must post a drain; the drain take()s.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

namespace rcpilot::web {

template <typename T>
class LatestHandoff {
 public:
  // Keeps `value` as the newest; true when no drain is pending (the caller posts one).
  bool put(T value) {
    std::lock_guard<std::mutex> lock(mutex_);
    latest_ = std::move(value);
    if (posted_) return false;
    posted_ = true;
    return true;
  }
  // The newest value (nullopt when none); the next put() posts again.
  std::optional<T> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    posted_ = false;
    std::optional<T> out = std::move(latest_);
    latest_.reset();
    return out;
  }

 private:
  std::mutex mutex_;
  std::optional<T> latest_;
  bool posted_ = false;
};

template <typename T>
class QueueHandoff {
 public:
  explicit QueueHandoff(std::size_t max) : max_(max) {}
  // Queues `value` (dropped and counted when `max` wait); true when the caller posts a drain.
  bool put(T value) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (waiting_.size() >= max_) {
      ++dropped_;
      return false;
    }
    waiting_.push_back(std::move(value));
    if (posted_) return false;
    posted_ = true;
    return true;
  }
  // Everything waiting, oldest first; the next put() posts again.
  std::deque<T> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    posted_ = false;
    return std::exchange(waiting_, {});
  }
  std::uint64_t dropped() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return dropped_;
  }

 private:
  const std::size_t max_;
  mutable std::mutex mutex_;
  std::deque<T> waiting_;
  bool posted_ = false;
  std::uint64_t dropped_ = 0;
};

}  // namespace rcpilot::web
