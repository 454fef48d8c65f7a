#include <gtest/gtest.h>

#include <filesystem>

#include "config/embedded_profile.hpp"
#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rcpilot::config {
namespace {

namespace fs = std::filesystem;

std::string profile(const std::string& name) {
  return std::string(RCPILOT_SOURCE_DIR) + "/config/profiles/" + name;
}

TEST(Profiles, the_sim_profile_loads) {
  const Config cfg = load_config(profile("sim.yaml"), {});
  EXPECT_EQ(cfg.camera.source, config::CameraSource::kSim);
  EXPECT_EQ(cfg.control.mode, config::DriveMode::kLocal);
  EXPECT_EQ(cfg.source_path, profile("sim.yaml"));
}

TEST(Profiles, the_jetson_nano_profile_loads_as_a_manual_start_real_car) {
  const Config cfg = load_config(profile("jetson-nano.yaml"), {});
  EXPECT_GE(cfg.camera.fps, 30);
  EXPECT_LE(cfg.camera.fps, 60);
  EXPECT_EQ(cfg.control.mode, config::DriveMode::kUser);
  EXPECT_EQ(cfg.model.threads, 4);
  EXPECT_EQ(cfg.telemetry.endpoint, "tcp://0.0.0.0:5556");
}

TEST(Profiles, the_embedded_default_equals_loading_config_profiles_sim_yaml) {
  const Config embedded = load_config("", {});
  const Config file = load_config(profile("sim.yaml"), {});
  EXPECT_TRUE(differing_keys(embedded, file).empty());
  EXPECT_EQ(embedded.source_path, "<embedded sim.yaml>");
  EXPECT_EQ(fs::weakly_canonical(embedded.base_dir), fs::weakly_canonical(file.base_dir));
  EXPECT_EQ(embedded.base_dir, embedded_profile_dir());
}

TEST(Profiles, relative_paths_in_the_sim_profile_point_into_the_source_tree) {
  const Config cfg = load_config("", {});
  const fs::path root = fs::weakly_canonical(RCPILOT_SOURCE_DIR);
  EXPECT_EQ(fs::path(resolve_path(cfg, cfg.model.path)), root / "models/linear.onnx");
  EXPECT_EQ(fs::path(resolve_path(cfg, cfg.sim.track)), root / "sim/tracks/default.yaml");
}

}  // namespace
}  // namespace rcpilot::config
