#include <algorithm>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/schema.hpp"

namespace rcpilot::config {
namespace {

// "frames the camera delivers per second [Hz, 1 .. 240]": the doc, then unit and allowed values.
std::string key_comment(const KeyInfo& key) {
  std::string range = range_text(key);
  if (key.type == ValueType::kEnum) {
    range.clear();
    for (const std::string& c : key.choices) range += (range.empty() ? "" : " | ") + c;
  }
  std::string bracket = key.unit != "-" ? key.unit : "";
  if (range != "any") bracket += (bracket.empty() ? "" : ", ") + range;
  return "# " + key.doc + (bracket.empty() ? "" : " [" + bracket + "]") +
         (key.live ? " (live)" : "");
}

void write_section(const SectionInfo& section, const Config& cfg, std::string& out) {
  std::vector<std::pair<std::string, std::string>> lines;  // "  key: value", comment
  size_t width = 0;
  for (const KeyInfo& key : schema().keys) {
    if (key.section != section.name) continue;
    lines.emplace_back("  " + key.name + ": " + format_value(key, key.get(cfg)), key_comment(key));
    width = std::max(width, lines.back().first.size());
  }
  out += section.name + ":  # " + section.doc + "\n";
  for (const auto& [text, comment] : lines) {
    out.append(text).append(width - text.size() + 2, ' ').append(comment).append("\n");
  }
}

}  // namespace

std::string to_yaml(const Config& cfg) {
  std::string out = "# rcpilot effective configuration, loaded from " +
                    (cfg.source_path.empty() ? std::string("defaults") : cfg.source_path) + "\n";
  if (!cfg.base_dir.empty()) {
    out += "# relative paths below were resolved against " + cfg.base_dir + "\n";
  }
  out += "# [unit, allowed values]; (live): may change at run time, the rest needs a restart\n";
  for (const SectionInfo& section : schema().sections) write_section(section, cfg, out);
  return out;
}

}  // namespace rcpilot::config
