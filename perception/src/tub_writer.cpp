#include "perception/tub_writer.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include <opencv2/imgcodecs.hpp>

namespace rcpilot::perception {
namespace fs = std::filesystem;
namespace {

constexpr const char* kManifest = "manifest.json";
constexpr const char* kImageKey = "cam/image_array";

// Python's json.dumps escapes non-ASCII; so do we, so line_lengths count characters = bytes.
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', true); }

double epoch_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string today_yy_mm_dd() {
  const std::time_t t = std::time(nullptr);
  std::tm local{};
  localtime_r(&t, &local);
  char buf[16];
  std::strftime(buf, sizeof buf, "%y-%m-%d", &local);
  return buf;
}

// Six significant digits: a float written as a double would print as 0.10000000149011612.
double tidy(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(v));
  return std::strtod(buf, nullptr);
}

// Write-then-rename, so readers (and a crash) see the old or the new file, never half of one.
void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw TubError("cannot write " + tmp.string() + "; check disk space and permissions");
  }
  fs::rename(tmp, path);
}

std::vector<nlohmann::json> read_json_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::string image_name(std::int64_t index) {
  std::string key = kImageKey;
  for (auto& c : key) c = c == '/' ? '_' : c;
  return std::to_string(index) + "_" + key + "_.jpg";
}

}  // namespace

const std::vector<std::string>& TubWriter::inputs() {
  static const std::vector<std::string> v{kImageKey, "user/angle", "user/throttle", "user/mode"};
  return v;
}

const std::vector<std::string>& TubWriter::types() {
  static const std::vector<std::string> v{"image_array", "float", "float", "str"};
  return v;
}

TubWriter::TubWriter(const std::string& path, nlohmann::json metadata) : path_(path) {
  std::error_code ec;
  const bool has_files = fs::is_directory(path_, ec) && !fs::is_empty(path_, ec);
  if (fs::exists(fs::path(path_) / kManifest)) {
    open_existing();
  } else if (has_files || (fs::exists(path_) && !fs::is_directory(path_))) {
    throw TubError(path_ +
                   " exists, is not empty and is not a tub (no manifest.json); record "
                   "into a new or empty folder");
  } else {
    create_new(std::move(metadata));
  }
  session_id_ = today_yy_mm_dd() + "_" + std::to_string(session_number_);
  open_catalog(!paths_.empty());
  open_ = true;
}

TubWriter::~TubWriter() {
  try {
    close();
  } catch (const std::exception&) {
    // A destructor must not throw; close() explicitly to see the error.
  }
}

void TubWriter::create_new(nlohmann::json metadata) {
  fs::create_directories(fs::path(path_) / "images");
  created_at_s_ = epoch_seconds();
  metadata_ = metadata.is_object() ? std::move(metadata) : nlohmann::json::object();
  session_number_ = 0;
}

void TubWriter::open_existing() {
  const fs::path manifest = fs::path(path_) / kManifest;
  std::vector<nlohmann::json> lines;
  try {
    lines = read_json_lines(manifest);
  } catch (const nlohmann::json::exception& e) {
    throw TubError(manifest.string() + " is not valid JSON lines (" + e.what() +
                   "); record into a new folder");
  }
  if (lines.size() < 5 || lines[0] != nlohmann::json(inputs())) {
    throw TubError(manifest.string() + " is not a tub with inputs " + dump(inputs()) +
                   "; record into a new folder");
  }
  metadata_ = lines[2];
  created_at_s_ = lines[3].value("created_at", epoch_seconds());
  sessions_ = lines[3].value("sessions", nlohmann::json::object());
  session_number_ =
      sessions_.contains("last_id") ? sessions_["last_id"].get<std::int64_t>() + 1 : 0;
  paths_ = lines[4].at("paths").get<std::vector<std::string>>();
  current_index_ = lines[4].at("current_index").get<std::int64_t>();
  deleted_ = lines[4].value("deleted_indexes", std::vector<std::int64_t>{});
  fs::create_directories(fs::path(path_) / "images");
}

