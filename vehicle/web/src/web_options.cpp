#include "web/web_options.hpp"

#include <nlohmann/json.hpp>

#include "config/schema.hpp"

namespace rcpilot::web {

std::string connect_address(const std::string& bind_endpoint) {
  for (const char* wildcard : {"tcp://*:", "tcp://0.0.0.0:", "tcp://[::]:", "tcp://:::"}) {
    const std::string prefix = wildcard;
    if (bind_endpoint.compare(0, prefix.size(), prefix) == 0) {
      return "tcp://127.0.0.1:" + bind_endpoint.substr(prefix.size());
    }
  }
  return bind_endpoint;
}

std::string schema_json() {
  nlohmann::json keys = nlohmann::json::array();
  for (const config::KeyInfo& key : config::schema().keys) {
    if (key.path() == "web.token") continue;
    nlohmann::json k = {{"key", key.path()}, {"type", config::type_name(key.type)},
                        {"unit", key.unit},  {"live", key.live},
                        {"doc", key.doc},    {"range", config::range_text(key)}};
    if (key.type == config::ValueType::kInt || key.type == config::ValueType::kDouble) {
      k["min"] = key.min;
      k["max"] = key.max;
    }
    if (!key.choices.empty()) k["choices"] = key.choices;
    keys.push_back(std::move(k));
  }
  return nlohmann::json{{"keys", keys}}.dump();
}

}  // namespace rcpilot::web
