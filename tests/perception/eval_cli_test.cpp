// rcpilot-eval end to end: a tub recorded by rcpilot-sim, the bundled model, the real binaries.
#include <gtest/gtest.h>

#include "run_command.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <string>

#include <sys/wait.h>

#include "perception/tub_writer.hpp"
#include "test_support.hpp"

namespace rcpilot::perception {
namespace {

using test::CommandResult;

CommandResult run(const std::string& command) { return test::run_command(command); }

double number_after(const std::string& text, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(label + R"(\s*([0-9.]+))"))) return -1.0;
  return std::stod(m[1]);
}

const std::string kBin = std::string(RCPILOT_BINARY_DIR) + "/bin/";

TEST(EvalCli, bundled_model_follows_the_expert_on_a_recorded_sim_tub) {
  testing::TempDir dir;
  const std::string tub = dir.str("tub");
  const CommandResult record = run(kBin + "rcpilot-sim record --records 200 --out " + tub);
  ASSERT_EQ(record.rc, 0) << record.out;
  const CommandResult eval =
      run(kBin + "rcpilot-eval --tub " + tub + " --plot " + dir.str("plot.png"));
  ASSERT_EQ(eval.rc, 0) << eval.out;
  EXPECT_NE(eval.out.find("records evaluated: 200"), std::string::npos) << eval.out;
  const double steering_mae = number_after(eval.out, "steering MAE:");
  const double throttle_mae = number_after(eval.out, "throttle MAE:");
  EXPECT_GE(steering_mae, 0.0) << eval.out;
  EXPECT_LT(steering_mae, 0.1) << eval.out;  // trained on this simulator: close to the expert
  EXPECT_GE(throttle_mae, 0.0) << eval.out;
  EXPECT_LT(throttle_mae, 0.1) << eval.out;
  EXPECT_GT(number_after(eval.out, "inference: p50"), 0.0) << eval.out;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "plot.png"));
}

TEST(EvalCli, a_folder_that_is_not_a_tub_fails_with_a_message_naming_it) {
  testing::TempDir dir;
  const CommandResult eval = run(kBin + "rcpilot-eval --tub " + dir.str());
  EXPECT_EQ(eval.rc, 3) << eval.out;
  EXPECT_NE(eval.out.find(dir.str()), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find("manifest.json"), std::string::npos) << eval.out;
}

TEST(EvalCli, a_tub_without_user_labels_fails_naming_the_tub_and_prints_no_mae) {
  testing::TempDir dir;
  {
    TubWriter writer(dir.str("tub"));
    writer.write(cv::Mat(120, 160, CV_8UC3, cv::Scalar::all(90)), std::nanf(""), std::nanf(""),
                 "local", 1);
  }
  const CommandResult eval = run(kBin + "rcpilot-eval --tub " + dir.str("tub"));
  EXPECT_NE(eval.rc, 0) << eval.out;
  EXPECT_NE(eval.out.find(dir.str("tub")), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find("user/angle"), std::string::npos) << eval.out;
  EXPECT_EQ(eval.out.find("MAE: 0.0000"), std::string::npos) << eval.out;
}

}  // namespace
}  // namespace rcpilot::perception
