#pragma once
// A bounded hand-off from a real-time producer to a worker thread: try_push never waits for
// the consumer and drops (and counts) when the queue is full. The consumer is woken through a
// WakeFlag, not a condition variable: std::condition_variable_any's notify takes a plain
// internal mutex that a consumer preempted inside its wait could hold the producer up with.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "common/pi_mutex.hpp"
#include "common/wake_flag.hpp"

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
    ready_.set();
    return true;
  }

  // Waits up to `timeout` for an item; false on timeout or after close() with nothing left.
  // Meant for one consumer thread.
  template <typename Rep, typename Period>
  bool pop(T& out, std::chrono::duration<Rep, Period> timeout) {
    const TimePoint deadline =
        std::chrono::steady_clock::now() +
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
    bool woken = true;
    while (woken) {
      {
        std::lock_guard<PiMutex> lock(mutex_);
        if (size_ > 0) {
          out = ring_[head_];
          head_ = (head_ + 1) % ring_.size();
          --size_;
          return true;
        }
        if (closed_) return false;
      }
      woken = ready_.wait_until(deadline);
    }
    return false;
  }

  // Wakes the consumer for good; items already queued can still be popped.
  void close() {
    {
      std::lock_guard<PiMutex> lock(mutex_);
      closed_ = true;
    }
    ready_.set();
  }

  std::uint64_t dropped() const {
    std::lock_guard<PiMutex> lock(mutex_);
    return dropped_;
  }

 private:
  mutable PiMutex mutex_;  // the control thread takes it too
  WakeFlag ready_;         // set on push and close
  std::vector<T> ring_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::uint64_t dropped_ = 0;
  bool closed_ = false;
};

}  // namespace rcpilot