void TubWriter::open_catalog(bool append) {
  line_lengths_.clear();
  if (append) {
    const fs::path catalog = fs::path(path_) / paths_.back();
    const auto meta = read_json_lines(catalog.string() + "_manifest").at(0);
    line_lengths_ = meta.at("line_lengths").get<std::vector<std::int64_t>>();
    catalog_start_index_ = meta.at("start_index").get<std::int64_t>();
    catalog_created_at_s_ = meta.value("created_at", epoch_seconds());
    if (static_cast<int>(line_lengths_.size()) >= kMaxCatalogLen) return open_catalog(false);
    // Drop a line a crash left behind after the last recorded line length.
    std::int64_t bytes = 0;
    for (const auto n : line_lengths_) bytes += n;
    fs::resize_file(catalog, static_cast<std::uintmax_t>(bytes));
  } else {
    paths_.push_back("catalog_" + std::to_string(paths_.size()) + ".catalog");
    catalog_start_index_ = current_index_;
    catalog_created_at_s_ = epoch_seconds();
  }
  catalog_.close();
  catalog_.clear();
  catalog_.open(fs::path(path_) / paths_.back(), std::ios::app);
  if (!catalog_) throw TubError("cannot open " + path_ + "/" + paths_.back() + " for writing");
  write_catalog_manifest();
  write_manifest(false);
}

std::int64_t TubWriter::write(const cv::Mat& bgr, float angle, float throttle,
                              const std::string& mode, std::int64_t timestamp_ms) {
  if (!open_) throw TubError("tub " + path_ + " is closed");
  if (static_cast<int>(line_lengths_.size()) >= kMaxCatalogLen) open_catalog(false);
  const std::int64_t index = current_index_;
  const std::string image = image_name(index);
  // imwrite takes BGR and stores a standard (RGB) JPEG.
  if (!cv::imwrite((fs::path(path_) / "images" / image).string(), bgr)) {
    throw TubError("cannot write image " + image + " into " + path_ + "/images");
  }
  nlohmann::json record = {{"_index", index},
                           {"_session_id", session_id_},
                           {"_timestamp_ms", timestamp_ms},
                           {kImageKey, image},
                           {"user/mode", mode}};
  if (std::isfinite(angle)) record["user/angle"] = tidy(angle);  // null values are left out
  if (std::isfinite(throttle)) record["user/throttle"] = tidy(throttle);
  const std::string line = dump(record) + "\n";
  catalog_ << line;
  catalog_.flush();
  if (!catalog_) throw TubError("cannot append to " + path_ + "/" + paths_.back());
  line_lengths_.push_back(static_cast<std::int64_t>(line.size()));
  ++current_index_;
  ++records_written_;
  write_catalog_manifest();
  write_manifest(false);
  return index;
}

void TubWriter::close() {
  if (!open_) return;
  open_ = false;
  catalog_.close();
  write_manifest(records_written_ > 0);
}

void TubWriter::write_manifest(bool with_session) const {
  nlohmann::json sessions = sessions_;
  if (with_session) {
    auto ids = sessions.value("all_full_ids", std::vector<std::string>{});
    ids.push_back(session_id_);
    sessions = {{"all_full_ids", ids}, {"last_id", session_number_}, {"last_full_id", session_id_}};
  }
  nlohmann::json line4 = {{"created_at", created_at_s_}};
  if (!sessions.empty()) line4["sessions"] = sessions;
  const nlohmann::json line5 = {{"paths", paths_},
                                {"current_index", current_index_},
                                {"max_len", kMaxCatalogLen},
                                {"deleted_indexes", deleted_}};
  std::ostringstream text;
  text << dump(inputs()) << "\n"
       << dump(types()) << "\n"
       << dump(metadata_) << "\n"
       << dump(line4) << "\n"
       << dump(line5) << "\n";
  write_atomically(fs::path(path_) / kManifest, text.str());
}

void TubWriter::write_catalog_manifest() const {
  const nlohmann::json meta = {{"created_at", catalog_created_at_s_},
                               {"line_lengths", line_lengths_},
                               {"path", paths_.back()},
                               {"start_index", catalog_start_index_}};
  write_atomically(fs::path(path_) / (paths_.back() + "_manifest"), dump(meta) + "\n");
}

}  // namespace rcpilot::perception
