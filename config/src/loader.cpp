#include "config/loader.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "config/embedded_profile.hpp"
#include "config/pca9685_rules.hpp"
#include "config/schema.hpp"
#include "config_file.hpp"

namespace rcpilot::config {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEmbeddedSource = "<embedded sim.yaml>";

// Where each key got its value ("file:line:col" or "--set ..."), for cross-key messages.
using Origins = std::map<std::string, std::string>;

struct Document {
  std::string text;
  std::string source;    // shown in messages and stored as Config::source_path
  std::string base_dir;  // stored as Config::base_dir
};

// yaml-cpp marks are 0-based; people and editors count from 1.
std::string where(const std::string& source, const YAML::Mark& mark) {
  if (mark.is_null()) return source;
  return source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

std::string node_kind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Scalar:
      return node.Scalar().empty() ? "an empty value" : "`" + node.Scalar() + "`";
    default:
      return "no value";
  }
}

std::string with_unit(const KeyInfo& key, const std::string& value) {
  return key.unit == "-" ? value : value + " " + key.unit;
}

std::string default_text(const KeyInfo& key) {
  return "the default is " + format_value(key, key.default_value());
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::vector<std::string> key_paths(const std::string& section) {
  std::vector<std::string> paths;
  for (const KeyInfo& key : schema().keys) {
    if (section.empty() || key.section == section) paths.push_back(key.path());
  }
  return paths;
}

// "; did you mean `camera.fps`?" for a mistyped or misplaced key, else the keys to choose from.
std::string key_suggestion(const std::string& path) {
  std::string best = closest_match(path, key_paths(""));
  const std::string name = path.substr(path.find('.') + 1);
  for (const KeyInfo& key : schema().keys) {
    if (best.empty() && key.name == name) best = key.path();
  }
  if (!best.empty()) return "; did you mean `" + best + "`?";
  const std::string section = path.substr(0, path.find('.'));
  if (is_section(section)) return "; `" + section + "` has: " + joined(key_paths(section));
  return "; see docs/configuration.md for every key";
}

std::string section_suggestion(const std::string& name) {
  std::vector<std::string> sections;
  for (const SectionInfo& s : schema().sections) sections.push_back(s.name);
  const std::string best = closest_match(name, sections);
  if (!best.empty()) return "; did you mean `" + best + "`?";
  for (const KeyInfo& key : schema().keys) {
    if (key.name == name) return "; `" + name + "` belongs under `" + key.section + ":`";
  }
  return "; sections are: " + joined(sections);
}

std::string expected_text(const KeyInfo& key) {
  switch (key.type) {
    case ValueType::kBool:
      return "expected true or false";
    case ValueType::kInt:
      return "expected an integer (" + with_unit(key, range_text(key)) + ")";
    case ValueType::kDouble:
      return "expected a number (" + with_unit(key, range_text(key)) + ")";
    case ValueType::kString:
      return "expected a string";
    case ValueType::kEnum:
      return "expected one of: " + range_text(key);
  }
  return "";
}

bool is_numeric_key(const KeyInfo& key) {
  return key.type == ValueType::kInt || key.type == ValueType::kDouble;
}

// A number too large for its type (1e999, 99999999999999999999): out of range, not a wrong
// type. An int key given a fraction (1.5) stays a wrong type.
bool looks_like_number(const std::string& text, ValueType type) {
  static const std::regex integer(R"([-+]?[0-9]+)");
  static const std::regex decimal(R"([-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?)");
  return std::regex_match(text, type == ValueType::kInt ? integer : decimal);
}

// Reads a scalar as the key's type. Numbers and booleans must be plain: "30" in quotes is a string.
Value parse_value(const KeyInfo& key, const YAML::Node& node, const std::string& at) {
  if (node.IsNull()) {
    throw ConfigError(at + ": " + key.path() +
                      ": no value given; write a value or leave the key out (" + default_text(key) +
                      ")");
  }
  const bool plain = node.IsScalar() && node.Tag() == "?";
  if (node.IsScalar()) {
    bool b = false;
    long long i = 0;
    double d = 0;
    switch (key.type) {
      case ValueType::kBool:
        if (plain && YAML::convert<bool>::decode(node, b)) return b;
        break;
      case ValueType::kInt:
        if (plain && YAML::convert<long long>::decode(node, i)) return i;
        break;
      case ValueType::kDouble:
        if (plain && YAML::convert<double>::decode(node, d)) return d;
        break;
      case ValueType::kString:
      case ValueType::kEnum:
        return node.Scalar();
    }
  }
  if (plain && is_numeric_key(key) && looks_like_number(node.Scalar(), key.type)) {
    throw ConfigError(at + ": " + key.path() + ": " + node.Scalar() + " is out of range " +
                      with_unit(key, range_text(key)) + "; use a value in that range (" +
                      default_text(key) + ")");
  }
  const std::string given = node_kind(node) + (plain || node.Scalar().empty() ? "" : " (quoted)");
  throw ConfigError(at + ": " + key.path() + ": wrong type: " + expected_text(key) + ", got " +
                    given + "; " + default_text(key));
}

void check_value(const KeyInfo& key, const Value& value, const std::string& at) {
  const std::string prefix = at + ": " + key.path() + ": ";
  if (key.type == ValueType::kInt || key.type == ValueType::kDouble) {
    const double v = key.type == ValueType::kInt ? static_cast<double>(std::get<long long>(value))
                                                 : std::get<double>(value);
    if (!(v >= key.min && v <= key.max)) {
      throw ConfigError(prefix + with_unit(key, format_value(key, value)) + " is out of range " +
                        with_unit(key, range_text(key)) + "; use a value in that range (" +
                        default_text(key) + ")");
    }
  } else if (key.type == ValueType::kEnum) {
    const std::string& s = std::get<std::string>(value);
    if (std::find(key.choices.begin(), key.choices.end(), s) == key.choices.end()) {
      const std::string best = closest_match(s, key.choices);
      throw ConfigError(prefix + "`" + s + "` is not a valid choice" +
                        (best.empty() ? "" : "; did you mean `" + best + "`?") +
                        "; use one of: " + range_text(key));
    }
  } else if (key.type == ValueType::kString && key.non_empty &&
             std::get<std::string>(value).empty()) {
    throw ConfigError(prefix + "must not be empty; give a value (" + default_text(key) + ")");
  } else if (key.type == ValueType::kString && key.check) {
    const std::string problem = key.check(std::get<std::string>(value));
    if (!problem.empty()) {
      throw ConfigError(prefix + "`" + std::get<std::string>(value) + "`: " + problem + "; write " +
                        key.format + " (" + default_text(key) + ")");
    }
  }
}

// Section and key names are words; YAML also allows a map or a sequence as a key.
void require_plain_name(const YAML::Node& name, const std::string& at) {
  if (!name.IsScalar()) {
    throw ConfigError(at + ": a section or key name must be a plain word, got " + node_kind(name) +
                      "; write `name: value`");
  }
}

// The schema entry for `path`; an unknown key is an error at `at`.
const KeyInfo& known_key(const std::string& at, const std::string& path) {
  const KeyInfo* key = find_key(path);
  if (key == nullptr) throw ConfigError(at + ": unknown key `" + path + "`" + key_suggestion(path));
  return *key;
}

void require_section(const std::string& at, const std::string& name) {
  if (!is_section(name)) {
    throw ConfigError(at + ": unknown section `" + name + "`" + section_suggestion(name));
  }
}

// `name` (shown as `what`) must not appear twice; `first` maps names to where they were given.
void require_once(const std::map<std::string, std::string>& first, const std::string& name,
                  const std::string& what, const std::string& at, const char* fix) {
  const auto it = first.find(name);
  if (it != first.end()) {
    throw ConfigError(at + ": " + what + " is given twice (first at " + it->second + "); " + fix);
  }
}

void apply_section(Config& cfg, const std::string& source, const YAML::Node& name_node,
                   const YAML::Node& body, Origins& origins) {
  const std::string& section = name_node.Scalar();
  if (body.IsNull()) return;  // `camera:` with every key commented out
  if (!body.IsMap()) {
    throw ConfigError(where(source, body.Mark()) + ": section `" + section +
                      "` must be a map of `key: value` lines, got " + node_kind(body) +
                      "; indent its keys under `" + section + ":`");
  }
  for (const auto& entry : body) {
    const std::string at = where(source, entry.first.Mark());
    require_plain_name(entry.first, at);
    const std::string path = section + "." + entry.first.Scalar();
    const KeyInfo& key = known_key(at, path);
    require_once(origins, path, path, at, "keep one");
    const std::string value_at = entry.second.IsNull() ? at : where(source, entry.second.Mark());
    const Value value = parse_value(key, entry.second, value_at);
    check_value(key, value, value_at);
    key.set(cfg, value);
    origins[path] = value_at;
  }
}

void apply_document(Config& cfg, const YAML::Node& root, const std::string& source,
                    Origins& origins) {
  if (root.IsNull()) return;  // an empty profile: every key takes its default
  if (!root.IsMap()) {
    throw ConfigError(where(source, root.Mark()) +
                      ": top level must be a map of sections (camera:, model:, ...), got " +
                      node_kind(root) + "; write `section:` lines with indented `key: value`");
  }
  std::map<std::string, std::string> seen;  // section -> where it was first given
  for (const auto& entry : root) {
    const std::string at = where(source, entry.first.Mark());
    require_plain_name(entry.first, at);
    const std::string& name = entry.first.Scalar();
    require_section(at, name);
    require_once(seen, name, "section `" + name + "`", at, "merge them into one");
    seen.emplace(name, at);
    apply_section(cfg, source, entry.first, entry.second, origins);
  }
}

// `via` names where the assignment came from in errors: "--set" or the control API's "set".
void apply_override(Config& cfg, const std::string& assignment, Origins& origins,
                    const std::string& via) {
  const std::string at = via + " " + assignment;
  const size_t eq = assignment.find('=');
  const std::string path = assignment.substr(0, eq);
  if (eq == std::string::npos || path.find('.') == std::string::npos) {
    throw ConfigError(at + ": expected section.key=value, e.g. --set control.mode=user");
  }
  const KeyInfo& key = known_key(at, path);
  const std::string text = assignment.substr(eq + 1);
  YAML::Node node;
  try {
    node = text.empty() ? YAML::Node(std::string()) : YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(at + ": " + path + ": value is not a YAML scalar (" + e.msg +
                      "); quote it, e.g. --set " + path + "='\"text\"'");
  }
  const Value value = parse_value(key, node, at);
  check_value(key, value, at);
  key.set(cfg, value);
  origins[path] = at;
}

double as_number(const Value& v) {
  return std::holds_alternative<double>(v) ? std::get<double>(v)
                                           : static_cast<double>(std::get<long long>(v));
}

// Cross-key rules; the message points at whichever of the two keys was set explicitly.
void check_constraints(const Config& cfg, const Origins& origins, const std::string& source) {
  auto origin = [&origins](const std::string& path) {
    const auto it = origins.find(path);
    return it == origins.end() ? std::string("the default") : it->second;
  };
  for (const Constraint& rule : schema().constraints) {
    const KeyInfo& lower = *find_key(rule.lower);
    const KeyInfo& upper = *find_key(rule.upper);
    const Value lo = lower.get(cfg);
    const Value hi = upper.get(cfg);
    if (as_number(lo) <= as_number(hi)) continue;
    const std::string at = origins.count(rule.lower) != 0   ? origins.at(rule.lower)
                           : origins.count(rule.upper) != 0 ? origins.at(rule.upper)
                                                            : source;
    throw ConfigError(at + ": " + rule.lower + " (" + with_unit(lower, format_value(lower, lo)) +
                      ", from " + origin(rule.lower) + ") must be <= " + rule.upper + " (" +
                      with_unit(upper, format_value(upper, hi)) + ", from " + origin(rule.upper) +
                      "): " + rule.why + "; lower " + rule.lower + " or raise " + rule.upper);
  }
}

// Calibration the configured board cannot output is refused here, at load (and by
// --check-config), not when the link starts: the message names the key and where it was set.
void check_driver_pulses(const Config& cfg, const Origins& origins, const std::string& source) {
  const auto range = pulse_range(cfg.motor.driver);
  if (!range) return;
  for (const char* key : {"motor.steering_min_us", "motor.steering_center_us",
                          "motor.steering_max_us", "motor.throttle_min_us",
                          "motor.throttle_center_us", "motor.throttle_max_us"}) {
    const KeyInfo& info = *find_key(key);
    const Value value = info.get(cfg);
    const double us = as_number(value);
    if (us >= range->min_us && us <= range->max_us) continue;
    const std::string at = origins.count(key) != 0             ? origins.at(key)
                           : origins.count("motor.driver") != 0 ? origins.at("motor.driver")
                                                                : source;
    throw ConfigError(at + ": " + key + " is " + with_unit(info, format_value(info, value)) +
                      ", but motor.driver " + std::string(to_string(cfg.motor.driver)) +
                      " can only output " + std::to_string(range->min_us) + ".." +
                      std::to_string(range->max_us) + " us: set it within that range");
  }
}

// motor.driver pca9685's own rules (channels, address, frequency, tick keys), pointing at the
// key's origin as the rules above do.
void check_pca9685(const Config& cfg, const Origins& origins, const std::string& source) {
  if (cfg.motor.driver != MotorDriver::kPca9685) return;
  const auto problem = pca9685_problem(cfg.motor);
  if (!problem) return;
  const std::string at = origins.count(problem->key) != 0     ? origins.at(problem->key)
                         : origins.count("motor.driver") != 0 ? origins.at("motor.driver")
                                                              : source;
  throw ConfigError(at + ": " + problem->message);
}

Document read_document(const std::string& path) {
  std::string text = read_config_file(path);
  const fs::path absolute = fs::absolute(path).lexically_normal();
  return {std::move(text), path, absolute.parent_path().string()};
}

// Notes whether a YAML document holds anything and where its content starts (the second
// document is only looked at, never built).
class DocumentProbe final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { seen(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    seen(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    seen(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    seen(mark);
  }
  void OnMapEnd() override {}

  YAML::Mark start;      // where the document's first content is
  bool content = false;  // the document holds something

 private:
  void seen(const YAML::Mark& mark) {
    if (!content) start = mark;
    content = true;
  }
};

// Throws when `text` holds a second YAML document with content. It walks at most two
// documents: yaml-cpp's LoadAll never ends on some malformed inputs (found by fuzzing).
void refuse_second_document(const Document& doc) {
  std::istringstream in(doc.text);
  YAML::Parser parser(in);
  DocumentProbe first;
  DocumentProbe second;
  if (!parser.HandleNextDocument(first) || !parser.HandleNextDocument(second)) return;
  if (!second.content) return;  // a `---` with nothing after it ignores nothing
  throw ConfigError(where(doc.source, second.start) +
                    ": a second YAML document (after a `---` or `...` line) is not read: "
                    "rcpilot reads one document per file; merge its keys into the first and "
                    "remove the `---` line");
}

// The one document of the file; a second one (after `---`) would be silently ignored, so it
// is an error naming where it starts.
YAML::Node parse_document(const Document& doc) {
  try {
    YAML::Node node = YAML::Load(doc.text);
    refuse_second_document(doc);
    return node;
  } catch (const YAML::Exception& e) {
    throw ConfigError(where(doc.source, e.mark) + ": YAML syntax error: " + e.msg +
                      "; fix the YAML there (indentation, `key: value` colons, quotes)");
  }
}

}  // namespace

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  const Document doc =
      path.empty() ? Document{embedded_profile_yaml(), kEmbeddedSource, embedded_profile_dir()}
                   : read_document(path);
  Config cfg;
  cfg.source_path = doc.source;
  cfg.base_dir = doc.base_dir;
  Origins origins;
  apply_document(cfg, parse_document(doc), doc.source, origins);
  for (const std::string& assignment : overrides) {
    apply_override(cfg, assignment, origins, "--set");
  }
  check_constraints(cfg, origins, doc.source);
  check_driver_pulses(cfg, origins, doc.source);
  check_pca9685(cfg, origins, doc.source);
  return cfg;
}

Config with_overrides(const Config& base, const std::vector<std::string>& assignments,
                      const std::string& via) {
  Config cfg = base;
  Origins origins;
  for (const std::string& assignment : assignments) apply_override(cfg, assignment, origins, via);
  check_constraints(cfg, origins, via);
  check_driver_pulses(cfg, origins, via);
  check_pca9685(cfg, origins, via);
  return cfg;
}

std::string resolve_path(const Config& cfg, const std::string& relative) {
  if (relative.empty()) return relative;
  const fs::path p(relative);
  if (p.is_absolute() || cfg.base_dir.empty()) return relative;
  return (fs::path(cfg.base_dir) / p).lexically_normal().string();
}

}  // namespace rcpilot::config
