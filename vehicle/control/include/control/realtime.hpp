#pragma once
// Real-time settings for the calling thread (the control loop): SCHED_FIFO priority, CPU
// pinning and locked memory. Not permitted is not an error: the caller gets warnings to log
// once and the loop runs with normal scheduling.
#include <string>
#include <vector>

namespace rcpilot::vehicle {

struct RealtimeRequest {
  int priority = 0;          // SCHED_FIFO 1..99; 0 leaves scheduling alone
  int cpu = -1;              // pin to this CPU; -1 leaves affinity alone
  bool lock_memory = false;  // mlockall(MCL_CURRENT | MCL_FUTURE), process-wide by nature
};

// Applies `request` to the calling thread; returns one message per setting that failed, each
// naming the config key and what to do (e.g. CAP_SYS_NICE, LimitRTPRIO).
std::vector<std::string> apply_realtime(const RealtimeRequest& request);

// Pins the calling thread (`thread`, e.g. "the pilot thread") to `cpu`; -1 does nothing.
// Returns "" or a warning naming `key`.
std::string pin_this_thread(int cpu, const std::string& key, const std::string& thread);

}  // namespace rcpilot::vehicle
