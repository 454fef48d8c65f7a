#include "operator/control_api_check.hpp"

#include "config/loader.hpp"  // ConfigError, resolve_path
#include "ctl/curve_keys.hpp"
#include "operator/control_server.hpp"  // is_local_endpoint

namespace rcpilot::vehicle {

config::ControlApiConfig resolved_control_api(const config::Config& cfg) {
  config::ControlApiConfig api = cfg.control_api;
  api.curve_secret_key = config::resolve_path(cfg, api.curve_secret_key);
  api.curve_authorized_keys = config::resolve_path(cfg, api.curve_authorized_keys);
  return api;
}

void check_control_api(const config::ControlApiConfig& api) {
  const bool wants_curve = !api.curve_secret_key.empty();
  if (!wants_curve && !is_local_endpoint(api.endpoint)) {
    throw config::ConfigError(
        "control_api.endpoint '" + api.endpoint +
        "' is reachable from other machines: set control_api.curve_secret_key and "
        "control_api.curve_authorized_keys (make keys with `rcpilot-ctl keygen`), or bind to "
        "tcp://127.0.0.1");
  }
  if (!wants_curve) return;
  if (api.curve_authorized_keys.empty()) {
    throw config::ConfigError(
        "control_api.curve_secret_key is set but control_api.curve_authorized_keys is empty: "
        "list the client public keys allowed to connect");
  }
  try {
    (void)read_secret_key_file(api.curve_secret_key);
    (void)read_authorized_keys(api.curve_authorized_keys);
  } catch (const KeyFileError& e) {
    throw config::ConfigError(std::string("control_api: ") + e.what());
  }
}

void check_control_api_config(const config::Config& cfg) {
  if (cfg.control_api.enabled) check_control_api(resolved_control_api(cfg));
}

}  // namespace rcpilot::vehicle
