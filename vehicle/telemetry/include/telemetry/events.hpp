#pragma once
// How the node's parts report what happened: an `event` for telemetry and the log.
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace rcpilot::vehicle {

// Publishes an `event` (telemetry): kind, text, details.
using EventFn =
    std::function<void(const std::string& kind, const std::string& text, const nlohmann::json&)>;

}  // namespace rcpilot::vehicle
