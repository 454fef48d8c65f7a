#include "tub_format.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

namespace rcpilot::perception::tub_format {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest.json";

[[noreturn]] void fail(const fs::path& tub, const std::string& file, const std::string& what) {
  throw TubError(where(tub, file) + " " + what);
}

// The whole file; TubError when it cannot be read.
std::string read_file(const fs::path& tub, const std::string& name) {
  const fs::path path = tub / name;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    fail(tub, name, fs::exists(path, ec) ? "is not a regular file" : "is missing");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) fail(tub, name, "cannot be read");
  return text.str();
}

// The file's lines without their '\n' (a '\r' before it stays: JSON takes it as white space,
// and line_lengths count it); `terminated` says whether the last one ended in '\n'.
std::vector<std::string> split_lines(const std::string& text, bool* terminated) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (terminated) *terminated = text.empty() || text.back() == '\n';
  return lines;
}

// A value for an error text: ASCII only (the text may reach telemetry as JSON), 40 chars at most.
std::string shown(const nlohmann::json& value) {
  std::string text = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return text;
}

// Raw file bytes for an error text: printable ASCII kept, anything else as \xHH.
std::string shown_bytes(const std::string& bytes) {
  std::string text;
  for (const char c : bytes.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      text += c;
    } else {
      static const char* kHex = "0123456789ABCDEF";
      text += std::string("\\x") + kHex[u >> 4] + kHex[u & 15];
    }
  }
  return "`" + text + (bytes.size() > 40 ? "...`" : "`");
}

// Indexes, session numbers and line lengths: far below int64's end, so +1 never overflows.
constexpr std::int64_t kMaxIndex = 1'000'000'000'000'000;

std::optional<std::int64_t> as_index(const nlohmann::json& value) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(kMaxIndex)) return {};
    return static_cast<std::int64_t>(v);
  }
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0 &&
      value.get<std::int64_t>() <= kMaxIndex) {
    return value.get<std::int64_t>();
  }
  return {};
}

// Checks one field of a JSON line; `file_line` is e.g. "manifest.json line 5".
class Fields {
 public:
  Fields(const fs::path& tub, std::string file_line, const nlohmann::json& object)
      : tub_(tub), file_line_(std::move(file_line)), object_(object) {
    if (!object_.is_object())
      fail(tub_, file_line_, "must be a JSON object, not " + shown(object_));
  }
  const nlohmann::json* find(const std::string& key) const {
    const auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  [[noreturn]] void bad(const std::string& key, const std::string& expected) const {
    fail(tub_, file_line_,
         "field \"" + key + "\" must be " + expected + ", not " + shown(object_.at(key)) +
             "; fix it or record into a new folder");
  }
  std::optional<std::int64_t> index(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return {};
    const auto i = as_index(*v);
    if (!i) bad(key, "an integer 0..10^15");
    return i;
  }
  std::optional<double> number(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_number() || !std::isfinite(v->get<double>())) bad(key, "a number");
    return v->get<double>();
  }
  std::vector<std::string> strings(const std::string& key) const {
    const auto* v = find(key);
    if (!v) return {};
    if (!v->is_array() ||
        !std::all_of(v->begin(), v->end(), [](const auto& s) { return s.is_string(); })) {
      bad(key, "an array of strings");
    }
    return v->get<std::vector<std::string>>();
  }
  std::vector<std::int64_t> indexes(const std::string& key, std::int64_t minimum) const {
    const auto* v = find(key);
    if (!v) return {};
    std::vector<std::int64_t> out;
    if (v->is_array()) {
      for (const auto& item : *v) {
        const auto i = as_index(item);
        if (!i || *i < minimum) break;
        out.push_back(*i);
      }
    }
    if (!v->is_array() || out.size() != v->size()) {
      bad(key, "an array of integers " + std::to_string(minimum) + "..10^15");
    }
    return out;
  }

 private:
  const fs::path& tub_;
  std::string file_line_;
  const nlohmann::json& object_;
};

nlohmann::json parse_line(const fs::path& tub, const std::string& file_line,
                          const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    fail(tub, file_line, "is not valid JSON: " + shown_bytes(text));
  }
}

// A catalog file name as manifest.json lists it: a plain name inside the tub folder.
bool plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

std::vector<std::string> string_array(const fs::path& tub, const std::string& file_line,
                                      const nlohmann::json& line, const std::string& what) {
  if (!line.is_array() ||
      !std::all_of(line.begin(), line.end(), [](const auto& s) { return s.is_string(); })) {
    fail(tub, file_line, "(" + what + ") must be an array of strings, not " + shown(line));
  }
  return line.get<std::vector<std::string>>();
}

void read_sessions(const fs::path& tub, const nlohmann::json& line4, Manifest& m) {
  const Fields fields(tub, "manifest.json line 4", line4);
  m.created_at_s = fields.number("created_at");
  const auto* sessions = fields.find("sessions");
  if (!sessions) return;
  const Fields session_fields(tub, "manifest.json line 4 \"sessions\"", *sessions);
  m.session_ids = session_fields.strings("all_full_ids");
  m.last_session = session_fields.index("last_id");
  m.sessions = *sessions;
}

