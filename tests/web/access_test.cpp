#include <gtest/gtest.h>

#include "web/access.hpp"

namespace rcpilot::web {
namespace {

TEST(WebAccess, loopback_addresses_need_no_token) {
  EXPECT_EQ(bind_problem("127.0.0.1", ""), "");
  EXPECT_EQ(bind_problem("::1", ""), "");
  EXPECT_EQ(bind_problem("localhost", ""), "");
  EXPECT_TRUE(is_loopback_address("127.1.2.3"));
  EXPECT_FALSE(is_loopback_address("127.example.com"));
}

TEST(WebAccess, a_network_bind_without_token_is_refused_naming_the_keys) {
  const std::string problem = bind_problem("0.0.0.0", "");
  EXPECT_NE(problem.find("web.bind 0.0.0.0"), std::string::npos) << problem;
  EXPECT_NE(problem.find("web.token"), std::string::npos) << problem;
  EXPECT_NE(bind_problem("192.168.1.5", "short"), "");
  EXPECT_EQ(bind_problem("192.168.1.5", "a-long-enough-secret"), "");
  EXPECT_NE(bind_problem("", ""), "");
}

TEST(WebAccess, tokens_compare_equal_only_when_identical) {
  EXPECT_TRUE(tokens_equal("secret-token-1", "secret-token-1"));
  EXPECT_FALSE(tokens_equal("secret-token-2", "secret-token-1"));
  EXPECT_FALSE(tokens_equal("secret-token", "secret-token-1"));
  EXPECT_FALSE(tokens_equal("", "secret-token-1"));
  EXPECT_FALSE(tokens_equal("x", ""));
}

TEST(WebAccess, the_token_may_come_as_query_header_or_cookie) {
  const std::string t = "abcdefghijkl";
  EXPECT_TRUE(request_allowed({"/ws?token=abcdefghijkl", "", ""}, t));
  EXPECT_TRUE(request_allowed({"/?a=1&token=abcdefghijkl&b=2", "", ""}, t));
  EXPECT_TRUE(request_allowed({"/app.js", "abcdefghijkl", ""}, t));
  EXPECT_TRUE(request_allowed({"/app.js", "", "x=1; rcpilot_token=abcdefghijkl"}, t));
  EXPECT_FALSE(request_allowed({"/app.js", "", ""}, t));
  EXPECT_FALSE(request_allowed({"/?token=abcdefghijkX", "", ""}, t));
  EXPECT_FALSE(request_allowed({"/", "", "rcpilot_token=wrong"}, t));
  EXPECT_TRUE(request_allowed({"/", "", ""}, ""));
}

TEST(WebAccess, query_parameters_are_percent_decoded) {
  EXPECT_EQ(query_parameter("/?token=a%2Bb%20c", "token"), "a+b c");
  EXPECT_EQ(query_parameter("/?token=%zz%4", "token"), "%zz%4");
  EXPECT_EQ(query_parameter("/?other=1", "token"), "");
  EXPECT_EQ(target_path("/ws?token=x"), "/ws");
}

TEST(WebAccess, websocket_origin_must_be_the_server_itself) {
  EXPECT_TRUE(origin_allowed("", "car.local:8887"));
  EXPECT_TRUE(origin_allowed("http://car.local:8887", "car.local:8887"));
  EXPECT_FALSE(origin_allowed("http://evil.example", "car.local:8887"));
  EXPECT_FALSE(origin_allowed("http://car.local:8887.evil", "car.local:8887"));
}

}  // namespace
}  // namespace rcpilot::web
