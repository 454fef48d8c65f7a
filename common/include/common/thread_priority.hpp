#pragma once
// SCHED_FIFO for one thread, shared by the control loop and the motor link's I/O thread (which
// runs just below it, so its timer wake-ups preempt other load at once).
#include <pthread.h>

#include <string>

namespace rcpilot {

// Puts `thread` on SCHED_FIFO at `priority` (1..99). Returns "" or why the kernel refused
// (e.g. "Operation not permitted": the process lacks CAP_SYS_NICE / RLIMIT_RTPRIO).
std::string set_fifo_priority(pthread_t thread, int priority);

}  // namespace rcpilot
