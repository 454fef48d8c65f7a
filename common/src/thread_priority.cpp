#include "common/thread_priority.hpp"

#include <sched.h>

#include <cstring>

namespace rcpilot {

std::string set_fifo_priority(pthread_t thread, int priority) {
  sched_param param{};
  param.sched_priority = priority;
  const int rc = pthread_setschedparam(thread, SCHED_FIFO, &param);
  return rc == 0 ? std::string() : std::string(std::strerror(rc));
}

}  // namespace rcpilot
