#pragma once
// The newest setpoint from the control thread to the link's I/O thread without a lock, a
// system call or an allocation on either side: a triple buffer. The writer fills its own
// buffer and swaps it into the middle; the reader swaps the middle out when it is fresh. Each
// side only ever touches the buffer it holds, so neither waits for the other.
#include <atomic>
#include <cstdint>

namespace rcpilot::fw {

template <typename T>
class SetpointSlot {
 public:
  // One writer thread. Never blocks.
  void publish(const T& value) {
    buffers_[back_] = value;
    back_ = middle_.exchange(static_cast<std::uint8_t>(back_ | kFresh), std::memory_order_acq_rel) &
            kIndex;
  }

  // One reader thread: a value was published since the last take (take() would return it).
  bool fresh() const { return (middle_.load(std::memory_order_acquire) & kFresh) != 0; }

  // One reader thread. True (and `out` set) when a value was published since the last take.
  bool take(T& out) {
    if ((middle_.load(std::memory_order_acquire) & kFresh) == 0) return false;
    front_ = middle_.exchange(front_, std::memory_order_acq_rel) & kIndex;
    out = buffers_[front_];
    return true;
  }

 private:
  static constexpr std::uint8_t kIndex = 0x3;  // which buffer (0..2)
  static constexpr std::uint8_t kFresh = 0x4;  // published and not taken yet
  T buffers_[3]{};
  std::uint8_t back_ = 0;                // the writer's buffer
  std::atomic<std::uint8_t> middle_{1};  // the hand-over buffer, plus kFresh
  std::uint8_t front_ = 2;               // the reader's buffer
};

}  // namespace rcpilot::fw
