#pragma once
// One way for the node's background threads (camera grabber, gamepad, health, watchdog, control
// API) to start, stop and back off: a thread that runs a body until stop(), whose waits stop()
// interrupts, and a doubling retry delay. Not for the real-time loop, which waits on a WakeFlag.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace rcpilot {

class Worker {
 public:
  Worker() = default;
  ~Worker() { stop(); }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs `body` on a new thread. The body returns once stopping() is true; it checks between
  // waits, and waits only through wait_for() (or on something stop hooks can wake).
  void start(std::function<void()> body);
  // Asks the body to stop, wakes wait_for(), runs `on_stop` (e.g. to interrupt a blocking read)
  // and joins. Idempotent; a no-op before start().
  void stop(const std::function<void()>& on_stop = {});
  bool stopping() const;
  bool running() const { return thread_.joinable(); }
  // Sleeps up to `d` (real time) unless stop() is called; false when stopping.
  bool wait_for(std::chrono::nanoseconds d);

 private:
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// A retry delay that starts at `first` and doubles per failure up to `max`.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
      : first_(first), max_(max), next_(first) {}
  // The delay to wait now; the following one is twice as long (capped at max).
  std::chrono::milliseconds next();
  // After a success: the next failure waits `first` again.
  void reset() { next_ = first_; }

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace rcpilot
