// The control API's limits on what a request may hold (docs/control.md): numbers that overflow,
// nesting deeper than kMaxRequestDepth, ids that are not small scalars and bytes that are not
// UTF-8 are each answered with a clear error that is itself valid JSON, and change nothing.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "operator/control_api.hpp"

namespace rcpilot::vehicle {
namespace {

using nlohmann::json;

class ControlApiLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const config::Config cfg = config::load_config("", {});
    live_ =
        std::make_unique<LiveConfig>(cfg, "", std::vector<std::string>{}, drive_,
                                     [](const config::Config&, const std::vector<std::string>&) {});
    handler_ = std::make_unique<ControlHandler>(
        ControlTargets{drive_, operators_, *live_, clock_, nullptr, nullptr,
                       [this](const std::string&, const std::string&, const json&) { ++events_; }});
  }

  // The reply to `text`, which must be valid JSON however bad the request was.
  json reply_to(const std::string& text) {
    const std::string reply = handler_->handle(text);
    const json parsed = json::parse(reply, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << reply;
    return parsed;
  }

  // `text` is refused with `code` and leaves mode, arming, e-stop and every live key alone.
  json expect_refused(const std::string& text, const std::string& code) {
    const json before = state();
    const json r = reply_to(text);
    EXPECT_EQ(r.value("ok", true), false) << r.dump();
    EXPECT_EQ(r.value("error", ""), code) << r.dump();
    EXPECT_FALSE(r.value("message", "").empty()) << r.dump();
    EXPECT_EQ(state(), before);
    EXPECT_EQ(events_, 0);
    return r;
  }

  json state() {
    const json s = handler_->handle(json{{"cmd", "status"}});
    return {s["mode"], s["armed"], s["estop"], handler_->handle(json{{"cmd", "get"}})["values"]};
  }

  ManualClock clock_{TimePoint{} + std::chrono::seconds(100)};
  DriveState drive_{DriveMode::kUser};
  OperatorInputs operators_;
  std::unique_ptr<LiveConfig> live_;
  std::unique_ptr<ControlHandler> handler_;
  int events_ = 0;
};

std::string nested(int levels, const std::string& open = "[") {
  std::string text;
  for (int i = 0; i < levels; ++i) text += open;
  return text;
}

TEST_F(ControlApiLimitsTest, a_number_that_overflows_anywhere_is_a_malformed_request) {
  for (const std::string& text :
       std::vector<std::string>{"1e400", R"({"cmd":"drive","steering":1e400,"throttle":0})",
                                R"({"cmd":"set","values":{"control.steering_gain":-1e999}})",
                                R"({"cmd":"status","id":1e400})"}) {
    const json r = expect_refused(text, "malformed");
    EXPECT_NE(r["message"].get<std::string>().find("out of range"), std::string::npos) << text;
  }
}

TEST_F(ControlApiLimitsTest, nesting_deeper_than_the_limit_is_refused_before_it_is_built) {
  // 100000 levels overflowed the stack when the id was copied and dumped recursively.
  for (const std::string& tail : {nested(100000), nested(100000, "{\"a\":")}) {
    expect_refused(R"({"cmd":"status","id":)" + tail, "too_deep");
    expect_refused(R"({"cmd":"set","values":{"control.steering_gain":)" + tail, "too_deep");
  }
  expect_refused(nested(kMaxRequestDepth + 1) + nested(kMaxRequestDepth + 1, "]"), "too_deep");
}

TEST_F(ControlApiLimitsTest, nesting_within_the_limit_reaches_the_field_checks) {
  // The request object is level 1, `values` level 2: the value sits at the deepest level.
  const std::string value = nested(kMaxRequestDepth - 2) + nested(kMaxRequestDepth - 2, "]");
  expect_refused(R"({"cmd":"set","values":{"control.steering_gain":)" + value + "}}", "bad_type");
}

TEST_F(ControlApiLimitsTest, an_id_that_is_not_a_small_scalar_is_refused_and_not_echoed) {
  for (const std::string& id : std::vector<std::string>{
           R"([1,2])", R"({"a":1})", "\"" + std::string(kMaxIdBytes + 1, 'x') + "\""}) {
    const json r = expect_refused(R"({"cmd":"arm","id":)" + id + "}", "bad_id");
    EXPECT_FALSE(r.contains("id")) << r.dump();
  }
  const std::string longest(kMaxIdBytes, 'x');
  EXPECT_EQ(reply_to(R"({"cmd":"status","id":")" + longest + "\"}")["id"], longest);
  EXPECT_EQ(reply_to(R"({"cmd":"status","id":null})")["id"], nullptr);
  EXPECT_EQ(reply_to(R"({"cmd":"status","id":-2.5})")["id"], -2.5);
}

TEST_F(ControlApiLimitsTest, bytes_that_are_not_utf8_get_a_valid_json_error) {
  for (const std::string& text : std::vector<std::string>{
           "\xb5", "{\"cmd\":\"\xff\"}", "{\"cmd\":\"status\",\"id\":\"\xc3\x28\"}"}) {
    expect_refused(text, "malformed");
  }
}

TEST_F(ControlApiLimitsTest, the_server_helpers_classify_estop_and_slow_requests) {
  EXPECT_TRUE(ControlHandler::is_estop(json{{"cmd", "estop"}}));
  EXPECT_FALSE(ControlHandler::is_estop(json{{"cmd", "status"}, {"id", "estop"}}));
  EXPECT_FALSE(ControlHandler::is_estop(json::array({"estop"})));
  EXPECT_TRUE(ControlHandler::is_slow(json{{"cmd", "record"}, {"action", "stop"}}));
  EXPECT_TRUE(ControlHandler::is_slow(json{{"cmd", "reload"}}));
  EXPECT_FALSE(ControlHandler::is_slow(json{{"cmd", "set"}}));
  EXPECT_FALSE(ControlHandler::is_slow(json("record")));
}

}  // namespace
}  // namespace rcpilot::vehicle
