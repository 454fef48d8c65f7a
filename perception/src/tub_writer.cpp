#include "perception/tub_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "perception/jpeg_codec.hpp"
#include "tub_format.hpp"
#include "tub_io.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;
using tub_io::dump;
using tub_io::epoch_seconds;
using tub_io::fail_errno;
using tub_io::kManifest;
using tub_io::open_or_throw;
using tub_io::write_all;
namespace {

constexpr const char* kImageKey = "cam/image_array";

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

// Creates (or replaces) `path` with `data`; on failure removes what it wrote.
void write_file(const TubWriteFn& write_fn, const std::string& path, const std::string& data) {
  const int fd = open_or_throw(path, O_WRONLY | O_CREAT | O_TRUNC);
  try {
    write_all(write_fn, fd, data, path);
  } catch (const TubError&) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    fail_errno("write", path, err);
  }
}

// Whether `dir` holds anything beyond an empty images/ (what a session that recorded nothing
// in a new folder leaves).
bool holds_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() != "images" || !fs::is_directory(entry.path(), ec) ||
        !fs::is_empty(entry.path(), ec)) {
      return true;
    }
  }
  return false;
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

TubWriter::TubWriter(const std::string& path, nlohmann::json metadata, TubOptions options)
    : path_(path), options_(std::move(options)) {
  const bool has_files = holds_files(path_);
  try {
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
  } catch (const nlohmann::json::exception& e) {
    // A manifest or catalog manifest with a missing or mistyped field (found by fuzz/
    // tub_reopen): refuse it like any other damaged tub.
    throw TubError("tub " + path_ + " has a damaged manifest (" + e.what() +
                   "); record into a new folder");
  } catch (const std::out_of_range& e) {  // an empty catalog manifest
    throw TubError("tub " + path_ + " has an empty catalog manifest (" + e.what() +
                   "); record into a new folder");
  }
  open_ = true;
}

TubWriter::~TubWriter() {
  try {
    close();
  } catch (const std::exception&) {
    // A destructor must not throw; close() explicitly to see the error.
  }
  if (catalog_fd_ >= 0) ::close(catalog_fd_);
}

nlohmann::json TubWriter::manifest_inputs() const {
  nlohmann::json keys = inputs();
  for (const auto& f : options_.extra_inputs) keys.push_back(f.key);
  return keys;
}

nlohmann::json TubWriter::manifest_types() const {
  nlohmann::json names = types();
  for (const auto& f : options_.extra_inputs) names.push_back(f.type);
  return names;
}

void TubWriter::create_new(nlohmann::json metadata) {
  try {
    fs::create_directories(fs::path(path_));
  } catch (const fs::filesystem_error& e) {
    throw TubError("cannot create tub folder " + path_ + ": " + e.code().message());
  }
  created_at_s_ = epoch_seconds();
  metadata_ = metadata.is_object() ? std::move(metadata) : nlohmann::json::object();
  session_number_ = 0;
}

std::int64_t TubWriter::write(const cv::Mat& bgr, float angle, float throttle,
                              const std::string& mode, std::int64_t timestamp_ms,
                              const nlohmann::json& extras) {
  if (!open_) throw TubError("tub " + path_ + " is closed");
  const std::int64_t index = current_index_;
  const std::string image = image_name(index);
  nlohmann::json record = {{"_index", index},
                           {"_session_id", session_id_},
                           {"_timestamp_ms", timestamp_ms},
                           {kImageKey, image},
                           {"user/mode", mode}};
  if (std::isfinite(angle)) record["user/angle"] = tidy(angle);  // null values are left out
  if (std::isfinite(throttle)) record["user/throttle"] = tidy(throttle);
  for (const auto& [key, value] : extras.items()) {
    const std::string& name = key;  // C++17 lambdas cannot capture a structured binding (clang)
    const auto field = std::find_if(options_.extra_inputs.begin(), options_.extra_inputs.end(),
                                    [&](const TubField& f) { return f.key == name; });
    if (field == options_.extra_inputs.end()) {
      throw TubError("record key " + key + " is not an input of tub " + path_);
    }
    if (value.is_null() || (value.is_number_float() && !std::isfinite(value.get<double>()))) {
      continue;
    }
    record[key] = value.is_number_float() ? nlohmann::json(tidy(value.get<float>())) : value;
  }
  write_image(bgr, image);
  const std::string line = dump(record) + "\n";
  if (catalog_fd_ < 0 || static_cast<int>(line_lengths_.size()) >= kMaxCatalogLen) {
    start_catalog(line, index);
  } else {
    append_record(line, index);
  }
  ++records_written_;
  return index;
}

