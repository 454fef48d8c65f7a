#include "config/endpoint.hpp"

#include <cctype>

namespace rcpilot::config {
namespace {

std::string port_problem(const std::string& port) {
  if (port == "*") return "";
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return "port `" + port + "` is not a number 1..65535 or *";
  }
  const long value = std::stol(port);
  if (value < 1 || value > 65535) return "port " + port + " is not in 1..65535";
  return "";
}

// HOST:PORT after tcp://; HOST may be an IPv6 address in brackets.
std::string tcp_problem(const std::string& rest) {
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return "tcp:// needs HOST:PORT, e.g. tcp://127.0.0.1:5556";
  const std::string host = rest.substr(0, colon);
  if (host.empty() || host == "[]") return "tcp:// needs a host before the port (or *)";
  for (const char c : host) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) return "the host contains a space";
  }
  return port_problem(rest.substr(colon + 1));
}

}  // namespace

std::string endpoint_problem(const std::string& endpoint) {
  const auto scheme_end = endpoint.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : endpoint.substr(0, scheme_end);
  const std::string rest = scheme_end == std::string::npos ? "" : endpoint.substr(scheme_end + 3);
  if (scheme == "tcp") return tcp_problem(rest);
  if (scheme == "ipc" || scheme == "inproc") {
    return rest.empty() ? scheme + ":// needs a path or name after it" : "";
  }
  return "it must start with tcp://, ipc:// or inproc://";
}

}  // namespace rcpilot::config