void read_catalog_list(const fs::path& tub, const nlohmann::json& line5, Manifest& m) {
  const Fields fields(tub, "manifest.json line 5", line5);
  m.paths = fields.strings("paths");
  for (const auto& name : m.paths) {
    if (!plain_file_name(name)) fields.bad("paths", "file names inside the tub folder");
  }
  m.current_index = fields.index("current_index").value_or(0);
  m.deleted = fields.indexes("deleted_indexes", 0);
  m.uncommitted = fields.index("rcpilot_uncommitted");
  std::sort(m.deleted.begin(), m.deleted.end());
}

}  // namespace

std::string where(const fs::path& tub, const std::string& file) {
  return file.empty() ? "tub " + tub.string() : "tub " + tub.string() + ": " + file;
}

Manifest read_manifest(const fs::path& tub) {
  std::error_code ec;
  if (!fs::exists(tub / kManifest, ec)) {
    fail(tub, kManifest, "is missing; is this a Donkey tub v2 folder?");
  }
  const auto lines = split_lines(read_file(tub, kManifest), nullptr);
  if (lines.size() < 5) {
    fail(tub, kManifest, "has " + std::to_string(lines.size()) + " lines, expected 5");
  }
  std::vector<nlohmann::json> json(5);
  for (std::size_t i = 0; i < 5; ++i) {
    json[i] = parse_line(tub, "manifest.json line " + std::to_string(i + 1), lines[i]);
  }
  Manifest m;
  m.inputs = string_array(tub, "manifest.json line 1", json[0], "the input keys");
  m.types = string_array(tub, "manifest.json line 2", json[1], "the input types");
  if (m.inputs.size() != m.types.size()) {
    fail(tub, kManifest,
         "lists " + std::to_string(m.inputs.size()) + " inputs but " +
             std::to_string(m.types.size()) + " types");
  }
  m.metadata = json[2];
  m.sessions = nlohmann::json::object();
  read_sessions(tub, json[3], m);
  read_catalog_list(tub, json[4], m);
  return m;
}

Catalog read_catalog(const fs::path& tub, const std::string& name) {
  std::error_code ec;
  if (!fs::exists(tub / name, ec)) fail(tub, name, "is listed in manifest.json but missing");
  const std::string text = read_file(tub, name);
  bool terminated = true;
  const auto lines = split_lines(text, &terminated);
  Catalog c;
  c.file_bytes = static_cast<std::int64_t>(text.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const bool last = i + 1 == lines.size();
    const std::string file_line = name + " line " + std::to_string(i + 1);
    if (last && !terminated && !nlohmann::json::accept(lines[i])) break;  // cut short
    const auto record = parse_line(tub, file_line, lines[i]);
    const auto index = record.is_object() && record.contains("_index")
                           ? as_index(record["_index"])
                           : std::optional<std::int64_t>();
    if (!index) fail(tub, file_line, "has no _index that is an integer 0..10^15");
    const auto bytes = static_cast<std::int64_t>(lines[i].size()) + 1;
    c.records.push_back(record);
    c.line_lengths.push_back(bytes);
    c.record_bytes += bytes;
    c.last_line_unterminated = last && !terminated;
  }
  if (c.last_line_unterminated) c.record_bytes -= 1;
  return c;
}

std::optional<CatalogManifest> read_catalog_manifest(const fs::path& tub, const std::string& name) {
  const std::string file = name + "_manifest";
  std::error_code ec;
  if (!fs::exists(tub / file, ec)) return {};
  const auto lines = split_lines(read_file(tub, file), nullptr);
  if (lines.empty()) fail(tub, file, "is empty; expected one JSON line with line_lengths");
  const auto json = parse_line(tub, file + " line 1", lines[0]);
  const Fields fields(tub, file + " line 1", json);
  CatalogManifest m;
  m.created_at_s = fields.number("created_at");
  m.line_lengths = fields.indexes("line_lengths", 1);
  m.start_index = fields.index("start_index");
  return m;
}

std::string catalog_manifest_mismatch(const Catalog& catalog, const CatalogManifest& meta) {
  const auto& listed = meta.line_lengths;
  const auto& found = catalog.line_lengths;
  for (std::size_t i = 0; i < std::min(listed.size(), found.size()); ++i) {
    if (listed[i] != found[i]) {
      return "line " + std::to_string(i + 1) + " has " + std::to_string(found[i]) +
             " bytes but line_lengths lists " + std::to_string(listed[i]);
    }
  }
  if (!catalog.records.empty() && meta.start_index &&
      *meta.start_index != catalog.records.front()["_index"].get<std::int64_t>()) {
    return "start_index is " + std::to_string(*meta.start_index) + " but the first record's " +
           "_index is " + catalog.records.front()["_index"].dump();
  }
  return "";
}

std::int64_t session_number_of(const nlohmann::json& record) {
  const auto it = record.find("_session_id");
  if (it == record.end() || !it->is_string()) return -1;
  const std::string id = it->get<std::string>();
  const auto underscore = id.rfind('_');
  if (underscore == std::string::npos || underscore + 1 >= id.size() ||
      id.size() - underscore > 10 ||
      id.find_first_not_of("0123456789", underscore + 1) != std::string::npos) {
    return -1;
  }
  return std::stoll(id.substr(underscore + 1));
}

}  // namespace rcpilot::perception::tub_format
