#include "telemetry/telemetry.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <zmq.hpp>

#include "zmq_options/zmq_options.hpp"

namespace rcpilot::vehicle {
namespace {

using std::chrono::milliseconds;

// Receives one [topic, json] message; false on timeout.
bool receive(zmq::socket_t& sub, std::string& topic, nlohmann::json& body) {
  zmq::message_t t, b;
  if (!sub.recv(t)) return false;
  if (!sub.recv(b)) return false;
  topic = t.to_string();
  body = nlohmann::json::parse(b.to_string());
  return true;
}

struct TelemetryTest : ::testing::Test {
  config::TelemetryConfig cfg;
  zmq::context_t ctx;
  zmq::socket_t sub{ctx, zmq::socket_type::sub};

  void SetUp() override {
    cfg.endpoint = "tcp://127.0.0.1:*";
    zmq_options::set(sub, ZMQ_SUBSCRIBE, "");
    zmq_options::set(sub, ZMQ_RCVTIMEO, 3000);
  }
  // PUB/SUB drops messages until the subscription has propagated: publish until one arrives.
  void wait_connected(TelemetryPublisher& pub) {
    sub.connect(pub.bound_endpoint());
    zmq_options::set(sub, ZMQ_RCVTIMEO, 50);
    std::string topic;
    nlohmann::json body;
    for (int i = 0; i < 100; ++i) {
      pub.publish_event("probe", "connecting");
      if (receive(sub, topic, body)) break;
    }
    zmq_options::set(sub, ZMQ_RCVTIMEO, 3000);
  }
};

TEST_F(TelemetryTest, state_messages_carry_the_documented_fields) {
  TelemetryPublisher pub(cfg);
  pub.start();
  wait_connected(pub);
  TickState st;
  st.tick = 3;
  st.command.steering_norm = 0.25f;
  pub.on_tick(st);
  std::string topic;
  nlohmann::json body;
  do {
    ASSERT_TRUE(receive(sub, topic, body));
  } while (topic != "state");
  for (const char* key :
       {"schema", "seq", "tick", "time_s", "mode", "steering", "throttle", "reason",
        "prediction_age_ms", "frame_seq", "inference_ms", "pilot_rate_hz", "period_ms", "exec_ms",
        "overruns", "link_ok", "dropped"}) {
    EXPECT_TRUE(body.contains(key)) << key;
  }
  EXPECT_EQ(body["tick"], 3);
  EXPECT_FLOAT_EQ(body["steering"].get<float>(), 0.25f);
  pub.stop();
}

TEST_F(TelemetryTest, a_change_of_stop_reason_becomes_a_safety_event) {
  TelemetryPublisher pub(cfg);
  pub.start();
  wait_connected(pub);
  TickState st;
  st.tick = 1;
  pub.on_tick(st);
  st.tick = 2;
  st.reason = StopReason::kStalePrediction;
  pub.on_tick(st);
  std::string topic;
  nlohmann::json body;
  bool saw_safety = false;
  for (int i = 0; i < 10 && !saw_safety; ++i) {
    ASSERT_TRUE(receive(sub, topic, body));
    saw_safety = topic == "event" && body["type"] == "safety";
  }
  ASSERT_TRUE(saw_safety);
  EXPECT_EQ(body["reason"], "stale_prediction");
  pub.stop();
}

TEST_F(TelemetryTest, event_text_that_is_not_utf8_is_published_with_replacement_characters) {
  // A config or tub error quoting the file's bytes once made dump() throw on this thread.
  TelemetryPublisher pub(cfg);
  pub.start();
  wait_connected(pub);
  pub.publish_event("warning", "control.mode: '\xff' is not a mode", {{"value", "\xb5"}});
  std::string topic;
  nlohmann::json body;
  do {
    ASSERT_TRUE(receive(sub, topic, body));
  } while (body.value("type", "") != "warning");
  EXPECT_EQ(body["message"], "control.mode: '\xef\xbf\xbd' is not a mode");  // U+FFFD
  EXPECT_EQ(body["value"], "\xef\xbf\xbd");
  pub.on_tick(TickState{});  // the thread is still serving
  do {
    ASSERT_TRUE(receive(sub, topic, body));
  } while (topic != "state");
  pub.stop();
}

TEST_F(TelemetryTest, a_full_queue_drops_and_counts_instead_of_blocking) {
  cfg.queue_depth = 4;
  TelemetryPublisher pub(cfg);  // not started: nothing drains the queue
  TickState st;
  for (int i = 1; i <= 10; ++i) {
    st.tick = static_cast<std::uint64_t>(i);
    pub.on_tick(st);
  }
  EXPECT_EQ(pub.dropped(), 6u);
}

TEST_F(TelemetryTest, an_unusable_endpoint_names_the_config_key) {
  cfg.endpoint = "tcp://256.1.1.1:1";
  try {
    TelemetryPublisher pub(cfg);
    FAIL() << "bind should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("telemetry.endpoint"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rcpilot::vehicle
