#include <gtest/gtest.h>

#include <vector>

#include "web/hub.hpp"

namespace rcpilot::web {
namespace {

using nlohmann::json;

struct FakeNode final : NodeLink {
  bool submit(json request, Done done) override {
    requests.push_back(request);
    if (answer) done(json{{"ok", true}});
    return true;
  }
  void drive(double steering, double throttle) override { drives.push_back({steering, throttle}); }
  std::vector<json> requests;
  std::vector<std::pair<double, double>> drives;
  bool answer = true;
};

// A browser whose writes finish at once; it keeps what it was sent.
struct FakeClient final : Client {
  Outbox& outbox() override { return box; }
  void flush() override {
    while (auto m = box.next()) {
      if (m->binary) {
        frames.push_back(*m->data);
      } else {
        texts.push_back(json::parse(*m->data));
      }
      box.sent();
    }
  }
  json last(const std::string& type) const {
    for (auto it = texts.rbegin(); it != texts.rend(); ++it) {
      if (it->value("t", "") == type) return *it;
    }
    return json();
  }
  Outbox box;
  std::vector<json> texts;
  std::vector<std::string> frames;
};

struct HubTest : ::testing::Test {
  ManualClock clock;
  FakeNode node;
  Hub hub{node, clock, [](std::function<void()> f) { f(); }};
  std::shared_ptr<FakeClient> a = std::make_shared<FakeClient>();
  std::shared_ptr<FakeClient> b = std::make_shared<FakeClient>();
};

TEST_F(HubTest, only_the_page_holding_the_controls_drives) {
  const auto ia = hub.join(a);
  const auto ib = hub.join(b);
  hub.on_text(ia, R"({"t":"claim"})");
  hub.on_text(ib, R"({"t":"claim"})");
  hub.on_text(ib, R"({"t":"drive","steering":0.5,"throttle":0.5})");
  EXPECT_TRUE(node.drives.empty());
  hub.on_text(ia, R"({"t":"drive","steering":0.1,"throttle":0.2})");
  ASSERT_EQ(node.drives.size(), 1u);
  EXPECT_EQ(node.drives[0], std::make_pair(0.1, 0.2));
  EXPECT_TRUE(a->last("controls")["mine"].get<bool>());
  EXPECT_FALSE(b->last("controls")["mine"].get<bool>());
  EXPECT_EQ(b->last("controls")["holder"], "page 1");
}

TEST_F(HubTest, the_holders_socket_closing_sends_neutral_and_frees_the_controls) {
  const auto ia = hub.join(a);
  hub.join(b);
  hub.on_text(ia, R"({"t":"claim"})");
  hub.on_text(ia, R"({"t":"drive","steering":0.3,"throttle":0.4})");
  hub.leave(ia);
  ASSERT_EQ(node.drives.size(), 2u);
  EXPECT_EQ(node.drives.back(), std::make_pair(0.0, 0.0));
  EXPECT_FALSE(hub.owner().holder());
  EXPECT_TRUE(b->last("controls")["holder"].is_null());
}

TEST_F(HubTest, a_watcher_may_estop_but_not_arm) {
  const auto ia = hub.join(a);
  const auto ib = hub.join(b);
  hub.on_text(ia, R"({"t":"claim"})");
  hub.on_text(ib, R"({"t":"cmd","id":1,"cmd":"arm"})");
  EXPECT_TRUE(node.requests.empty());
  EXPECT_EQ(b->last("reply")["error"], "not_holder");
  hub.on_text(ib, R"({"t":"cmd","id":2,"cmd":"estop"})");
  ASSERT_EQ(node.requests.size(), 1u);
  EXPECT_EQ(node.requests[0], (json{{"cmd", "estop"}}));
  EXPECT_EQ(b->last("reply")["id"], 2);
  EXPECT_TRUE(b->last("reply")["ok"].get<bool>());
}

TEST_F(HubTest, a_bad_message_gets_an_error_and_changes_nothing) {
  const auto ia = hub.join(a);
  hub.on_text(ia, R"({"t":"claim"})");
  hub.on_text(ia, R"({"t":"drive","steering":"left","throttle":0})");
  EXPECT_TRUE(node.drives.empty());
  EXPECT_NE(a->last("error")["message"].get<std::string>().find("steering"), std::string::npos);
}

TEST_F(HubTest, frames_reach_every_page_once) {
  hub.join(a);
  hub.join(b);
  auto frame = std::make_shared<const std::string>("jpeg1");
  hub.on_frame(frame, 1);
  hub.on_frame(frame, 1);
  EXPECT_EQ(a->frames.size(), 1u);
  EXPECT_EQ(b->frames.size(), 1u);
}

TEST_F(HubTest, the_tub_folder_comes_from_the_nodes_status) {
  EXPECT_EQ(hub.tub_path(), "");
  struct StatusNode final : NodeLink {
    bool submit(json, Done done) override {
      done(json{{"ok", true}, {"recording", {{"path", "/data/tub"}}}});
      return true;
    }
    void drive(double, double) override {}
  } status_node;
  Hub other(status_node, clock, [](std::function<void()> f) { f(); });
  other.join(a);
  other.poll_status();
  EXPECT_EQ(other.tub_path(), "/data/tub");
  EXPECT_EQ(a->last("status")["recording"]["path"], "/data/tub");
}

TEST_F(HubTest, status_is_polled_once_until_answered) {
  hub.join(a);
  node.answer = false;
  hub.poll_status();
  hub.poll_status();
  EXPECT_EQ(node.requests.size(), 1u);
}

}  // namespace
}  // namespace rcpilot::web
