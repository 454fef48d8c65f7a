#include "operator/live_config.hpp"

#include <algorithm>
#include <utility>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rcpilot::vehicle {
namespace {

bool is_live(const std::string& path) {
  const config::KeyInfo* key = config::find_key(path);
  return key != nullptr && key->live;
}

}  // namespace

LiveConfig::LiveConfig(config::Config initial, std::string path, std::vector<std::string> overrides,
                       DriveState& drive, Apply apply)
    : current_(std::move(initial)),
      drive_(drive),
      path_(std::move(path)),
      overrides_(std::move(overrides)),
      apply_(std::move(apply)) {}

config::Config LiveConfig::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_locked();
}

config::Config LiveConfig::current_locked() const {
  config::Config cfg = current_;
  cfg.control.mode = drive_.mode();
  return cfg;
}

double LiveConfig::operator_timeout_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_.control.operator_timeout_ms;
}

ConfigChange LiveConfig::set(const std::vector<std::string>& assignments) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const std::string& assignment : assignments) {
    const std::string path = assignment.substr(0, assignment.find('='));
    if (config::find_key(path) != nullptr && !is_live(path)) {
      return {false,
              "not_live",
              path + " cannot change while rcpilot runs; edit the config file and restart",
              {},
              {}};
    }
  }
  try {
    const config::Config now = current_locked();
    const config::Config next = config::with_overrides(now, assignments, "set");
    return commit(next, config::differing_keys(now, next));
  } catch (const config::ConfigError& e) {
    return {false, "invalid", e.what(), {}, {}};
  }
}

ConfigChange LiveConfig::reload() {
  std::lock_guard<std::mutex> lock(mutex_);
  config::Config loaded;
  try {
    loaded = config::load_config(path_, overrides_);
  } catch (const config::ConfigError& e) {
    return {false, "bad_file", std::string("reload refused, nothing changed: ") + e.what(), {}, {}};
  }
  // Start from the running config and take only the live keys from the file.
  const config::Config now = current_locked();
  config::Config next = now;
  std::vector<std::string> live;
  std::vector<std::string> restart;
  for (const std::string& path : config::differing_keys(now, loaded)) {
    const config::KeyInfo& key = *config::find_key(path);
    if (key.live) {
      key.set(next, key.get(loaded));
      live.push_back(path);
    } else {
      restart.push_back(path);
    }
  }
  ConfigChange change = commit(next, std::move(live));
  change.restart_required = std::move(restart);
  return change;
}

ConfigChange LiveConfig::commit(const config::Config& next, std::vector<std::string> changed) {
  if (!changed.empty()) {
    if (std::find(changed.begin(), changed.end(), "control.mode") != changed.end()) {
      const Transition t = drive_.set_mode(next.control.mode);
      if (!t.ok) return {false, "refused", t.reason, {}, {}};
    }
    apply_(next, changed);
    current_ = next;
  }
  ConfigChange change;
  change.applied = std::move(changed);
  return change;
}

}  // namespace rcpilot::vehicle
