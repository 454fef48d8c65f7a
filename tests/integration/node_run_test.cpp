// The real rcpilot binary drives the simulated car in real time, publishes telemetry and stops
// cleanly on SIGTERM with the motor link neutral. Rates and periods are measured by
// bench/node_bench.py, never asserted here.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "fake_systemd.hpp"
#include "process.hpp"
#include "telemetry_client.hpp"

namespace rcpilot::testing {
namespace {

const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
const std::string kSimProfile = RCPILOT_SOURCE_DIR "/config/profiles/sim.yaml";
// The control API would bind the default port, which another node on this machine may hold.
const std::string kNoControlApi = "control_api.enabled=false";

// Polls `done` until it holds or `give_up` passes (a hang guard: rates are bench/node_bench.py's
// job, these tests only wait for something to happen).
template <typename Done>
bool wait_until(Done done, std::chrono::seconds give_up) {
  const auto until = std::chrono::steady_clock::now() + give_up;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// A state in which the model drove: not refused, and throttling.
bool model_drove(const nlohmann::json& state) {
  return state["reason"] == "none" && state["throttle"].get<double>() > 0.05;
}

int count_driving(const std::vector<nlohmann::json>& states) {
  int n = 0;
  for (const auto& s : states) n += model_drove(s) ? 1 : 0;
  return n;
}

TEST(NodeRun, drives_the_sim_publishes_state_and_health_and_stops_neutral_on_sigterm) {
  const std::string endpoint = private_endpoint("run");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.endpoint=" + endpoint, "--set", "control.rate_hz=50"});
  // Run until the model has driven for a while and board health came at least once.
  const bool drove = wait_until(
      [&] { return count_driving(client.of("state")) >= 20 && !client.of("health").empty(); },
      std::chrono::seconds(60));
  node.signal(SIGTERM);
  const int code = node.wait(30);
  ASSERT_TRUE(drove) << "no driving states and health within 60 s\n" << node.output();
  ASSERT_EQ(code, 0) << node.output();
  // The shutdown state and event are the last ones published: wait for both, bounded.
  wait_until(
      [&] {
        const auto st = client.of("state");
        const auto ev = client.of("event");
        return !st.empty() && st.back()["reason"] == "shutdown" && !ev.empty() &&
               ev.back()["type"] == "shutdown";
      },
      std::chrono::seconds(10));

  // Every state carries its fields; ticks strictly increase and node time never goes back.
  const auto states = client.of("state");
  ASSERT_GE(states.size(), 2u) << node.output();
  for (std::size_t i = 0; i < states.size(); ++i) {
    for (const char* key : {"tick", "time_s", "mode", "reason", "steering", "throttle", "period_ms",
                            "overruns", "link_ok"}) {
      ASSERT_TRUE(states[i].contains(key)) << key << " missing in " << states[i].dump();
    }
    if (i == 0) continue;
    EXPECT_GT(states[i]["tick"].get<std::uint64_t>(), states[i - 1]["tick"].get<std::uint64_t>());
    EXPECT_GE(states[i]["time_s"].get<double>(), states[i - 1]["time_s"].get<double>());
  }

  // Shutdown: the last state is neutral with reason shutdown, and the link's last command too.
  EXPECT_EQ(states.back()["reason"], "shutdown");
  EXPECT_EQ(states.back()["steering"].get<double>(), 0.0);
  EXPECT_EQ(states.back()["throttle"].get<double>(), 0.0);
  const auto events = client.of("event");
  ASSERT_FALSE(events.empty());
  const auto& last = events.back();
  EXPECT_EQ(last["type"], "shutdown") << last.dump();
  EXPECT_EQ(last["last_command"]["steering"].get<double>(), 0.0);
  EXPECT_EQ(last["last_command"]["throttle"].get<double>(), 0.0);

  // Board health with this machine's real readings.
  const auto health = client.of("health");
  ASSERT_FALSE(health.empty());
  EXPECT_GT(health.back()["mem_total_mb"].get<double>(), 0.0);
  EXPECT_GT(health.back()["rss_mb"].get<double>(), 0.0);
}

TEST(NodeRun, without_autostart_the_node_stays_disarmed_and_neutral) {
  const std::string endpoint = private_endpoint("disarmed");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.endpoint=" + endpoint, "--set", "control.autostart=false",
                          "--duration", "4"});
  ASSERT_EQ(node.wait(60), 0) << node.output();
  wait_until(
      [&] {
        const auto st = client.of("state");
        return !st.empty() && st.back()["reason"] == "shutdown";
      },
      std::chrono::seconds(10));
  const auto states = client.of("state");
  ASSERT_GE(states.size(), 2u) << "a disarmed tick, then shutdown\n" << node.output();
  for (const auto& s : states) {
    EXPECT_EQ(s["steering"].get<double>(), 0.0);
    EXPECT_EQ(s["throttle"].get<double>(), 0.0);
    if (s["reason"] != "shutdown") {
      EXPECT_EQ(s["reason"], "disarmed");
    }
  }
}

TEST(NodeRun, sigint_also_stops_with_exit_code_zero) {
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.enabled=false"});
  const bool driving =
      wait_until([&] { return node.output().find("driving:") != std::string::npos; },
                 std::chrono::seconds(60));
  node.signal(SIGINT);
  EXPECT_EQ(node.wait(30), 0) << node.output();
  ASSERT_TRUE(driving) << "the node did not start within 60 s\n" << node.output();
  EXPECT_NE(node.output().find("rcpilot summary"), std::string::npos) << node.output();
}

TEST(NodeRun, tells_systemd_ready_after_the_first_inference_then_feeds_the_watchdog) {
  FakeSystemd systemd(1000, /*for_children=*/true);  // WATCHDOG=1 due every 250 ms
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.enabled=false"});
  const auto starting = systemd.receive_until("READY=1", std::chrono::seconds(60));
  // The feeds keep coming while the loop runs: two in turn (each wait a hang guard).
  const auto first_feed = systemd.receive_until("WATCHDOG=1", std::chrono::seconds(10));
  const auto second_feed = systemd.receive_until("WATCHDOG=1", std::chrono::seconds(10));
  node.signal(SIGTERM);
  const auto stopping = systemd.receive_until("STOPPING=1", std::chrono::seconds(10));
  EXPECT_EQ(node.wait(30), 0) << node.output();
  ASSERT_EQ(count(starting, "READY=1"), 1) << node.output();
  EXPECT_EQ(count(starting, "WATCHDOG=1"), 0) << "no feed before READY";
  EXPECT_EQ(count(first_feed, "WATCHDOG=1"), 1);
  EXPECT_EQ(count(second_feed, "WATCHDOG=1"), 1);
  EXPECT_EQ(count(stopping, "STOPPING=1"), 1);
  // The self-test ran before READY: the log says so.
  EXPECT_NE(node.output().find("self-test"), std::string::npos);
}

}  // namespace
}  // namespace rcpilot::testing
