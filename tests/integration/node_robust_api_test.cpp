// The real rcpilot on the sim profile against hostile and clumsy input through its control API,
// its config file and its tub folder (issue 13, items 1-5): each once killed or stalled the
// node. Here each gets its clear error, the node's state is unchanged, telemetry keeps flowing
// and the node still stops cleanly with exit code 0. And an `estop` sent while many clients
// hammer slow requests is applied promptly: the bound asserted (2 s) is only a hang guard; the
// measured latencies are printed for bench/RESULTS.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api_node.hpp"

namespace rcpilot::testing {
namespace {

using namespace api_node;  // NOLINT: the shared node harness
using std::chrono::milliseconds;
using std::chrono::steady_clock;

// `text` is answered with error `code` (a valid JSON reply) and changes nothing.
void expect_error(ControlClient& c, const std::string& text, const std::string& code) {
  SCOPED_TRACE(text.substr(0, 60));
  const json before = state_of(c);
  const auto reply = c.request_text(text);
  ASSERT_TRUE(reply.has_value()) << "no answer";
  const json r = json::parse(*reply, nullptr, false);
  ASSERT_FALSE(r.is_discarded()) << *reply;
  EXPECT_EQ(r["ok"], false) << *reply;
  EXPECT_EQ(r["error"], code) << *reply;
  EXPECT_TRUE(r["message"].is_string()) << *reply;
  EXPECT_EQ(state_of(c), before);
}

// More `state` messages arrive within 2 s: the telemetry thread and the loop are alive.
void expect_telemetry_flowing(const Node& node) {
  const std::size_t before = node.telemetry().of("state").size();
  const auto until = steady_clock::now() + std::chrono::seconds(2);
  while (node.telemetry().of("state").size() < before + 5 && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_GE(node.telemetry().of("state").size(), before + 5) << "telemetry stopped";
}

std::optional<json> event_of_type(const Node& node, const std::string& type) {
  for (const auto& e : node.telemetry().of("event")) {
    if (e["type"] == type) return e;
  }
  return std::nullopt;
}

TEST(RobustApi, hostile_requests_get_clear_errors_and_the_node_keeps_running) {
  Node node("hostile", {"--config", kSimProfile});
  ControlClient c(node.options());
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();

  expect_error(c, "1e400", "malformed");
  expect_error(c, R"({"cmd":"drive","steering":1e400,"throttle":0})", "malformed");
  const std::string deep(30000, '[');  // 30 KB: under the size limit, far over the depth one
  expect_error(c, R"({"cmd":"status","id":)" + deep, "too_deep");
  expect_error(c, R"({"cmd":"set","values":{"control.steering_gain":)" + deep, "too_deep");
  expect_error(c, R"({"cmd":"status","id":")" + std::string(300, 'x') + "\"}", "bad_id");
  expect_error(c, R"({"cmd":"status","id":")" + std::string(100000, 'x') + "\"}", "too_large");
  // Over twice control_api.max_request_bytes: dropped unread, that connection closed.
  ControlClient huge(node.options(1000));
  EXPECT_FALSE(huge.request_text(std::string(4 << 20, ' ')).has_value());
  EXPECT_EQ(request(c, {{"cmd", "status"}})["ok"], true);

