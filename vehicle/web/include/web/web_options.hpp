#pragma once
// rcpilot-web's settings: the `web` section of the node's config and the node's endpoints,
// which the command line may override.
#include <string>

#include "config/config.hpp"

namespace rcpilot::web {

// The address a client connects to for a ZeroMQ bind address: a wildcard host (`*`, 0.0.0.0,
// ::) becomes loopback; anything else is kept.
std::string connect_address(const std::string& bind_endpoint);
// /api/schema: every key's section, name, type, unit, range or choices, live flag and meaning
// (web.token is left out: a page never needs to read it).
std::string schema_json();

}  // namespace rcpilot::web
