#include "control/realtime.hpp"

#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>

#include <thread>

namespace rcpilot::vehicle {
namespace {

TEST(Realtime, nothing_requested_changes_nothing_and_warns_nothing) {
  EXPECT_TRUE(apply_realtime({}).empty());
}

TEST(Realtime, an_impossible_cpu_is_a_warning_naming_the_key_not_a_failure) {
  std::vector<std::string> warnings;
  std::thread t([&] { warnings = apply_realtime({0, 1000, false}); });
  t.join();
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("control.cpu"), std::string::npos) << warnings[0];
}

TEST(Realtime, pinning_a_thread_sets_its_affinity_or_names_the_key) {
  std::string ok, impossible;
  cpu_set_t after;
  std::thread t([&] {
    ok = pin_this_thread(0, "pilot.cpu", "the pilot thread");
    pthread_getaffinity_np(pthread_self(), sizeof(after), &after);
    impossible = pin_this_thread(1000, "pilot.cpu", "the pilot thread");
  });
  t.join();
  EXPECT_EQ(ok, "");
  EXPECT_EQ(CPU_COUNT(&after), 1);
  EXPECT_TRUE(CPU_ISSET(0, &after));
  EXPECT_NE(impossible.find("pilot.cpu 1000"), std::string::npos) << impossible;
  EXPECT_EQ(pin_this_thread(-1, "pilot.cpu", "the pilot thread"), "");
}

TEST(Realtime, fifo_priority_is_applied_or_explained) {
  // Root in a container may or may not hold CAP_SYS_NICE: either outcome is fine, silence is not.
  std::vector<std::string> warnings;
  int policy = -1;
  std::thread t([&] {
    warnings = apply_realtime({10, -1, false});
    sched_param p{};
    pthread_getschedparam(pthread_self(), &policy, &p);
  });
  t.join();
  if (warnings.empty()) {
    EXPECT_EQ(policy, SCHED_FIFO);
  } else {
    EXPECT_NE(warnings[0].find("control.rt_priority"), std::string::npos) << warnings[0];
  }
}

}  // namespace
}  // namespace rcpilot::vehicle