  expect_telemetry_flowing(node);
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

TEST(RobustApi, bytes_that_are_not_utf8_in_a_config_or_tub_reach_telemetry_as_replaced_text) {
  TempDir dir("not-utf8-config");
  const std::string path = dir.path + "/car.yaml";
  write_file(path, sim_profile_text());
  Node node("not-utf8", {"--config", path});
  ControlClient c(node.options());
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();
  const json before = state_of(c);

  // SIGHUP with a mode that is not UTF-8: refused, and the warning event says why.
  write_file(path, sim_profile_text({{"  mode: local", "  mode: \"\xff\""}}));
  node.process().signal(SIGHUP);
  const auto until = steady_clock::now() + std::chrono::seconds(5);
  while (!event_of_type(node, "warning") && steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(event_of_type(node, "warning").has_value()) << node.process().output();
  EXPECT_EQ(state_of(c), before);

  // A tub whose manifest starts with byte 0xB5: `record start` is refused, naming the file.
  std::filesystem::create_directories(node.tub());
  write_file(node.tub() + "/manifest.json", "\xb5{}\n");
  const json r = request(c, {{"cmd", "record"}, {"action", "start"}});
  EXPECT_EQ(r["ok"], false) << r.dump();
  EXPECT_NE(r.value("message", "").find("manifest.json"), std::string::npos) << r.dump();

  expect_telemetry_flowing(node);
  EXPECT_EQ(request(c, {{"cmd", "status"}})["ok"], true);
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

// Milliseconds from `from` to now.
double ms_since(steady_clock::time_point from) {
  return std::chrono::duration<double, std::milli>(steady_clock::now() - from).count();
}

// Waits (at most 2 s) for a `state` message with estop true after `seen` state messages.
std::optional<double> estop_in_telemetry(const Node& node, std::size_t seen,
                                         steady_clock::time_point sent) {
  while (ms_since(sent) < 2000) {
    const auto states = node.telemetry().of("state");
    for (std::size_t i = seen; i < states.size(); ++i) {
      if (states[i]["estop"] == true) return ms_since(sent);
    }
    std::this_thread::sleep_for(milliseconds(1));
  }
  return std::nullopt;
}

std::string summary(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  const auto at = [&](double q) { return ms[static_cast<std::size_t>(q * (ms.size() - 1))]; };
  return "p50 " + std::to_string(at(0.5)) + " ms, p90 " + std::to_string(at(0.9)) + " ms, max " +
         std::to_string(ms.back()) + " ms over " + std::to_string(ms.size());
}

TEST(RobustApi, an_estop_is_applied_promptly_while_many_clients_hammer_slow_requests) {
  constexpr int kClients = 40;
  constexpr int kRounds = 20;
  Node node("estop-load", {"--config", kSimProfile});
  ControlClient c(node.options(2000));
  ASSERT_TRUE(node.wait_ready(c)) << node.process().output();

  std::atomic<bool> hammering{true};
  std::atomic<long> answered{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      ControlClient own(node.options(3000));
      const json slow =
          i % 2 == 0 ? json{{"cmd", "record"}, {"action", "stop"}} : json{{"cmd", "reload"}};
      while (hammering) {
        if (own.request(slow)) answered.fetch_add(1);
      }
    });
  }
  std::this_thread::sleep_for(milliseconds(500));

  std::vector<double> reply_ms, state_ms;
  for (int round = 0; round < kRounds; ++round) {
    const std::size_t seen = node.telemetry().of("state").size();
    const auto sent = steady_clock::now();
    const auto reply = c.request({{"cmd", "estop"}});
    ASSERT_TRUE(reply.has_value()) << "estop got no reply within 2 s";
    EXPECT_EQ((*reply)["estop"], true);
    reply_ms.push_back(ms_since(sent));
    const auto shown = estop_in_telemetry(node, seen, sent);
    ASSERT_TRUE(shown.has_value()) << "the state never showed the e-stop within 2 s";
    state_ms.push_back(*shown);
    ASSERT_EQ(request(c, {{"cmd", "clear_estop"}})["ok"], true);
    std::this_thread::sleep_for(milliseconds(50));
  }
  hammering = false;
  for (auto& t : clients) t.join();
  EXPECT_GT(answered.load(), 0);
  std::printf("estop reply (round trip) under %d hammering clients: %s\n", kClients,
              summary(reply_ms).c_str());
  std::printf("estop to telemetry state: %s; slow requests answered meanwhile: %ld\n",
              summary(state_ms).c_str(), answered.load());
  EXPECT_EQ(node.stop(), 0) << node.process().output();
}

}  // namespace
}  // namespace rcpilot::testing