// The first record of a catalog: the catalog file appears whole (written, then renamed into
// place), then its manifest, and only then does manifest.json list it, so no reader ever meets
// an empty or missing catalog. A kill before that leaves a catalog file manifest.json does not
// list: every reader ignores it and unused_catalog_name() never picks its name again.
void TubWriter::start_catalog(const std::string& line, std::int64_t index) {
  const std::string name = unused_catalog_name();
  write_atomically(name, line);
  const int fd = open_or_throw((fs::path(path_) / name).string(), O_WRONLY | O_APPEND);
  if (catalog_fd_ >= 0) ::close(catalog_fd_);
  catalog_fd_ = fd;
  paths_.push_back(name);
  line_lengths_ = {static_cast<std::int64_t>(line.size())};
  line_indexes_ = {index};
  catalog_start_index_ = index;
  catalog_created_at_s_ = epoch_seconds();
  current_index_ = index + 1;
  try {
    write_catalog_manifest();
    write_manifest(false);
  } catch (const TubError&) {
    // Not listed: the next record starts another catalog.
    paths_.pop_back();
    ::close(catalog_fd_);
    catalog_fd_ = -1;
    line_lengths_.clear();
    line_indexes_.clear();
    current_index_ = index;
    throw;
  }
}

// A record in the open catalog, committed by the second manifest.json (see the class comment).
void TubWriter::append_record(const std::string& line, std::int64_t index) {
  pending_index_ = index;
  current_index_ = index + 1;
  try {
    write_manifest(false);
  } catch (const TubError&) {
    pending_index_.reset();
    current_index_ = index;
    throw;
  }
  try {
    append_catalog_line(line);
  } catch (const TubError&) {
    // The line is cut off again; un-count the record (a failure here leaves it counted and
    // deleted, which every reader reads consistently and the next open gives back).
    pending_index_.reset();
    current_index_ = index;
    try {
      write_manifest(false);
    } catch (const TubError&) {
    }
    throw;
  }
  line_indexes_.push_back(index);
  try {
    write_catalog_manifest();
    pending_index_.reset();
    write_manifest(false);
  } catch (const TubError&) {
    // The line stays, deleted, as manifest.json on disk says.
    pending_index_.reset();
    deleted_.insert(std::upper_bound(deleted_.begin(), deleted_.end(), index), index);
    throw;
  }
}

void TubWriter::write_image(const cv::Mat& bgr, const std::string& name) {
  if (!images_ready_) {
    std::error_code ec;
    fs::create_directories(fs::path(path_) / "images", ec);
    if (ec) throw TubError("cannot create " + path_ + "/images: " + ec.message());
    images_ready_ = true;
  }
  std::vector<unsigned char> jpeg;
  try {
    encode_jpeg(bgr, options_.jpeg_quality, jpeg);
  } catch (const JpegError& e) {
    throw TubError("cannot encode image " + name + " as JPEG: " + e.what());
  }
  write_file(options_.write_fn, (fs::path(path_) / "images" / name).string(),
             std::string(jpeg.begin(), jpeg.end()));
}

void TubWriter::append_catalog_line(const std::string& line) {
  try {
    write_all(options_.write_fn, catalog_fd_, line, path_ + "/" + paths_.back());
  } catch (const TubError&) {
    // Cut a partial line off again (readers ignore it anyway: line_lengths does not list it).
    std::int64_t bytes = 0;
    for (const auto n : line_lengths_) bytes += n;
    if (::ftruncate(catalog_fd_, static_cast<off_t>(bytes)) != 0) {
      // Nothing more to do: the next open truncates to line_lengths.
    }
    throw;
  }
  line_lengths_.push_back(static_cast<std::int64_t>(line.size()));
}

