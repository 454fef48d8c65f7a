#include "perception/tub_reader.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "perception/jpeg_codec.hpp"
#include "tub_format.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

float number_or_nan(const nlohmann::json& line, const std::string& key) {
  const auto it = line.find(key);
  if (it == line.end() || !it->is_number()) return kMissing;
  // A double beyond float's range is +-inf (a plain cast would be undefined behaviour).
  const double v = it->get<double>();
  if (std::abs(v) > std::numeric_limits<float>::max()) {
    return v > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(v);
}

// An integer number of ms, or -1 when absent or not one (a float beyond int64 would be UB).
std::int64_t milliseconds_or_none(const nlohmann::json& line, const std::string& key) {
  const auto it = line.find(key);
  if (it == line.end() || !it->is_number()) return -1;
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    return v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())
               ? -1
               : static_cast<std::int64_t>(v);
  }
  if (it->is_number_integer()) return it->get<std::int64_t>();
  const double v = it->get<double>();
  return std::isfinite(v) && std::abs(v) < 9e18 ? static_cast<std::int64_t>(v) : -1;
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
  throw TubError(tub_format::where(path_, file) + " " + what);
}

void TubReader::read_manifest() {
  auto manifest = tub_format::read_manifest(path_);
  inputs_ = std::move(manifest.inputs);
  types_ = std::move(manifest.types);
  metadata_ = std::move(manifest.metadata);
  catalogs_ = std::move(manifest.paths);
  deleted_ = std::move(manifest.deleted);
  sessions_ = std::move(manifest.session_ids);
  for (std::size_t i = 0; i < inputs_.size(); ++i) {
    if (types_[i] == "image_array" || types_[i] == "image") {
      image_key_ = inputs_[i];
      break;
    }
  }
}

// Every record line counts (tub_format.hpp); line_lengths is only an index into them.
void TubReader::read_catalog(const std::string& name, const std::vector<std::int64_t>& deleted) {
  const auto catalog = tub_format::read_catalog(path_, name);
  for (const auto& line : catalog.records) {
    TubRecord record = to_record(line);
    if (std::binary_search(deleted.begin(), deleted.end(), record.index)) {
      ++deleted_count_;
      continue;
    }
    records_.push_back(std::move(record));
  }
}

// `line`: a catalog record as tub_format::read_catalog checked it (an object with _index).
TubRecord TubReader::to_record(const nlohmann::json& line) const {
  TubRecord r;
  r.index = line["_index"].get<std::int64_t>();
  r.session_id = string_or_empty(line, "_session_id");
  r.timestamp_ms = milliseconds_or_none(line, "_timestamp_ms");
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
