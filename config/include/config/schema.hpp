#pragma once
// The configuration schema: one entry per YAML key, bound once to its field in `Config`.
// Loading, validation, printing (to_yaml) and the reference docs all read this one table, so a
// key cannot be documented, defaulted or ranged differently in two places.
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.hpp"

namespace rcpilot::config {

enum class ValueType { kBool, kInt, kDouble, kString, kEnum };

// A key's value, independent of the field's C++ type: int and unsigned fields hold long long.
using Value = std::variant<bool, long long, double, std::string>;

struct KeyInfo {
  std::string section;  // YAML section, e.g. "camera"
  std::string name;     // key inside the section, e.g. "fps"
  ValueType type = ValueType::kString;
  std::string unit = "-";                   // unit of numeric values; "-" when dimensionless
  double min = 0;                           // lowest allowed value (kInt, kDouble only)
  double max = 0;                           // highest allowed value (kInt, kDouble only)
  std::vector<std::string> choices;         // allowed values (kEnum only)
  bool non_empty = false;                   // kString: the empty string is rejected
  // kString: "" when a value is acceptable, else what is wrong with it; empty: any string.
  std::function<std::string(const std::string&)> check;
  std::string format;                       // kString with a check: what it accepts, in words
  bool live = false;                        // may change at run time (control API, SIGHUP reload)
  std::string doc;                          // one-line meaning
  std::function<Value(const Config&)> get;  // reads the bound field
  std::function<void(Config&, const Value&)> set;  // writes a validated value

  std::string path() const { return section + "." + name; }
  Value default_value() const { return get(Config{}); }
};

struct SectionInfo {
  std::string name;  // YAML section, e.g. "camera"
  std::string doc;   // one-line meaning of the section
};

// A rule between two numeric keys: value(lower) <= value(upper).
struct Constraint {
  std::string lower;  // key path of the smaller value
  std::string upper;  // key path of the larger value
  std::string why;    // why the rule exists, shown in errors and docs
};

struct Schema {
  std::vector<SectionInfo> sections;    // in file order
  std::vector<KeyInfo> keys;            // grouped by section, in file order
  std::vector<Constraint> constraints;  // cross-key rules checked after overrides
};

// The schema of every key rcpilot reads; built once, immutable.
const Schema& schema();
// The key named `path` ("section.key"), or nullptr when there is none.
const KeyInfo* find_key(std::string_view path);
// True when `name` is a section of the schema.
bool is_section(std::string_view name);
// Paths of the keys whose values differ between `a` and `b` (source_path/base_dir ignored).
std::vector<std::string> differing_keys(const Config& a, const Config& b);

// "bool", "int", "double", "string" or "enum".
std::string type_name(ValueType type);
// `value` as a YAML scalar that load_config reads back to the same value (strings quoted).
std::string format_value(const KeyInfo& key, const Value& value);
// Allowed values in words: "1 .. 240", "user, local_angle, local", "non-empty" or "any".
std::string range_text(const KeyInfo& key);
// The closest known name to `given` by edit distance, else one that `given` starts or is the
// start of; "" when nothing is close enough.
std::string closest_match(std::string_view given, const std::vector<std::string>& known);

}  // namespace rcpilot::config
