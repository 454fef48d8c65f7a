#include <cctype>
#include <string>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rcpilot::config {
namespace {

constexpr const char* kIntro = R"md(# Configuration reference

<!-- Generated from the schema in config/src/schema.cpp; do not edit by hand.
     Regenerate with: rcpilot --config-reference > docs/configuration.md -->

rcpilot reads one YAML file with one section per component. Start it with
`rcpilot --config config/profiles/jetson-nano.yaml`; without `--config` it runs the built-in
simulator profile (`config/profiles/sim.yaml`, compiled into the binary). A profile only needs
the keys that differ from the defaults below; every key it leaves out takes its default.

- `--set section.key=value` (repeatable) overrides one key after the file is read, e.g.
  `--set control.mode=user --set camera.fps=60`. The value is read as a YAML scalar and checked
  exactly like a value in the file; quote strings that YAML would otherwise read differently.
- `--print-config` prints the effective configuration (file plus overrides) as YAML with every
  key, its unit and allowed values; that output loads again with `--config`.
- `--check-config` validates the file and the overrides, loads the model, and runs the checks
  the node makes before it binds anything (the control API's CURVE settings and key files),
  prints any error and exits with the code the node would.
- The file must be a regular file of at most 1 MiB (a pipe or a device is refused, not read)
  holding one YAML document: a second document after a `---` line is an error, not ignored.
- Relative paths (`model.path`, `model.metadata`, `sim.track`) are resolved against the folder
  of the config file; for the built-in profile, against `config/profiles/` of the source tree.
- Unknown sections or keys, wrong types, out-of-range values (numbers too large for their type
  included) and unknown choices are errors, and so are ZeroMQ endpoints that cannot be bound.
  The message names `file:line:column` (or the `--set` argument), the key path and what to do,
  suggests the closest known key for a typo, and rcpilot exits with code 2 before anything moves.
- Keys marked *live* can change at run time through the control API and on SIGHUP reload;
  every other key needs a restart.
)md";

std::string cell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

std::string range_cell(const KeyInfo& key) {
  if (key.type == ValueType::kBool) return "-";
  if (key.type != ValueType::kEnum) return cell(range_text(key));
  std::string out;
  for (const std::string& c : key.choices) out += (out.empty() ? "`" : ", `") + c + "`";
  return out;
}

std::string key_row(const KeyInfo& key) {
  return "| `" + key.path() + "` | " + type_name(key.type) + " | `" +
         cell(format_value(key, key.default_value())) + "` | " + cell(key.unit) + " | " +
         range_cell(key) + " | " + (key.live ? "yes" : "no") + " | " + cell(key.doc) + " |\n";
}

std::string constraints_text() {
  std::string out = "\n## Rules between keys\n\nChecked after the file and all `--set`s:\n\n";
  for (const Constraint& rule : schema().constraints) {
    out += "- `" + rule.lower + "` <= `" + rule.upper + "`: " + rule.why + ".\n";
  }
  const PulseRange mm1 = kMm1PulseRange;
  out += "- With `motor.driver: mm1` every `motor.*_us` pulse is within " +
         std::to_string(mm1.min_us) + ".." + std::to_string(mm1.max_us) +
         " us: the Robo HAT MM1's script reads four digits.\n";
  return out;
}

}  // namespace

std::string reference_markdown() {
  std::string out = kIntro;
  for (const SectionInfo& section : schema().sections) {
    std::string doc = section.doc;
    if (!doc.empty()) doc[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(doc[0])));
    out += "\n## `" + section.name + "`\n\n" + doc + ".\n\n";
    out += "| key | type | default | unit | range | live | doc |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- |\n";
    for (const KeyInfo& key : schema().keys) {
      if (key.section == section.name) out += key_row(key);
    }
  }
  return out + constraints_text();
}

}  // namespace rcpilot::config
