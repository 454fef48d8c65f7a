#include "config/command_line.hpp"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

namespace rcpilot::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;         // app::kExitConfigError: bad command line, nothing started
constexpr unsigned kHelpWidth = 100;  // columns

// CLI11's rules, kept: no abbreviated long options, no case folding.
constexpr int kStyle =
    po::command_line_style::default_style & ~po::command_line_style::allow_guessing;

void add_help(po::options_description& options) {
  options.add_options()("help,h", "Print this help message and exit");
}

bool is_number(const std::string& token) {
  char* end = nullptr;
  std::strtod(token.c_str(), &end);
  return !token.empty() && end != nullptr && *end == '\0';
}

// A negative number ("-0.5") is a value, not a short option: `rcpilot-ctl drive -0.5 0.2`.
std::vector<po::option> negative_numbers_are_values(std::vector<std::string>& args) {
  if (args.empty() || args[0].size() < 2 || args[0][0] != '-' || !is_number(args[0])) return {};
  po::option value;
  value.value.push_back(args[0]);
  value.original_tokens.push_back(args[0]);
  args.erase(args.begin());
  return {value};
}

template <typename T>
std::function<void(const T&)> check(const char* option, bool (*ok)(const T&, T, T), T min, T max,
                                    const char* what) {
  const std::string name = option;
  return [=](const T& v) {
    if (ok(v, min, max)) return;
    std::ostringstream text;
    text << name << ": value " << v << " " << what;
    if (std::string(what) == "not in range") text << " " << min << " to " << max;
    throw po::error(text.str());
  };
}

template <typename T>
bool within(const T& v, T min, T max) {
  return v >= min && v <= max;
}
bool at_least(const double& v, double min, double) { return v >= min; }
bool above(const double& v, double min, double) { return v > min; }
bool above_int(const int& v, int min, int) { return v > min; }
bool above_size(const std::size_t& v, std::size_t min, std::size_t) { return v > min; }

}  // namespace

Section::Section(std::string name, std::string help)
    : name_(std::move(name)),
      help_(std::move(help)),
      visible_("Options", kHelpWidth, kHelpWidth / 2) {}

Section& Section::option(const char* names, const po::value_semantic* value, const char* help) {
  visible_.add_options()(names, value, help);
  return *this;
}

Section& Section::flag(const char* names, bool* target, const char* help) {
  return option(names, po::bool_switch(target), help);
}

Section& Section::positional(const char* name, const po::value_semantic* value, const char* help,
                             int max_count) {
  hidden_.add_options()(name, value, help);
  positional_.add(name, max_count);
  positional_help_.emplace_back(name, help);
  return *this;
}

CommandLine::CommandLine(std::string program, std::string about)
    : program_(std::move(program)), main_("", std::move(about)) {}

Section& CommandLine::command(const std::string& name, const std::string& help) {
  commands_.push_back(std::make_unique<Section>(name, help));
  return *commands_.back();
}

bool CommandLine::given(const std::string& long_name) const {
  const auto it = values_.find(long_name);
  return it != values_.end() && !it->second.defaulted();
}

// The program's own arguments, up to the first that names a command (an option's value is
// never taken for a command); *command is that command, or null when none is named.
std::vector<std::string> CommandLine::split_at_command(const std::vector<std::string>& args,
                                                       const Section** command) const {
  *command = nullptr;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.size() > 1 && a[0] == '-' && !is_number(a)) {
      const bool is_long = a.rfind("--", 0) == 0;
      const std::string key = is_long ? a.substr(2, a.find('=') - 2) : a.substr(0, 2);
      const auto* d = main_.visible_.find_nothrow(key, false);  // null for -h/--help
      const bool attached = is_long ? a.find('=') != std::string::npos : a.size() > 2;
      if (d != nullptr && d->semantic()->max_tokens() > 0 && !attached) ++i;  // skip its value
      continue;
    }
    for (const auto& c : commands_) {
      if (c->name() == a) {
        *command = c.get();
        return {args.begin(), args.begin() + static_cast<long>(i)};
      }
    }
    if (!commands_.empty()) throw po::error("unknown command '" + a + "'; see --help");
  }
  return args;
}

