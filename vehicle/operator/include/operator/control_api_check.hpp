#pragma once
// The control API's security settings checked without binding anything: what ControlServer
// refuses at start-up, so --check-config can refuse the same settings (docs/control.md).
#include "config/config.hpp"

namespace rcpilot::vehicle {

// `cfg.control_api` with its key file paths resolved against the config's folder, as the node
// uses them.
config::ControlApiConfig resolved_control_api(const config::Config& cfg);

// Throws config::ConfigError naming the control_api key when ControlServer would refuse `api`:
// an endpoint other machines can reach without CURVE keys, CURVE without authorized keys, or a
// key file that is missing, not a file or not a valid key file. Reads the key files. Paths must
// be resolved already (resolved_control_api).
void check_control_api(const config::ControlApiConfig& api);

// For --check-config: check_control_api(resolved_control_api(cfg)) when control_api.enabled.
void check_control_api_config(const config::Config& cfg);

}  // namespace rcpilot::vehicle
