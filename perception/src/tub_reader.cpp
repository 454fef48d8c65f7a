#include "perception/tub_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "perception/jpeg_codec.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

std::vector<std::string> read_lines(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

float number_or_nan(const nlohmann::json& line, const std::string& key) {
  const auto it = line.find(key);
  if (it == line.end() || !it->is_number()) return kMissing;
  return it->get<float>();
}

std::string string_or_empty(const nlohmann::json& line, const std::string& key) {
  const auto it = line.find(key);
  return it != line.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

TubReader::TubReader(const std::string& path) : path_(path) {
  if (!fs::is_directory(path_)) fail("", "is not a folder; pass a tub folder (with manifest.json)");
  read_manifest();
  for (const auto& name : catalogs_) read_catalog(name, deleted_);
  std::stable_sort(records_.begin(), records_.end(),
                   [](const TubRecord& a, const TubRecord& b) { return a.index < b.index; });
  for (const auto& r : records_) {
    if (!r.session_id.empty() &&
        std::find(sessions_.begin(), sessions_.end(), r.session_id) == sessions_.end()) {
      sessions_.push_back(r.session_id);
    }
  }
}

void TubReader::fail(const std::string& file, const std::string& what) const {
  const std::string where = file.empty() ? "tub " + path_ : "tub " + path_ + ": " + file;
  throw TubError(where + " " + what);
}

void TubReader::read_manifest() {
  const fs::path manifest = fs::path(path_) / "manifest.json";
  if (!fs::exists(manifest)) fail("manifest.json", "is missing; is this a Donkey tub v2 folder?");
  const auto lines = read_lines(manifest);
  if (lines.size() < 5) {
    fail("manifest.json", "has " + std::to_string(lines.size()) + " lines, expected 5");
  }
  try {
    inputs_ = nlohmann::json::parse(lines[0]).get<std::vector<std::string>>();
    types_ = nlohmann::json::parse(lines[1]).get<std::vector<std::string>>();
    metadata_ = nlohmann::json::parse(lines[2]);
    const auto line4 = nlohmann::json::parse(lines[3]);
    const auto line5 = nlohmann::json::parse(lines[4]);
    catalogs_ = line5.at("paths").get<std::vector<std::string>>();
    deleted_ = line5.value("deleted_indexes", std::vector<std::int64_t>{});
    if (line4.contains("sessions")) {
      sessions_ = line4["sessions"].value("all_full_ids", std::vector<std::string>{});
    }
  } catch (const nlohmann::json::exception& e) {
    fail("manifest.json", std::string("is not a valid tub manifest: ") + e.what());
  }
  if (inputs_.size() != types_.size()) {
    fail("manifest.json", "lists " + std::to_string(inputs_.size()) + " inputs but " +
                              std::to_string(types_.size()) + " types");
  }
  std::sort(deleted_.begin(), deleted_.end());
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (types_[i] == "image_array" || types_[i] == "image") {
      image_key_ = inputs_[i];
      break;
    }
  }
}

void TubReader::read_catalog(const std::string& name, const std::vector<std::int64_t>& deleted) {
  const fs::path catalog = fs::path(path_) / name;
  if (!fs::exists(catalog)) fail(name, "is listed in manifest.json but missing");
  auto lines = read_lines(catalog);
  // The catalog manifest's line_lengths say how many lines were completely written; a line
  // after them is a crash leftover. Without a catalog manifest every line counts.
  const fs::path meta_path = catalog.string() + "_manifest";
  if (fs::exists(meta_path)) {
    const auto meta_lines = read_lines(meta_path);
    try {
      const auto meta = nlohmann::json::parse(meta_lines.at(0));
      const auto n = meta.at("line_lengths").size();
      if (lines.size() > n) lines.resize(n);
    } catch (const std::exception& e) {
      fail(name + "_manifest", std::string("is not a valid catalog manifest: ") + e.what());
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    const std::string where = name + " line " + std::to_string(i + 1);
    nlohmann::json line;
    try {
      line = nlohmann::json::parse(lines[i]);
    } catch (const nlohmann::json::exception& e) {
      fail(where, std::string("is not valid JSON: ") + e.what());
    }
    TubRecord record = to_record(line, where);
    if (std::binary_search(deleted.begin(), deleted.end(), record.index)) {
      ++deleted_count_;
      continue;
    }
    records_.push_back(std::move(record));
  }
}

TubRecord TubReader::to_record(const nlohmann::json& line, const std::string& where) const {
  if (!line.is_object() || !line.contains("_index") || !line["_index"].is_number_integer()) {
    fail(where, "has no integer _index");
  }
  TubRecord r;
  r.index = line["_index"].get<std::int64_t>();
  r.session_id = string_or_empty(line, "_session_id");
  if (line.contains("_timestamp_ms") && line["_timestamp_ms"].is_number()) {
    r.timestamp_ms = line["_timestamp_ms"].get<std::int64_t>();
  }
  r.timestamp = string_or_empty(line, "timestamp");
  if (!image_key_.empty()) {
    const std::string image = string_or_empty(line, image_key_);
    if (!image.empty()) r.image_path = (fs::path(path_) / "images" / image).string();
  }
  r.angle = number_or_nan(line, "user/angle");
  r.throttle = number_or_nan(line, "user/throttle");
  r.mode = string_or_empty(line, "user/mode");
  r.raw = line;
  return r;
}

std::vector<TubRecord> TubReader::session_records(const std::string& session_id) const {
  std::vector<TubRecord> out;
  for (const auto& r : records_) {
    if (r.session_id == session_id) out.push_back(r);
  }
  return out;
}

cv::Mat TubReader::image(const TubRecord& record) const {
  if (record.image_path.empty()) {
    fail("record " + std::to_string(record.index),
         "has no image (" + (image_key_.empty() ? "no image_array input" : image_key_) + ")");
  }
  cv::Mat bgr;
  try {
    bgr = read_jpeg_file(record.image_path);
  } catch (const JpegError&) {
    fail("images/" + fs::path(record.image_path).filename().string(),
         "is missing or not a readable JPEG (record " + std::to_string(record.index) + ")");
  }
  return bgr;
}

}  // namespace rcpilot::perception
