#pragma once
// Command-line parsing shared by rcpilot's programs, on Boost.Program_options (packaged on
// Debian 11/12 and Ubuntu 20.04/22.04, unlike CLI11): options, positional arguments and one
// level of commands (`rcpilot-ctl mode local`), -h/--help everywhere, and the exit codes every
// program uses: 0 after --help, 2 (app::kExitConfigError) for a bad command line.
// Depends on Boost.Program_options only, so rcpilot-ctl can use it without the config library.
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace rcpilot::cli {

namespace po = boost::program_options;

// The options and positional arguments of a program or of one of its commands.
class Section {
 public:
  Section(std::string name, std::string help);

  // Adds an option: `names` as in Program_options ("config,c" for --config and -c); the value
  // is po::value(&target) with any default/notifier; `help` is the line shown by --help.
  Section& option(const char* names, const po::value_semantic* value, const char* help);
  // Adds a switch that sets *target to true when given.
  Section& flag(const char* names, bool* target, const char* help);
  // Adds the next positional argument; max_count -1 takes all that remain.
  Section& positional(const char* name, const po::value_semantic* value, const char* help,
                      int max_count = 1);

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }

 private:
  friend class CommandLine;
  std::string name_;
  std::string help_;
  po::options_description visible_;
  po::options_description hidden_;  // the positional arguments' storage
  po::positional_options_description positional_;
  std::vector<std::pair<std::string, std::string>> positional_help_;
};

// A program's command line: its own options, and optionally commands.
class CommandLine {
 public:
  CommandLine(std::string program, std::string about);

  // The program's own options and positional arguments.
  Section& options() { return main_; }
  // Adds a command; its options follow its name on the command line.
  Section& command(const std::string& name, const std::string& help);
  // When set, a command must be given (the default: optional).
  void require_command() { command_required_ = true; }
  // When set, the program's options may also follow the command (`status --set a=b`).
  void allow_options_after_command() { options_after_command_ = true; }

  // Parses argv and stores the values. nullopt: go on; otherwise the program exits with the
  // returned code: 0 after printing --help, 2 after printing the error and a hint to stderr.
  std::optional<int> parse(int argc, const char* const* argv);

  // The command given; empty when none.
  const std::string& chosen_command() const { return chosen_; }
  // Whether this option (long name, e.g. "for") was given on the command line.
  bool given(const std::string& long_name) const;

 private:
  std::vector<std::string> split_at_command(const std::vector<std::string>& args,
                                            const Section** command) const;
  // Parses args against section's options (and extra) into values_; true when -h/--help was
  // among them (then nothing is stored).
  bool store(const Section& section, const po::options_description& extra,
             const std::vector<std::string>& args);
  std::string usage() const;
  void print_help(const Section* command) const;

  std::string program_;
  Section main_;
  std::vector<std::unique_ptr<Section>> commands_;
  bool command_required_ = false;
  bool options_after_command_ = false;
  std::string chosen_;
  po::variables_map values_;
};

// Adds -c/--config PATH and repeatable --set section.key=value, as every program has them.
void add_config_options(Section& section, std::string* config_path,
                        std::vector<std::string>* overrides);

// Notifiers that reject a value outside what an option allows, naming the option; use as
// po::value(&x)->notifier(cli::in_range("--max-throttle", 0.01, 1.0)).
std::function<void(const double&)> in_range(const char* option, double min, double max);
std::function<void(const int&)> in_range(const char* option, int min, int max);
std::function<void(const double&)> non_negative(const char* option);
std::function<void(const double&)> positive(const char* option);
std::function<void(const int&)> positive_count(const char* option);
std::function<void(const std::size_t&)> positive_size(const char* option);
std::function<void(const std::string&)> one_of(const char* option,
                                               std::initializer_list<const char*> allowed);

}  // namespace rcpilot::cli
