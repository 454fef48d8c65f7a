#pragma once
// Who may use rcpilot-web: the bind policy checked at start-up and the per-request token check.
// A browser cannot set headers on a WebSocket upgrade, so the token may come as the query
// parameter `token`, the header `X-Rcpilot-Token` or the cookie `rcpilot_token` (which the
// server sets when a page was opened with a valid token, so its scripts and socket carry it).
#include <string>
#include <string_view>

namespace rcpilot::web {

inline constexpr const char* kTokenCookie = "rcpilot_token";
inline constexpr const char* kTokenHeader = "X-Rcpilot-Token";

// True for addresses only this machine can reach: 127.0.0.0/8, ::1 and "localhost".
bool is_loopback_address(std::string_view address);
// "" when rcpilot-web may listen on `address` with `token`; otherwise why not and what to do
// (an address other than loopback needs a token of at least 12 characters).
std::string bind_problem(std::string_view address, std::string_view token);
// Compares in time that depends only on the lengths, not on where the texts first differ.
bool tokens_equal(std::string_view given, std::string_view expected);

// The parts of an HTTP request a token can come in.
struct RequestCredentials {
  std::string_view target;  // request target, e.g. "/ws?token=abc"
  std::string_view header;  // the X-Rcpilot-Token header's value; empty when absent
  std::string_view cookie;  // the Cookie header's value; empty when absent
};

// The token the request carries: query parameter, then header, then cookie; "" when none.
std::string token_of(const RequestCredentials& request);
// True when no token is configured or the request carries the expected one.
bool request_allowed(const RequestCredentials& request, std::string_view expected_token);
// The value of query parameter `name` in `target` (percent-decoded); "" when absent.
std::string query_parameter(std::string_view target, std::string_view name);
// The path part of a target without the query: "/ws?token=x" -> "/ws".
std::string_view target_path(std::string_view target);

}  // namespace rcpilot::web

namespace rcpilot::web {

// True when a WebSocket upgrade's Origin header is absent (not a browser) or names the same
// host the request was sent to, so a page from another site cannot drive the car through a
// browser on the operator's laptop.
bool origin_allowed(std::string_view origin, std::string_view host);

}  // namespace rcpilot::web
