// The real rcpilot binary drives the simulated car in real time, publishes telemetry at the
// configured rate and stops cleanly on SIGTERM with the motor link neutral.
#include <gtest/gtest.h>

#include <csignal>
#include <set>
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

TEST(NodeRun, drives_the_sim_publishes_state_at_rate_and_stops_neutral_on_sigterm) {
  const double rate_hz = 50;
  const std::string endpoint = private_endpoint("run");
  TelemetryClient client(endpoint);
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.endpoint=" + endpoint, "--set", "control.rate_hz=50"});
  std::this_thread::sleep_for(std::chrono::seconds(12));
  node.signal(SIGTERM);
  const int code = node.wait(30);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(code, 0) << node.output();

  auto states = client.of("state");
  ASSERT_GT(states.size(), 100u) << node.output();
  // Rate over the span the subscriber saw (after start-up): unique ticks per second of node time.
  std::set<std::uint64_t> ticks;
  for (const auto& s : states) ticks.insert(s["tick"].get<std::uint64_t>());
  const double span_s = states.back()["time_s"].get<double>() - states.front()["time_s"].get<double>();
  ASSERT_GT(span_s, 5.0);
  const double received_hz = static_cast<double>(ticks.size() - 1) / span_s;
  EXPECT_GE(received_hz, 0.95 * rate_hz) << "received " << ticks.size() << " in " << span_s;

  // The model drove: some ticks steered and throttled without the supervisor forcing neutral.
  int driving = 0;
  for (const auto& s : states) {
    if (s["reason"] == "none" && s["throttle"].get<double>() > 0.05) ++driving;
  }
  EXPECT_GT(driving, static_cast<int>(states.size()) / 2) << node.output();

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

  // Board health at 1 Hz (telemetry.health_interval_s), with this machine's real readings.
  const auto health = client.of("health");
  EXPECT_GE(health.size(), 8u);
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
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto states = client.of("state");
  ASSERT_GT(states.size(), 20u) << node.output();
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
  std::this_thread::sleep_for(std::chrono::seconds(4));
  node.signal(SIGINT);
  EXPECT_EQ(node.wait(30), 0) << node.output();
  EXPECT_NE(node.output().find("rcpilot summary"), std::string::npos) << node.output();
}

TEST(NodeRun, tells_systemd_ready_after_the_first_inference_then_feeds_the_watchdog) {
  FakeSystemd systemd(1000, /*for_children=*/true);
  Process node(kRcpilot, {"--config", kSimProfile, "--set", kNoControlApi, "--set",
                          "telemetry.enabled=false"});
  const auto running = systemd.receive_for(std::chrono::seconds(8));
  node.signal(SIGTERM);
  const auto stopping = systemd.receive_for(std::chrono::seconds(2));
  EXPECT_EQ(node.wait(30), 0) << node.output();
  ASSERT_EQ(count(running, "READY=1"), 1) << node.output();
  // READY comes before any watchdog feed, and the feeds keep coming while the loop runs.
  int ready_at = -1;
  for (std::size_t i = 0; i < running.size(); ++i) {
    if (running[i].find("READY=1") != std::string::npos) ready_at = static_cast<int>(i);
  }
  EXPECT_EQ(count({running.begin(), running.begin() + ready_at}, "WATCHDOG=1"), 0);
  EXPECT_GE(count(running, "WATCHDOG=1"), 5);
  EXPECT_EQ(count(stopping, "STOPPING=1"), 1);
  // The self-test ran before READY: the log says so.
  EXPECT_NE(node.output().find("self-test"), std::string::npos);
}

}  // namespace
}  // namespace rcpilot::testing