std::int64_t TubWriter::erase_last(std::int64_t n) {
  if (!open_) throw TubError("tub " + path_ + " is closed");
  const std::vector<std::int64_t> before = deleted_;
  std::vector<std::int64_t> chosen;
  // Newest catalog first; older catalogs are read from disk only when needed.
  for (std::size_t k = paths_.size(); k-- > 0 && static_cast<std::int64_t>(chosen.size()) < n;) {
    std::vector<std::int64_t> indexes = line_indexes_;
    if (k + 1 != paths_.size()) {
      indexes.clear();
      for (const auto& r : tub_format::read_catalog(path_, paths_[k]).records) {
        indexes.push_back(r["_index"].get<std::int64_t>());
      }
    }
    std::sort(indexes.rbegin(), indexes.rend());
    for (const auto index : indexes) {
      if (static_cast<std::int64_t>(chosen.size()) >= n) break;
      if (std::binary_search(before.begin(), before.end(), index)) continue;
      if (std::find(chosen.begin(), chosen.end(), index) == chosen.end()) chosen.push_back(index);
    }
  }
  if (chosen.empty()) return 0;
  deleted_.insert(deleted_.end(), chosen.begin(), chosen.end());
  std::sort(deleted_.begin(), deleted_.end());
  try {
    write_manifest(false);
  } catch (const TubError&) {
    deleted_ = before;
    throw;
  }
  return static_cast<std::int64_t>(chosen.size());
}

std::int64_t TubWriter::mark_range(std::int64_t first, std::int64_t last, bool deleted) {
  if (!open_) throw TubError("tub " + path_ + " is closed");
  const std::vector<std::int64_t> before = deleted_;
  std::int64_t changed = 0;
  for (std::int64_t i = std::max<std::int64_t>(first, 0); i <= std::min(last, current_index_ - 1);
       ++i) {
    if (pending_index_ && *pending_index_ == i) continue;  // being written: stays deleted
    const auto at = std::lower_bound(deleted_.begin(), deleted_.end(), i);
    const bool is_deleted = at != deleted_.end() && *at == i;
    if (deleted && !is_deleted) {
      deleted_.insert(at, i);
      ++changed;
    } else if (!deleted && is_deleted) {
      deleted_.erase(at);
      ++changed;
    }
  }
  if (changed == 0) return 0;
  try {
    write_manifest(false);
  } catch (const TubError&) {
    deleted_ = before;
    throw;
  }
  return changed;
}

void TubWriter::sync() {
  const int fd = open_or_throw(path_, O_RDONLY | O_DIRECTORY);
  const int rc = ::syncfs(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) fail_errno("sync", path_, err);
}

void TubWriter::close() {
  if (!open_) return;
  open_ = false;
  if (catalog_fd_ >= 0) ::close(catalog_fd_);
  catalog_fd_ = -1;
  if (!paths_.empty()) write_manifest(records_written_ > 0);  // a new tub with no record: none
}

void TubWriter::write_manifest(bool with_session) const {
  nlohmann::json sessions = sessions_;
  if (with_session) {
    auto ids = sessions.value("all_full_ids", std::vector<std::string>{});
    ids.push_back(session_id_);
    sessions = {{"all_full_ids", ids}, {"last_id", session_number_}, {"last_full_id", session_id_}};
  }
  std::vector<std::int64_t> deleted = deleted_;
  if (pending_index_) {
    deleted.insert(std::upper_bound(deleted.begin(), deleted.end(), *pending_index_),
                   *pending_index_);
  }
  nlohmann::json line4 = {{"created_at", created_at_s_}};
  if (!sessions.empty()) line4["sessions"] = sessions;
  nlohmann::json line5 = {{"paths", paths_},
                          {"current_index", current_index_},
                          {"max_len", kMaxCatalogLen},
                          {"deleted_indexes", deleted}};
  if (pending_index_) line5["rcpilot_uncommitted"] = *pending_index_;
  std::ostringstream text;
  text << dump(manifest_inputs()) << "\n"
       << dump(manifest_types()) << "\n"
       << dump(metadata_) << "\n"
       << dump(line4) << "\n"
       << dump(line5) << "\n";
  write_atomically(kManifest, text.str());
}

void TubWriter::write_catalog_manifest() const {
  const nlohmann::json meta = {{"created_at", catalog_created_at_s_},
                               {"line_lengths", line_lengths_},
                               {"path", paths_.back() + "_manifest"},
                               {"start_index", catalog_start_index_}};
  write_atomically(paths_.back() + "_manifest", dump(meta) + "\n");
}

// Write-then-rename, so readers (and a crash) see the old or the new file, never half of one.
void TubWriter::write_atomically(const std::string& name, const std::string& text) const {
  const std::string path = (fs::path(path_) / name).string();
  const std::string tmp = path + ".tmp";
  write_file(options_.write_fn, tmp, text);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    fail_errno("replace", path, err);
  }
}

}  // namespace rcpilot::perception
