#pragma once
// A bounded hand-off from a real-time producer to a worker thread: try_push never waits for
// the consumer and drops (and counts) when the queue is full.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

#include "common/pi_mutex.hpp"
#include <vector>

namespace rcpilot {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : ring_(capacity == 0 ? 1 : capacity) {}

  // Copies `item` in; false (and counted as dropped) when full. Never allocates.
  bool try_push(const T& item) {
    {
      std::lock_guard<PiMutex> lock(mutex_);
      if (size_ == ring_.size()) {
        ++dropped_;
        return false;
      }
      ring_[(head_ + size_) % ring_.size()] = item;
      ++size_;
    }
    ready_.notify_one();
    return true;
  }

  // Waits up to `timeout` for an item; false on timeout or after close() with nothing left.
  template <typename Rep, typename Period>
  bool pop(T& out, std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<PiMutex> lock(mutex_);
    if (!ready_.wait_for(lock, timeout, [&] { return size_ > 0 || closed_; })) return false;
    if (size_ == 0) return false;
    out = ring_[head_];
    head_ = (head_ + 1) % ring_.size();
    --size_;
    return true;
  }

  // Wakes the consumer for good; items already queued can still be popped.
  void close() {
    {
      std::lock_guard<PiMutex> lock(mutex_);
      closed_ = true;
    }
    ready_.notify_all();
  }

  std::uint64_t dropped() const {
    std::lock_guard<PiMutex> lock(mutex_);
    return dropped_;
  }

 private:
  mutable PiMutex mutex_;  // the control thread takes it too
  std::condition_variable_any ready_;
  std::vector<T> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace rcpilot
