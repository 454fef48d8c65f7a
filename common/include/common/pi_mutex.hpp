#pragma once
// A mutex with priority inheritance, for locks the SCHED_FIFO control thread shares with
// normal threads (latest-value slots, the telemetry queue, loop statistics). With a plain mutex
// a normal thread preempted while holding the lock (by a CPU hog, say) makes the control thread
// wait for as long as the hog runs: a priority inversion of a full scheduler slice or more.
// With PTHREAD_PRIO_INHERIT the holder runs at the waiter's priority until it unlocks.
// Lockable, so std::lock_guard and std::condition_variable_any work with it.
#include <pthread.h>

namespace rcpilot {

class PiMutex {
 public:
  PiMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    // Where the platform lacks the protocol this stays a normal mutex (still correct).
    pthread_mutexattr_setprotocol(&attr, PTHREAD_PRIO_INHERIT);
    pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
  }
  ~PiMutex() { pthread_mutex_destroy(&mutex_); }
  PiMutex(const PiMutex&) = delete;
  PiMutex& operator=(const PiMutex&) = delete;

  void lock() { pthread_mutex_lock(&mutex_); }
  void unlock() { pthread_mutex_unlock(&mutex_); }
  bool try_lock() { return pthread_mutex_trylock(&mutex_) == 0; }

 private:
  pthread_mutex_t mutex_;
};

}  // namespace rcpilot
