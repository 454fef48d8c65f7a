#include "control/realtime.hpp"

#include <cerrno>
#include <cstring>

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>

#include "common/thread_priority.hpp"

namespace rcpilot::vehicle {

namespace {

std::string priority_error(int priority) {
  const std::string refused = set_fifo_priority(pthread_self(), priority);
  if (refused.empty()) return "";
  return "control.rt_priority " + std::to_string(priority) + ": SCHED_FIFO refused (" + refused +
         "); running with normal scheduling. Grant CAP_SYS_NICE and " +
         "LimitRTPRIO (the systemd unit does) or set control.rt_priority: 0";
}

std::string lock_error() {
#ifdef MCL_ONFAULT
  // Lock pages as they are first touched instead of faulting in every mapping at once: the
  // loop's working set stays locked after warm-up, while untouched thread stacks and library
  // pages do not inflate the resident size (plain MCL_FUTURE took the node from 76 to 199 MB).
  if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0) return "";
#endif
  if (mlockall(MCL_CURRENT | MCL_FUTURE) == 0) return "";
  return std::string("control.lock_memory: mlockall refused (") + std::strerror(errno) +
         "); grant CAP_IPC_LOCK and LimitMEMLOCK=infinity (the systemd unit does) or set "
         "control.lock_memory: false";
}

}  // namespace

std::vector<std::string> apply_realtime(const RealtimeRequest& request) {
  std::vector<std::string> warnings;
  auto keep = [&warnings](std::string w) {
    if (!w.empty()) warnings.push_back(std::move(w));
  };
  if (request.lock_memory) keep(lock_error());
  keep(pin_this_thread(request.cpu, "control.cpu", "the control thread"));
  if (request.priority > 0) keep(priority_error(request.priority));
  return warnings;
}

std::string pin_this_thread(int cpu, const std::string& key, const std::string& thread) {
  if (cpu < 0) return "";
  const std::string what = key + " " + std::to_string(cpu);
  if (cpu >= CPU_SETSIZE) return what + ": beyond CPU_SETSIZE; set " + key + ": -1";
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  if (rc == 0) return "";
  return what + ": cannot pin " + thread + " (" + std::strerror(rc) + "); check `nproc` or set " +
         key + ": -1";
}

}  // namespace rcpilot::vehicle
