#include "web/access.hpp"

#include <cctype>

namespace rcpilot::web {
namespace {

constexpr std::size_t kMinTokenLength = 12;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// The value of cookie `name` in a Cookie header ("a=1; rcpilot_token=xyz").
std::string cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t end = header.find(';');
    const std::string_view part = trim(header.substr(0, end));
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return "";
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  if (address == "localhost" || address == "::1" || address == "[::1]") return true;
  if (address.substr(0, 4) != "127.") return false;
  for (char c : address) {
    if (c != '.' && !std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string bind_problem(std::string_view address, std::string_view token) {
  if (address.empty()) return "web.bind is empty: give an address such as 127.0.0.1";
  if (is_loopback_address(address)) return "";
  if (token.empty()) {
    return "web.bind " + std::string(address) +
           " is reachable from the network but web.token is empty: set web.token (or "
           "--token) to a secret of at least 12 characters, or bind to 127.0.0.1";
  }
  if (token.size() < kMinTokenLength) {
    return "web.token is shorter than 12 characters: use a longer secret (e.g. the output "
           "of `openssl rand -hex 16`)";
  }
  return "";
}

bool tokens_equal(std::string_view given, std::string_view expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    const char e = expected.empty() ? '\0' : expected[i % expected.size()];
    diff |= static_cast<unsigned char>(given[i] ^ e);
  }
  return diff == 0;
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::string query_parameter(std::string_view target, std::string_view name) {
  const std::size_t q = target.find('?');
  if (q == std::string_view::npos) return "";
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    const std::size_t end = query.find('&');
    const std::string_view part = query.substr(0, end);
    const std::size_t eq = part.find('=');
    if (part.substr(0, eq) == name) {
      return eq == std::string_view::npos ? "" : percent_decode(part.substr(eq + 1));
    }
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  return "";
}

std::string token_of(const RequestCredentials& request) {
  std::string token = query_parameter(request.target, "token");
  if (token.empty()) token = std::string(trim(request.header));
  if (token.empty()) token = cookie_value(request.cookie, kTokenCookie);
  return token;
}

bool request_allowed(const RequestCredentials& request, std::string_view expected_token) {
  if (expected_token.empty()) return true;
  return tokens_equal(token_of(request), expected_token);
}

}  // namespace rcpilot::web

namespace rcpilot::web {

bool origin_allowed(std::string_view origin, std::string_view host) {
  if (origin.empty()) return true;
  for (std::string_view scheme : {"http://", "https://"}) {
    if (origin.substr(0, scheme.size()) == scheme && origin.substr(scheme.size()) == host) {
      return true;
    }
  }
  return false;
}

}  // namespace rcpilot::web
