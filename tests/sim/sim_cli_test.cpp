// rcpilot-sim end to end: generated tracks that the other subcommands read, renders with
// realism effects from the command line, and the evaluation suite's JSON.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

// stdout alone (the log, on stderr, is dropped): for --json.
CommandResult run_stdout(const std::string& args) {
  return test::run_command("{ " + kSim + " " + args + " 2>/dev/null; }");
}

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

// Every figure docs/simulator.md lists, for the driver, the expert and overall.
void expect_suite_fields(const nlohmann::json& run) {
  for (const char* key :
       {"laps", "off_track_events", "off_track_s", "mean_abs_cte_m", "max_abs_cte_m", "mean_cte_m",
        "mean_lap_s", "best_lap_s", "mean_speed_mps"}) {
    EXPECT_TRUE(run.contains(key)) << key << " missing in " << run.dump();
  }
}

TEST_F(SimCli, evaluate_suite_json_gives_every_figure_and_the_expert_is_one_times_itself) {
  const CommandResult r =
      run_stdout("evaluate --suite --expert-only --only eval9001-w0.8-p+0 --json");
  ASSERT_EQ(r.rc, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["driver"], "expert");
  EXPECT_EQ(j["laps"], 1);
  ASSERT_EQ(j["conditions"].size(), 1u);
  const nlohmann::json& c = j["conditions"][0];
  EXPECT_EQ(c["name"], "eval9001-w0.8-p+0");
  EXPECT_DOUBLE_EQ(c["road_width_m"].get<double>(), 0.8);
  expect_suite_fields(c["driver"]);
  expect_suite_fields(c["expert"]);
  expect_suite_fields(j["overall"]["driver"]);
  EXPECT_EQ(c["driver"]["laps"], 1);
  EXPECT_EQ(c["driver"]["off_track_events"], 0);
  EXPECT_DOUBLE_EQ(c["ratio"]["mean_abs_cte"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(c["ratio"]["mean_lap_s"].get<double>(), 1.0);
  EXPECT_TRUE(j["overall"]["goals"]["no_off_track"].get<bool>());
  EXPECT_EQ(j["overall"]["conditions_meeting_goals"], 1);
}

TEST_F(SimCli, evaluate_suite_drives_the_bundled_model_on_a_condition_and_prints_the_table) {
  const CommandResult r = run("evaluate --suite --only eval9003-w0.8-p+0");
  ASSERT_EQ(r.rc, 0) << r.out;
  EXPECT_NE(r.out.find("evaluation suite: 1 conditions, 1 lap(s) each, driver model"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("eval9003-w0.8-p+0  model"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("goals: no off-track"), std::string::npos) << r.out;
}

TEST_F(SimCli, evaluate_suite_refuses_a_filter_that_matches_nothing_and_options_it_ignores) {
  const CommandResult r = run("evaluate --suite --expert-only --only w9.9");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.out.find("--only w9.9"), std::string::npos) << r.out;
  EXPECT_EQ(run("evaluate --json --expert-only").rc, 2);
  const CommandResult with_track = run("evaluate --suite --expert-only --track x.yaml");
  EXPECT_EQ(with_track.rc, 2);
  EXPECT_NE(with_track.out.find("--track"), std::string::npos) << with_track.out;
}

}  // namespace
}  // namespace rcpilot::sim
