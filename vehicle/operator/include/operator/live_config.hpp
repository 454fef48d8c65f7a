#pragma once
// The node's configuration while it runs. Only the schema's `live` keys (trims, gains, limits,
// throttle multiplier, mode, ...) may change: through the control API's `set` or by reloading
// the file (SIGHUP, control API `reload`). A change is validated like the file itself and then
// applied whole, or refused whole with a reason; anything else changed in the file is reported
// as needing a restart and left alone.
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "control/drive_state.hpp"

namespace rcpilot::vehicle {

struct ConfigChange {
  bool ok = true;
  std::string code;                           // !ok: not_live, invalid, refused or bad_file
  std::string error;                          // !ok: why nothing changed
  std::vector<std::string> applied;           // live keys whose value changed
  std::vector<std::string> restart_required;  // reload: keys that changed but are not live
};

class LiveConfig {
 public:
  // Puts accepted tunables into effect; `changed` lists the live keys that differ from the
  // current config.
  using Apply = std::function<void(const config::Config& next,
                                   const std::vector<std::string>& changed)>;

  // `path` and `overrides` are what the node was started with (--config, --set): a reload reads
  // the same file and applies the same overrides on top. `drive` owns the drive mode: a change
  // of control.mode (set, reload) goes to it first and may be refused, and current() reports
  // the mode it holds (whoever changed it: the `mode` command, the gamepad, a reload).
  LiveConfig(config::Config initial, std::string path, std::vector<std::string> overrides,
             DriveState& drive, Apply apply);

  // The config in force, with the drive mode in force.
  config::Config current() const;
  // control.operator_timeout_ms in force (the dead-man), without copying the whole config.
  double operator_timeout_ms() const;
  // Sets live keys: `assignments` are "section.key=value" with the value as YAML scalar text.
  ConfigChange set(const std::vector<std::string>& assignments);
  // Reads the config file again; applies its live keys, reports the others.
  ConfigChange reload();

 private:
  ConfigChange commit(const config::Config& next, std::vector<std::string> changed);
  config::Config current_locked() const;

  mutable std::mutex mutex_;  // one change at a time
  config::Config current_;    // control.mode aside: DriveState holds it
  DriveState& drive_;
  const std::string path_;
  const std::vector<std::string> overrides_;
  const Apply apply_;
};

}  // namespace rcpilot::vehicle
