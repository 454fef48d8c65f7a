#pragma once
// ZeroMQ bind addresses as the config accepts them (telemetry.endpoint, control_api.endpoint).
#include <string>

namespace rcpilot::config {

// "" when `endpoint` is tcp://HOST:PORT (PORT 1..65535 or *), ipc://PATH or inproc://NAME;
// otherwise what is wrong with it, in words (e.g. "port 99999 is not in 1..65535").
std::string endpoint_problem(const std::string& endpoint);

}  // namespace rcpilot::config
