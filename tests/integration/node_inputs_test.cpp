// The real rcpilot binary on inputs a careless or hostile user gives it: files that are not
// config files, --check-config on settings the node would refuse, model paths that are not
// model files, and --duration values that are not durations. Each ends quickly with a message
// naming what to fix (issue 13).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "process.hpp"

namespace rcpilot::testing {
namespace {

const std::string kRcpilot = RCPILOT_BINARY_DIR "/bin/rcpilot";
constexpr int kConfigError = 2;
constexpr int kStartupError = 3;
constexpr double kTimeoutS = 60;  // generous: only a hang reaches it (run() returns -1)

struct NodeInputTest : ::testing::Test {
  std::string dir = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  void expect_failure(const std::vector<std::string>& args, int expected_code,
                      const std::vector<std::string>& fragments) {
    const auto [code, out] = run(kRcpilot, args, kTimeoutS);
    EXPECT_EQ(code, expected_code) << out;
    for (const auto& f : fragments) EXPECT_NE(out.find(f), std::string::npos) << f << "\n" << out;
    EXPECT_EQ(out.find("config and model OK"), std::string::npos) << out;
  }
};

TEST_F(NodeInputTest, config_dev_zero_is_refused_with_a_message) {
  expect_failure({"--config", "/dev/zero", "--check-config"}, kConfigError,
                 {"/dev/zero", "not a regular file"});
}

TEST_F(NodeInputTest, config_on_a_fifo_is_refused_instead_of_hanging) {
  const std::string fifo = dir + "/rcpilot.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_failure({"--config", fifo, "--duration", "1"}, kConfigError, {fifo, "not a regular file"});
}

TEST_F(NodeInputTest, check_config_refuses_a_public_control_endpoint_without_curve) {
  expect_failure({"--set", "control_api.enabled=true", "--set",
                  "control_api.endpoint=tcp://0.0.0.0:5599", "--check-config"},
                 kConfigError, {"control_api.endpoint", "curve_secret_key"});
}

TEST_F(NodeInputTest, check_config_refuses_a_secret_key_path_that_is_a_folder) {
  write_file(dir + "/authorized.keys",
             "public-key = \"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\"\n");
  expect_failure(
      {"--set", "control_api.enabled=true", "--set", "control_api.curve_secret_key=" + dir, "--set",
       "control_api.curve_authorized_keys=" + dir + "/authorized.keys", "--check-config"},
      kConfigError, {"control_api", dir, "is a directory"});
}

TEST_F(NodeInputTest, an_empty_config_names_model_path_and_where_relative_paths_start) {
  write_file(dir + "/rcpilot.yaml", "");
  expect_failure({"--config", dir + "/rcpilot.yaml", "--check-config"}, kStartupError,
                 {"model.path", "(the default)", "config file's folder", dir});
}

TEST_F(NodeInputTest, a_model_path_that_is_a_folder_says_so) {
  expect_failure({"--set", "model.path=" + dir, "--check-config"}, kStartupError,
                 {"model.path", "is a folder"});
}

TEST_F(NodeInputTest, duration_nan_and_negative_are_refused_saying_what_to_pass) {
  for (const char* bad : {"nan", "-1", "inf"}) {
    expect_failure({"--duration", bad, "--check-config"}, kConfigError,
                   {"--duration", "pass a number of seconds"});
  }
}

TEST_F(NodeInputTest, telemetry_endpoint_with_a_port_beyond_65535_is_refused) {
  expect_failure({"--set", "telemetry.endpoint=tcp://127.0.0.1:99999", "--check-config"},
                 kConfigError, {"telemetry.endpoint", "99999", "1..65535"});
}

}  // namespace
}  // namespace rcpilot::testing
