#include "config/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "config/schema.hpp"
#include "temp_dir.hpp"

namespace rcpilot::config {
namespace {

using LoaderTest = test::TempDirTest;

TEST_F(LoaderTest, keys_missing_from_the_file_take_their_defaults) {
  const Config cfg = load_config(write_file("c.yaml", "camera:\n  fps: 60\n"), {});
  EXPECT_EQ(cfg.camera.fps, 60);
  EXPECT_EQ(differing_keys(cfg, Config{}), std::vector<std::string>{"camera.fps"});
}

TEST_F(LoaderTest, an_empty_file_and_an_empty_section_mean_all_defaults) {
  EXPECT_TRUE(differing_keys(load_config(write_file("e.yaml", ""), {}), Config{}).empty());
  const std::string commented = "camera:\n  # fps: 60\nlog:\n";
  EXPECT_TRUE(differing_keys(load_config(write_file("c.yaml", commented), {}), Config{}).empty());
}

TEST_F(LoaderTest, source_path_and_base_dir_name_the_file_and_its_folder) {
  const std::string path = write_file("c.yaml", "log:\n  level: debug\n");
  const Config cfg = load_config(path, {});
  EXPECT_EQ(cfg.source_path, path);
  EXPECT_EQ(std::filesystem::path(cfg.base_dir), dir_.lexically_normal());
}

TEST_F(LoaderTest, overrides_apply_after_the_file_and_the_last_one_wins) {
  const std::string path = write_file("c.yaml", "camera:\n  fps: 60\ncontrol:\n  mode: local\n");
  const Config cfg = load_config(path, {"control.mode=user", "camera.fps=45", "camera.fps=50",
                                        "telemetry.endpoint=tcp://0.0.0.0:5556",
                                        "telemetry.enabled=false", "model.metadata="});
  EXPECT_EQ(cfg.control.mode, config::DriveMode::kUser);
  EXPECT_EQ(cfg.camera.fps, 50);
  EXPECT_EQ(cfg.telemetry.endpoint, "tcp://0.0.0.0:5556");
  EXPECT_FALSE(cfg.telemetry.enabled);
  EXPECT_EQ(cfg.model.metadata, "");
}

TEST_F(LoaderTest, overrides_are_validated_like_the_file) {
  EXPECT_THROW(load_config("", {"camera.fps=0"}), ConfigError);
  EXPECT_THROW(load_config("", {"camera.width=wide"}), ConfigError);
  EXPECT_THROW(load_config("", {"control.mode=auto"}), ConfigError);
  EXPECT_THROW(load_config("", {"model.path="}), ConfigError);
}

TEST_F(LoaderTest, numbers_may_be_written_as_integers_for_double_keys) {
  const Config cfg = load_config(write_file("c.yaml", "control:\n  steering_gain: 2\n"), {});
  EXPECT_EQ(cfg.control.steering_gain, 2.0);
}

// Every key at its extremes and with awkward strings survives to_yaml and load_config.
TEST_F(LoaderTest, to_yaml_round_trips_every_key) {
  Config cfg;
  for (const KeyInfo& key : schema().keys) {
    if (key.type == ValueType::kInt) key.set(cfg, static_cast<long long>(key.max));
    if (key.type == ValueType::kDouble) key.set(cfg, key.min + (key.max - key.min) / 3);
    if (key.type == ValueType::kBool) key.set(cfg, !std::get<bool>(key.default_value()));
    if (key.type == ValueType::kEnum) key.set(cfg, key.choices.back());
    if (key.type == ValueType::kString) {  // endpoints must stay endpoints (key.check)
      key.set(cfg, std::string(key.check ? "ipc://" : "") + "dir with: colon #hash \"q\" \\ 'x'.y");
    }
  }
  for (const Constraint& rule : schema().constraints) {  // keep cross-key rules satisfied
    const KeyInfo& lower = *find_key(rule.lower);
    const KeyInfo& upper = *find_key(rule.upper);
    lower.set(cfg, lower.type == ValueType::kInt ? Value(static_cast<long long>(lower.min))
                                                 : Value(lower.min));
    upper.set(cfg, upper.type == ValueType::kInt ? Value(static_cast<long long>(upper.max))
                                                 : Value(upper.max));
  }
  // The last driver, pca9685, has rules of its own that these extremes break (one channel for
  // both, equal steering ticks): a driver without such rules keeps the round trip about YAML.
  cfg.motor.driver = MotorDriver::kNative;
  const Config back = load_config(write_file("round.yaml", to_yaml(cfg)), {});
  EXPECT_TRUE(differing_keys(back, cfg).empty()) << to_yaml(cfg);
  const Config defaults = load_config(write_file("defaults.yaml", to_yaml(Config{})), {});
  EXPECT_TRUE(differing_keys(defaults, Config{}).empty());
}

TEST_F(LoaderTest, to_yaml_lists_every_key_with_its_unit) {
  const std::string yaml = to_yaml(load_config("", {}));
  for (const KeyInfo& key : schema().keys) {
    EXPECT_NE(yaml.find("  " + key.name + ": "), std::string::npos) << key.path();
  }
  EXPECT_NE(yaml.find("fps: 30  "), std::string::npos);
  EXPECT_NE(yaml.find("[Hz, 1 .. 240]"), std::string::npos);
}

TEST_F(LoaderTest, resolve_path_joins_relative_paths_to_the_config_folder) {
  Config cfg;
  cfg.base_dir = "/etc/rcpilot/profiles";
  EXPECT_EQ(resolve_path(cfg, "../../models/m.onnx"), "/etc/models/m.onnx");
  EXPECT_EQ(resolve_path(cfg, "tracks/t.yaml"), "/etc/rcpilot/profiles/tracks/t.yaml");
  EXPECT_EQ(resolve_path(cfg, "/opt/m.onnx"), "/opt/m.onnx");
  EXPECT_EQ(resolve_path(cfg, ""), "");
}

}  // namespace
}  // namespace rcpilot::config
