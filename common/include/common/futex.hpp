#pragma once
// Linux futex waits and wakes on a 32-bit atomic word: a sleep in the kernel with no lock
// shared between the waker and the sleeper (see wake_flag.hpp for why the loop needs that).
#include <atomic>
#include <cstdint>

#include "common/clock.hpp"

namespace rcpilot {

// Sleeps while `word` still holds `expected`, until woken or the absolute CLOCK_MONOTONIC
// `deadline` passes (spurious returns are possible: re-check the condition). False on timeout.
bool futex_wait_until(std::atomic<std::uint32_t>& word, std::uint32_t expected,
                      TimePoint deadline);
// Wakes one or every thread sleeping on `word`.
void futex_wake_one(std::atomic<std::uint32_t>& word);
void futex_wake_all(std::atomic<std::uint32_t>& word);

}  // namespace rcpilot
