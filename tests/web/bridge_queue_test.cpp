#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "web/bridge_queue.hpp"

namespace rcpilot::web {
namespace {

using nlohmann::json;

BridgeRequest req(const std::string& cmd, double value = 0) {
  json r = {{"cmd", cmd}};
  if (cmd == "drive") r["throttle"] = value;
  return BridgeRequest{r, nullptr};
}

std::vector<std::string> drain(BridgeQueue& q, bool stopping = false) {
  std::vector<std::string> order;
  while (auto next = q.take(stopping)) order.push_back(next->request["cmd"]);
  return order;
}

TEST(WebBridgeQueue, an_estop_goes_before_everything_waiting_then_the_drive_then_the_rest) {
  BridgeQueue q(16);
  q.push(req("status"));
  q.push(req("mode"));
  q.push(req("drive", 0.3));
  q.push(req("estop"));
  EXPECT_EQ(drain(q), (std::vector<std::string>{"estop", "drive", "status", "mode"}));
  EXPECT_TRUE(q.empty());
}

TEST(WebBridgeQueue, only_the_newest_drive_waits) {
  BridgeQueue q(16);
  q.push(req("drive", 0.1));
  q.push(req("drive", 0.2));
  q.push(req("drive", 0.0));
  const auto next = q.take();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->request["throttle"], 0.0);
  EXPECT_FALSE(q.take());
}

TEST(WebBridgeQueue, other_requests_are_bounded_but_estops_and_drives_are_always_taken) {
  BridgeQueue q(2);
  EXPECT_TRUE(q.push(req("status")));
  EXPECT_TRUE(q.push(req("get")));
  EXPECT_FALSE(q.push(req("set")));
  EXPECT_TRUE(q.push(req("estop")));
  EXPECT_TRUE(q.push(req("drive")));
}

TEST(WebBridgeQueue, when_stopping_only_the_estop_and_the_last_drive_are_still_sent) {
  BridgeQueue q(16);
  q.push(req("status"));
  q.push(req("drive", 0.0));
  q.push(req("estop"));
  EXPECT_EQ(drain(q, true), (std::vector<std::string>{"estop", "drive"}));
}

}  // namespace
}  // namespace rcpilot::web
