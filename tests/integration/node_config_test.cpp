// The real rcpilot binary refuses bad configs with exit code 2 and a message that says where.
#include <gtest/gtest.h>

#include "process.hpp"

namespace rcpilot::testing {
namespace {

const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
const std::string kProfiles = RCPILOT_SOURCE_DIR "/config/profiles";
constexpr int kConfigError = 2;

struct NodeConfigTest : ::testing::Test {
  std::string dir = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::string config(const std::string& text) {
    const std::string path = dir + "/rcpilot.yaml";
    write_file(path, text);
    return path;
  }
  // Runs --check-config on `path`; expects exit code 2 and every fragment in the message.
  void expect_config_error(const std::vector<std::string>& args,
                           const std::vector<std::string>& fragments) {
    const auto [code, out] = run(kRcpilot, args);
    EXPECT_EQ(code, kConfigError) << out;
    for (const auto& f : fragments) EXPECT_NE(out.find(f), std::string::npos) << f << "\n" << out;
  }
};

TEST_F(NodeConfigTest, shipped_profiles_pass_check_config) {
  for (const char* profile : {"sim.yaml", "jetson-nano.yaml"}) {
    const auto [code, out] = run(kRcpilot, {"--config", kProfiles + "/" + profile,
                                            "--check-config"});
    EXPECT_EQ(code, 0) << profile << "\n" << out;
  }
}

TEST_F(NodeConfigTest, a_yaml_syntax_error_names_file_line_and_column) {
  const auto path = config("camera:\n  fps: [30\ncontrol:\n  rate_hz: 50\n");
  expect_config_error({"--config", path, "--check-config"}, {path + ":"});
}

TEST_F(NodeConfigTest, an_unknown_key_is_an_error_with_a_suggestion) {
  const auto path = config("camera:\n  fsp: 30\n");
  expect_config_error({"--config", path, "--check-config"},
                      {path + ":2:", "camera.fsp", "camera.fps"});
}

TEST_F(NodeConfigTest, a_wrong_type_names_the_key_and_expected_type) {
  const auto path = config("control:\n  rate_hz: fast\n");
  expect_config_error({"--config", path, "--check-config"}, {path + ":2:", "control.rate_hz",
                                                             "fast"});
}

TEST_F(NodeConfigTest, an_out_of_range_value_names_the_range) {
  const auto path = config("control:\n  rate_hz: 5000\n");
  expect_config_error({"--config", path, "--check-config"}, {path + ":2:", "control.rate_hz",
                                                             "1000"});
}

TEST_F(NodeConfigTest, a_missing_file_is_named) {
  expect_config_error({"--config", dir + "/nope.yaml", "--check-config"}, {dir + "/nope.yaml"});
}

TEST_F(NodeConfigTest, a_bad_override_is_named) {
  expect_config_error({"--set", "control.rate=50", "--check-config"},
                      {"control.rate", "control.rate_hz"});
}

TEST_F(NodeConfigTest, a_config_error_never_starts_the_node) {
  // --duration would drive for a second if the node started; a config error must stop it first.
  const auto path = config("control:\n  mode: autopilot\n");
  const auto [code, out] = run(kRcpilot, {"--config", path, "--duration", "1"});
  EXPECT_EQ(code, kConfigError) << out;
  EXPECT_EQ(out.find("driving"), std::string::npos) << out;
}

TEST_F(NodeConfigTest, print_config_output_loads_again) {
  const auto [code, printed] = run(kRcpilot, {"--set", "control.rate_hz=20", "--print-config"});
  ASSERT_EQ(code, 0) << printed;
  const auto path = config(printed);
  const auto [code2, out2] = run(kRcpilot, {"--config", path, "--print-config"});
  EXPECT_EQ(code2, 0) << out2;
  EXPECT_NE(out2.find("rate_hz: 20"), std::string::npos) << out2;
}

}  // namespace
}  // namespace rcpilot::testing
