// rcpilot-sim end to end: generated tracks that the other subcommands read, and renders with
// realism effects from the command line.
#include <gtest/gtest.h>

#include "run_command.hpp"

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

namespace rcpilot::sim {
namespace {

const std::string kSim = std::string(RCPILOT_BINARY_DIR) + "/bin/rcpilot-sim";

using test::CommandResult;

CommandResult run(const std::string& args) { return test::run_command(kSim + " " + args); }

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SimCli : public ::testing::Test {
 protected:
  void SetUp() override { std::filesystem::create_directories(dir_); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_ = "/tmp/rcpilot-sim-cli-" + std::to_string(getpid());
};

TEST_F(SimCli, generate_track_writes_the_same_file_for_a_seed_and_evaluate_drives_it) {
  const std::string a = dir_ + "/a.yaml", b = dir_ + "/b.yaml";
  ASSERT_EQ(run("generate-track --seed 9 --out " + a).rc, 0);
  ASSERT_EQ(run("generate-track --seed 9 --out " + b).rc, 0);
  EXPECT_EQ(slurp(a), slurp(b));
  const CommandResult eval = run("evaluate --expert-only --laps 1 --track " + a);
  ASSERT_EQ(eval.rc, 0) << eval.out;
  EXPECT_NE(eval.out.find("laps 1"), std::string::npos) << eval.out;
  EXPECT_NE(eval.out.find("off-track 0"), std::string::npos) << eval.out;
}

TEST_F(SimCli, generate_track_refuses_impossible_limits_with_the_reason) {
  const CommandResult r =
      run("generate-track --seed 1 --min-radius 0.2 --max-width 1.2 --out " + dir_ + "/x.yaml");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("minimum radius"), std::string::npos) << r.out;
}

TEST_F(SimCli, render_takes_realism_effects_from_the_config) {
  const std::string plain = dir_ + "/plain.png", fx = dir_ + "/fx.png";
  ASSERT_EQ(run("render --out " + plain).rc, 0);
  const CommandResult r = run("render --speed 2 --out " + fx +
                              " --set sim.lens=wide160 --set sim.noise_std=5 --set "
                              "sim.exposure_ms=10 --set sim.jpeg_quality=50");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(slurp(plain), slurp(fx));
  const CommandResult bad = run("render --out " + fx + " --set sim.lens=wide999");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_NE(bad.out.find("sim.lens"), std::string::npos) << bad.out;
}

}  // namespace
}  // namespace rcpilot::sim
