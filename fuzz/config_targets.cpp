// Fuzz targets for the configuration: the YAML file, `--set` and SIGHUP reload.
#include <nlohmann/json.hpp>

#include "config/loader.hpp"
#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "operator/live_config.hpp"

namespace rcpilot::fuzz {
namespace {

constexpr std::size_t kMaxOverrides = 16;  // `--set` arguments per input

const config::Config& embedded_profile() {
  static const config::Config base = config::load_config("", {});
  return base;
}

}  // namespace

int config_yaml(const std::uint8_t* data, std::size_t size) {
  const std::string path = fresh_scratch_dir() + "/node.yaml";
  write_file(path, text_of(data, size));
  config::Config cfg;
  try {
    cfg = config::load_config(path, {});
  } catch (const config::ConfigError&) {
    return 0;  // refused with a message: what bad input must get
  }
  // What --print-config prints of an accepted file loads again.
  write_file(path, config::to_yaml(cfg));
  (void)config::load_config(path, {});
  return 0;
}

int config_set(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> overrides = split(text_of(data, size), "\n");
  if (overrides.size() > kMaxOverrides) overrides.resize(kMaxOverrides);
  try {
    (void)config::load_config("", overrides);
  } catch (const config::ConfigError&) {
  }
  try {
    (void)config::with_overrides(embedded_profile(), overrides, "set");
  } catch (const config::ConfigError&) {
  }
  return 0;
}

int live_reload(const std::uint8_t* data, std::size_t size) {
  const std::string path = fresh_scratch_dir() + "/node.yaml";
  write_file(path, "control:\n  mode: user\n");
  const config::Config start = config::load_config(path, {});
  int applied = 0;
  vehicle::DriveState drive(start.control.mode);
  vehicle::LiveConfig live(
      start, path, {}, drive,
      [&applied](const config::Config&, const std::vector<std::string>&) { ++applied; });
  write_file(path, text_of(data, size));
  const vehicle::ConfigChange change = live.reload();
  if (!change.ok) {
    check(applied == 0 && !change.error.empty());
    check(config::to_yaml(live.current()) == config::to_yaml(start));
    // The node publishes the error as an event: it must print whatever bytes it quotes.
    const nlohmann::json event = {{"type", "warning"}, {"message", change.error}};
    (void)event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}

}  // namespace rcpilot::fuzz
