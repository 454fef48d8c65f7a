// The command-line parser every program uses (Boost.Program_options underneath): options,
// positionals, commands, the checks, and the exit codes (0 after --help, 2 for bad input).
#include "config/command_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rcpilot::cli {
namespace {

// Parses `args` (without the program name) and returns what parse() returned.
std::optional<int> parse(CommandLine& command_line, std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return command_line.parse(static_cast<int>(argv.size()), argv.data());
}

struct Motor {
  std::string config;
  std::vector<std::string> overrides;
  double max_throttle = 0.3;
  double throttle = 0.15;
  double for_s = 0.0;
  CommandLine command_line{"prog", "a program with commands"};

  Motor() {
    add_config_options(command_line.options(), &config, &overrides);
    command_line.options().option(
        "max-throttle", po::value(&max_throttle)->notifier(in_range("--max-throttle", 0.01, 1.0)),
        "cap");
    command_line.allow_options_after_command();
    command_line.command("nudge", "throttle for a moment")
        .option("throttle", po::value(&throttle)->notifier(in_range("--throttle", -1.0, 1.0)),
                "throttle")
        .option("for", po::value(&for_s)->notifier(positive("--for")), "seconds");
    command_line.command("status", "report");
  }
};

TEST(CommandLineTest, options_before_and_after_the_command_are_stored) {
  Motor m;
  EXPECT_EQ(parse(m.command_line, {"--set", "a.b=1", "-c", "car.yaml", "nudge", "--throttle",
                                   "-0.4", "--set", "c.d=2", "--for", "0.5"}),
            std::nullopt);
  EXPECT_EQ(m.command_line.chosen_command(), "nudge");
  EXPECT_EQ(m.config, "car.yaml");
  EXPECT_EQ(m.overrides, (std::vector<std::string>{"a.b=1", "c.d=2"}));
  EXPECT_DOUBLE_EQ(m.throttle, -0.4);
  EXPECT_TRUE(m.command_line.given("for"));
  EXPECT_FALSE(m.command_line.given("max-throttle"));
}

TEST(CommandLineTest, an_option_value_that_names_a_command_is_not_taken_for_the_command) {
  Motor m;
  EXPECT_EQ(parse(m.command_line, {"--config", "status", "nudge"}), std::nullopt);
  EXPECT_EQ(m.config, "status");
  EXPECT_EQ(m.command_line.chosen_command(), "nudge");
}

TEST(CommandLineTest, no_command_is_fine_unless_required) {
  Motor m;
  EXPECT_EQ(parse(m.command_line, {"--max-throttle", "0.2"}), std::nullopt);
  EXPECT_EQ(m.command_line.chosen_command(), "");
  EXPECT_DOUBLE_EQ(m.max_throttle, 0.2);
  Motor required;
  required.command_line.require_command();
  EXPECT_EQ(parse(required.command_line, {}), 2);
}

TEST(CommandLineTest, bad_input_exits_2) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--max-throttle", "2", "status"},
        {"--max-throttle", "x"},
        {"--bogus"},
        {"fly"},
        {"nudge", "--for", "0"},
        {"status", "extra"},
        {"--conf", "x"},
        {"--config"}}) {
    Motor m;
    EXPECT_EQ(parse(m.command_line, args), 2) << args[0];
  }
}

TEST(CommandLineTest, help_exits_0_for_the_program_and_for_a_command) {
  Motor m;
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse(m.command_line, {"--help"}), 0);
  const std::string help = testing::internal::GetCapturedStdout();
  EXPECT_NE(help.find("--max-throttle"), std::string::npos) << help;
  EXPECT_NE(help.find("nudge"), std::string::npos) << help;
  Motor m2;
  testing::internal::CaptureStdout();
  EXPECT_EQ(parse(m2.command_line, {"nudge", "-h"}), 0);
  EXPECT_NE(testing::internal::GetCapturedStdout().find("--throttle"), std::string::npos);
}

// rcpilot-ctl's shape: commands with positional arguments.
struct Ctl {
  double steering = 0, throttle = 0, seconds = 1;
  std::string action;
  CommandLine command_line{"prog", "positionals"};

  Ctl() {
    command_line.command("drive", "drive")
        .positional("steering", po::value(&steering)->required(), "-1 .. 1")
        .positional("throttle", po::value(&throttle)->required(), "-1 .. 1")
        .option("for", po::value(&seconds), "s");
    command_line.command("record", "record")
        .positional("action",
                    po::value(&action)->required()->notifier(one_of("action", {"start", "stop"})),
                    "start or stop");
  }
};

TEST(CommandLineTest, positionals_take_negative_numbers_and_required_ones_are_checked) {
  Ctl c;
  EXPECT_EQ(parse(c.command_line, {"drive", "-0.5", "0.2", "--for", "1.5"}), std::nullopt);
  EXPECT_DOUBLE_EQ(c.steering, -0.5);
  EXPECT_DOUBLE_EQ(c.throttle, 0.2);
  EXPECT_DOUBLE_EQ(c.seconds, 1.5);
  Ctl missing;
  EXPECT_EQ(parse(missing.command_line, {"drive", "0.1"}), 2) << "throttle is missing";
  Ctl bad_action;
  EXPECT_EQ(parse(bad_action.command_line, {"record", "pause"}), 2);
  Ctl good_action;
  EXPECT_EQ(parse(good_action.command_line, {"record", "stop"}), std::nullopt);
  EXPECT_EQ(good_action.action, "stop");
}

}  // namespace
}  // namespace rcpilot::cli
