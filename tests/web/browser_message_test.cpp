#include <gtest/gtest.h>

#include <string>

#include "web/browser_message.hpp"

namespace rcpilot::web {
namespace {

TEST(WebBrowserMessage, a_drive_message_gives_steering_and_throttle) {
  const auto p = parse_browser_message(R"({"t":"drive","steering":-0.5,"throttle":0.25})");
  ASSERT_TRUE(p.message) << p.error;
  EXPECT_EQ(p.message->kind, MessageKind::kDrive);
  EXPECT_DOUBLE_EQ(p.message->steering, -0.5);
  EXPECT_DOUBLE_EQ(p.message->throttle, 0.25);
}

TEST(WebBrowserMessage, drive_values_outside_minus_one_to_one_are_refused_naming_the_field) {
  auto p = parse_browser_message(R"({"t":"drive","steering":1.5,"throttle":0})");
  EXPECT_FALSE(p.message);
  EXPECT_NE(p.error.find("steering"), std::string::npos);
  p = parse_browser_message(R"({"t":"drive","steering":0,"throttle":"0.3"})");
  EXPECT_NE(p.error.find("throttle"), std::string::npos);
  p = parse_browser_message(R"({"t":"drive","steering":0})");
  EXPECT_FALSE(p.message);
}

TEST(WebBrowserMessage, a_command_keeps_its_fields_and_id_and_says_whether_it_needs_controls) {
  const auto p = parse_browser_message(R"({"t":"cmd","id":7,"cmd":"mode","mode":"user"})");
  ASSERT_TRUE(p.message) << p.error;
  EXPECT_EQ(p.message->request, (nlohmann::json{{"cmd", "mode"}, {"mode", "user"}}));
  EXPECT_EQ(p.message->id, 7);
  EXPECT_TRUE(p.message->needs_controls);
  for (const char* watcher : {"estop", "disarm", "status", "get"}) {
    const auto w = parse_browser_message(std::string(R"({"t":"cmd","cmd":")") + watcher + "\"}");
    ASSERT_TRUE(w.message) << watcher;
    EXPECT_FALSE(w.message->needs_controls) << watcher;
  }
}

TEST(WebBrowserMessage, listing_the_tub_needs_no_controls_but_changing_it_does) {
  const auto list = parse_browser_message(R"({"t":"cmd","cmd":"record","action":"list"})");
  ASSERT_TRUE(list.message);
  EXPECT_FALSE(list.message->needs_controls);
  const auto erase = parse_browser_message(
      R"({"t":"cmd","cmd":"record","action":"erase_range","first":1,"last":2})");
  ASSERT_TRUE(erase.message);
  EXPECT_TRUE(erase.message->needs_controls);
}

TEST(WebBrowserMessage, commands_a_page_may_not_send_are_refused) {
  for (const char* cmd : {"reload", "drive", "keygen", "nonsense"}) {
    const auto p = parse_browser_message(std::string(R"({"t":"cmd","cmd":")") + cmd + "\"}");
    EXPECT_FALSE(p.message) << cmd;
  }
  EXPECT_FALSE(parse_browser_message(R"({"t":"cmd","cmd":"arm","id":"x"})").message);
}

TEST(WebBrowserMessage, malformed_oversized_and_deep_messages_are_refused) {
  EXPECT_FALSE(parse_browser_message("not json").message);
  EXPECT_FALSE(parse_browser_message("[1,2]").message);
  EXPECT_FALSE(parse_browser_message(R"({"t":"fly"})").message);
  EXPECT_FALSE(parse_browser_message(R"({"t":5})").message);
  EXPECT_FALSE(parse_browser_message(std::string(17000, ' ') + "{}").message);
  EXPECT_FALSE(parse_browser_message(std::string(20, '[') + std::string(20, ']')).message);
  EXPECT_EQ(json_depth(R"({"a":"[[[[","b":[{}]})"), 3);
}

TEST(WebBrowserMessage, hello_names_are_short_and_printable) {
  ASSERT_TRUE(parse_browser_message(R"({"t":"hello","name":"phone 123"})").message);
  EXPECT_FALSE(parse_browser_message(R"({"t":"hello","name":"a\u0001b"})").message);
  EXPECT_FALSE(
      parse_browser_message("{\"t\":\"hello\",\"name\":\"" + std::string(41, 'x') + "\"}").message);
}

}  // namespace
}  // namespace rcpilot::web
