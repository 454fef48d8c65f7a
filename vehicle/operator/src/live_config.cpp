#include "operator/live_config.hpp"

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
                       Apply apply)
    : current_(std::move(initial)),
      path_(std::move(path)),
      overrides_(std::move(overrides)),
      apply_(std::move(apply)) {}

config::Config LiveConfig::current() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
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
    const config::Config next = config::with_overrides(current_, assignments, "set");
    return commit(next, config::differing_keys(current_, next));
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
  config::Config next = current_;
  std::vector<std::string> live;
  std::vector<std::string> restart;
  for (const std::string& path : config::differing_keys(current_, loaded)) {
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
    const Transition t = apply_(next, changed);
    if (!t.ok) return {false, "refused", t.reason, {}, {}};
    current_ = next;
  }
  ConfigChange change;
  change.applied = std::move(changed);
  return change;
}

}  // namespace rcpilot::vehicle
