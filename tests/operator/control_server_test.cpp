// The control API server over real ZeroMQ sockets on loopback: an e-stop is applied while a
// slow request holds the slow worker, quick requests are answered meanwhile, the slow queue is
// bounded, and oversized or multipart requests are refused without stopping the server. The
// slow `record` blocks on a latch the test opens, so nothing here depends on timing; every wait
// is bounded by the client's receive timeout.
#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

#include "config/loader.hpp"
#include "operator/control_server.hpp"

namespace rcpilot::vehicle {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr int kTimeoutMs = 2000;  // hang guard for every reply

// `record` blocks until open() (bounded), as a recorder stuck on a slow disk would.
class BlockingRecording final : public RecordingControl {
 public:
  bool start(std::string&) override {
    std::unique_lock<std::mutex> lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait_for(lock, seconds(10), [this] { return open_; });
    return true;
  }
  void stop() override {}
  bool erase_last(int, std::string&) override { return true; }
  bool mark_range(std::int64_t, std::int64_t, bool, std::string&) override { return true; }
  json tub(std::string&) const override { return json::object(); }
  json status() const override { return json::object(); }

  void open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool wait_entered(int n) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, seconds(5), [&] { return entered_ >= n; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

// A REQ client like rcpilot-ctl's: send now, read the reply later.
class Client {
 public:
  Client(zmq::context_t& ctx, const std::string& endpoint) : req_(ctx, zmq::socket_type::req) {
    zmq_options::set(req_, ZMQ_LINGER, 0);
    zmq_options::set(req_, ZMQ_RCVTIMEO, kTimeoutMs);
    req_.connect(endpoint);
  }
  void send(const std::string& text) { req_.send(zmq::buffer(text), zmq::send_flags::none); }
  void send_parts(const std::vector<std::string>& parts) {
    for (std::size_t i = 0; i < parts.size(); ++i) {
      req_.send(zmq::buffer(parts[i]),
                i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
  std::optional<json> reply() {
    zmq::message_t m;
    if (!req_.recv(m)) return std::nullopt;
    return json::parse(m.to_string());
  }
  zmq::pollitem_t readable() { return {req_.handle(), 0, ZMQ_POLLIN, 0}; }
  std::optional<json> call(const std::string& text) {
    send(text);
    return reply();
  }

 private:
  zmq::socket_t req_;
};

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const config::Config cfg = config::load_config("", {});
    live_ =
        std::make_unique<LiveConfig>(cfg, "", std::vector<std::string>{}, drive_,
                                     [](const config::Config&, const std::vector<std::string>&) {});
    handler_ = std::make_unique<ControlHandler>(
        ControlTargets{drive_, operators_, *live_, clock_, nullptr, &recording_, nullptr});
    config::ControlApiConfig api;
    api.endpoint = "tcp://127.0.0.1:*";
    api.max_request_bytes = 1024;
    server_ = std::make_unique<ControlServer>(api, *handler_);
    server_->start();
  }
  void TearDown() override {
    recording_.open();
    server_->stop();
  }
  std::unique_ptr<Client> client() {
    return std::make_unique<Client>(ctx_, server_->bound_endpoint());
  }

  zmq::context_t ctx_;
  ManualClock clock_{TimePoint{} + seconds(100)};
  DriveState drive_{DriveMode::kUser};
  OperatorInputs operators_;
  BlockingRecording recording_;
  std::unique_ptr<LiveConfig> live_;
  std::unique_ptr<ControlHandler> handler_;
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlServerTest, an_estop_is_applied_while_a_slow_request_holds_the_slow_worker) {
  auto slow = client();
  slow->send(R"({"cmd":"record","action":"start","id":"slow"})");
  ASSERT_TRUE(recording_.wait_entered(1));

  const auto status = client()->call(R"({"cmd":"status"})");
  ASSERT_TRUE(status.has_value()) << "a quick request waited behind the slow one";
  EXPECT_EQ((*status)["ok"], true);
  const auto estop = client()->call(R"({"cmd":"estop"})");
  ASSERT_TRUE(estop.has_value()) << "the e-stop waited behind the slow request";
  EXPECT_EQ((*estop)["estop"], true);
  EXPECT_TRUE(drive_.estopped());

  recording_.open();
  const auto done = slow->reply();
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ((*done)["ok"], true);
  EXPECT_EQ((*done)["id"], "slow");
}

TEST_F(ControlServerTest, slow_requests_beyond_the_queue_are_refused_as_busy) {
  auto first = client();
  first->send(R"({"cmd":"record","action":"start"})");
  ASSERT_TRUE(recording_.wait_entered(1));
  // One runs and eight wait: of nine more, exactly one is refused, whichever arrives last.
  std::vector<std::unique_ptr<Client>> more;
  for (int i = 0; i < 9; ++i) {
    more.push_back(client());
    more.back()->send(R"({"cmd":"reload"})");
  }
  // The refusal comes while the worker is still held: wait for the first reply (bounded).
  std::vector<zmq::pollitem_t> items;
  for (auto& c : more) items.push_back(c->readable());
  ASSERT_EQ(zmq::poll(items.data(), items.size(), std::chrono::milliseconds(kTimeoutMs)), 1);
  int busy = 0;
  for (std::size_t i = 0; i < more.size(); ++i) {
    if ((items[i].revents & ZMQ_POLLIN) == 0) continue;
    const auto r = more[i]->reply();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value("error", ""), "busy") << r->dump();
    ++busy;
  }
  EXPECT_EQ(busy, 1);
  recording_.open();
  for (std::size_t i = 0; i < more.size(); ++i) {
    if ((items[i].revents & ZMQ_POLLIN) == 0) {
      EXPECT_TRUE(more[i]->reply().has_value());
    }
  }
  EXPECT_EQ(server_->busy(), 1u);
  EXPECT_TRUE(first->reply().has_value());
}

TEST_F(ControlServerTest, an_oversized_request_is_refused_and_the_server_keeps_answering) {
  const auto r = client()->call(R"({"cmd":"status","id":")" + std::string(1500, 'x') + "\"}");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["error"], "too_large");
  EXPECT_NE((*r)["message"].get<std::string>().find("max_request_bytes"), std::string::npos);
  // Over twice the limit ZeroMQ drops it unread and closes that connection: no reply.
  EXPECT_FALSE(client()->call(std::string(3000, ' ')).has_value());
  const auto after = client()->call(R"({"cmd":"status"})");
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)["ok"], true);
}

TEST_F(ControlServerTest, a_multipart_request_is_malformed) {
  auto c = client();
  c->send_parts({R"({"cmd":"status"})", "extra"});
  const auto r = c->reply();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)["error"], "malformed");
}

}  // namespace
}  // namespace rcpilot::vehicle
