#include "common/wake_flag.hpp"

#include "common/futex.hpp"

namespace rcpilot {

void WakeFlag::set() {
  if (word_.exchange(1) == 0) futex_wake_one(word_);
}

bool WakeFlag::wait_until(TimePoint deadline) {
  // Sleeps only while the word is still 0.
  while (word_.exchange(0) == 0) {
    if (!futex_wait_until(word_, 0, deadline)) return word_.exchange(0) != 0;
  }
  return true;
}

}  // namespace rcpilot