bool CommandLine::store(const Section& section, const po::options_description& extra,
                        const std::vector<std::string>& args) {
  po::options_description all;
  add_help(all);
  all.add(section.visible_).add(section.hidden_).add(extra);
  const auto parsed = po::command_line_parser(args)
                          .options(all)
                          .positional(section.positional_)
                          .style(kStyle)
                          .extra_style_parser(negative_numbers_are_values)
                          .run();
  for (const auto& o : parsed.options) {
    if (o.string_key == "help") return true;
  }
  po::store(parsed, values_);
  return false;
}

std::string CommandLine::usage() const {
  std::string u = "Usage: " + program_ + " [OPTIONS]";
  for (const auto& [name, help] : main_.positional_help_) u += " " + name;
  if (!commands_.empty()) u += command_required_ ? " COMMAND" : " [COMMAND]";
  return u;
}

void CommandLine::print_help(const Section* command) const {
  if (command == nullptr) {
    std::cout << main_.help() << "\n" << usage() << "\n\n";
  } else {
    std::cout << command->help() << "\nUsage: " << program_ << " " << command->name()
              << " [OPTIONS]";
    for (const auto& [name, help] : command->positional_help_) std::cout << " " << name;
    std::cout << "\n\n";
  }
  const Section& s = command == nullptr ? main_ : *command;
  if (!s.positional_help_.empty()) std::cout << "Positionals:\n";
  for (const auto& [name, help] : s.positional_help_)
    std::printf("  %-20s %s\n", name.c_str(), help.c_str());
  if (!s.positional_help_.empty()) std::cout << "\n";
  po::options_description shown("Options", kHelpWidth, kHelpWidth / 2);
  add_help(shown);
  for (const auto& option : s.visible_.options()) shown.add(option);  // one list, one caption
  std::cout << shown << "\n";
  if (command == nullptr && !commands_.empty()) {
    std::cout << "Commands (" << program_ << " COMMAND --help for theirs):\n";
    for (const auto& c : commands_) {
      std::printf("  %-20s %s\n", c->name().c_str(), c->help().c_str());
    }
  }
}

std::optional<int> CommandLine::parse(int argc, const char* const* argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  const Section* command = nullptr;
  try {
    const std::vector<std::string> own = split_at_command(args, &command);
    if (store(main_, po::options_description(), own)) {
      print_help(nullptr);
      return kExitOk;
    }
    if (command != nullptr) {
      chosen_ = command->name();
      const std::vector<std::string> rest(args.begin() + static_cast<long>(own.size()) + 1,
                                          args.end());
      const po::options_description none;
      if (store(*command, options_after_command_ ? main_.visible_ : none, rest)) {
        print_help(command);
        return kExitOk;
      }
    } else if (command_required_) {
      throw po::error("a command is required");
    }
    po::notify(values_);
  } catch (const po::error& e) {
    std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", program_.c_str(),
                 e.what());
    return kExitUsage;
  }
  return std::nullopt;
}

std::function<void(const double&)> in_range(const char* option, double min, double max) {
  return check<double>(option, within<double>, min, max, "not in range");
}

std::function<void(const int&)> in_range(const char* option, int min, int max) {
  return check<int>(option, within<int>, min, max, "not in range");
}

std::function<void(const double&)> non_negative(const char* option) {
  return check<double>(option, at_least, 0.0, 0.0, "is negative");
}

std::function<void(const double&)> positive(const char* option) {
  return check<double>(option, above, 0.0, 0.0, "is not positive");
}

std::function<void(const int&)> positive_count(const char* option) {
  return check<int>(option, above_int, 0, 0, "is not positive");
}

std::function<void(const std::size_t&)> positive_size(const char* option) {
  return check<std::size_t>(option, above_size, 0, 0, "is not positive");
}

void add_config_options(Section& section, std::string* config_path,
                        std::vector<std::string>* overrides) {
  section.option("config,c", po::value(config_path),
                 "YAML config (default: the built-in sim profile)");
  section.option("set", po::value(overrides)->composing(),
                 "Override a key: --set section.key=value (repeatable)");
}

std::function<void(const std::string&)> one_of(const char* option,
                                               std::initializer_list<const char*> allowed) {
  const std::string name = option;
  std::vector<std::string> choices(allowed.begin(), allowed.end());
  return [name, choices](const std::string& v) {
    std::string list;
    for (const auto& c : choices) {
      if (c == v) return;
      list += (list.empty() ? "" : ", ") + c;
    }
    throw po::error(name + ": '" + v + "' is not one of " + list);
  };
}

}  // namespace rcpilot::cli
