#pragma once
// A wake-up from one thread to another without a lock between them: the waiter sleeps in the
// kernel (a futex) until another thread sets the flag or an absolute CLOCK_MONOTONIC deadline
// passes. The SCHED_FIFO control loop waits on it and the normal-priority pilot thread sets
// it. std::condition_variable_any, used before, takes a plain internal mutex in notify and
// again when the waiter times out: a pilot thread preempted by a CPU hog while holding it
// kept the loop from its deadline for a scheduler slice (a priority inversion).
#include <atomic>
#include <cstdint>

#include "common/clock.hpp"

namespace rcpilot {

class WakeFlag {
 public:
  // Sets the flag and wakes the waiter, if any. Any thread; never blocks.
  void set();
  // Returns true (and clears the flag) once it is set, or false when `deadline` (steady_clock,
  // i.e. CLOCK_MONOTONIC) passes first. One waiting thread at a time.
  bool wait_until(TimePoint deadline);

 private:
  std::atomic<std::uint32_t> word_{0};  // 1: set; the futex word
};

}  // namespace rcpilot
