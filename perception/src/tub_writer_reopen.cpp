// TubWriter: opening an existing tub, and the repairs that keep it readable by Donkey's reader
// (docs/recording.md, "Damaged tubs" and "Durability").
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "perception/tub_writer.hpp"
#include "tub_format.hpp"
#include "tub_io.hpp"

namespace rcpilot::perception {
namespace fs = std::filesystem;

std::vector<std::string> TubWriter::inputs_of(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(fs::path(path) / tub_io::kManifest, ec)) return {};
  try {
    return tub_format::read_manifest(path).inputs;
  } catch (const nlohmann::json::exception& e) {
    throw TubError("tub " + path + " has a damaged manifest (" + e.what() + ")");
  }
}

void TubWriter::open_existing() {
  auto manifest = tub_format::read_manifest(path_);
  if (manifest.inputs != manifest_inputs().get<std::vector<std::string>>() ||
      manifest.types != manifest_types().get<std::vector<std::string>>()) {
    throw TubError((fs::path(path_) / tub_io::kManifest).string() + " is not a tub with inputs " +
                   tub_io::dump(manifest_inputs()) + " of types " + tub_io::dump(manifest_types()) +
                   "; record into a new folder");
  }
  metadata_ = std::move(manifest.metadata);
  created_at_s_ = manifest.created_at_s.value_or(tub_io::epoch_seconds());
  sessions_ = std::move(manifest.sessions);
  session_number_ = manifest.last_session ? *manifest.last_session + 1 : 0;
  paths_ = std::move(manifest.paths);
  current_index_ = manifest.current_index;
  deleted_ = std::move(manifest.deleted);
  // A session killed before close() is missing from the manifest's sessions; its number must
  // not be given out again.
  for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
    const auto catalog = tub_format::read_catalog(path_, *it);
    if (catalog.records.empty()) continue;
    session_number_ =
        std::max(session_number_, tub_format::session_number_of(catalog.records.back()) + 1);
    break;
  }
  while (!paths_.empty()) {
    resume_catalog();
    if (!drop_empty_last_catalog()) break;
  }
  if (manifest.uncommitted) drop_uncommitted_record(*manifest.uncommitted);
  if (!paths_.empty()) {
    align_current_index(manifest.current_index);
    write_catalog_manifest();
  }
  write_manifest(false);
  if (!paths_.empty() && static_cast<int>(line_lengths_.size()) < kMaxCatalogLen) {
    open_catalog_for_append();
  }
}

// A last catalog with no record (an older rcpilot created the next catalog when a session
// opened; Donkey's reader fails on it with "cannot mmap an empty file") is removed from the
// manifest and, when it is an empty file, from the folder. True if it was dropped.
bool TubWriter::drop_empty_last_catalog() {
  if (!line_lengths_.empty()) return false;
  const std::string name = paths_.back();
  const fs::path file = fs::path(path_) / name;
  std::error_code ec;
  if (fs::file_size(file, ec) == 0 && !ec) {
    fs::remove(file, ec);
    fs::remove(fs::path(path_) / (name + "_manifest"), ec);
  }
  paths_.pop_back();
  note_repair("removed the empty catalog " + name + " (Donkey's reader cannot open it)");
  line_indexes_.clear();
  return true;
}

// Donkey's reader counts records by position (len() is current_index minus deleted, deleted
// indexes are positions): the next index must be the position after the last catalog line. A
// kill after manifest.json counted a record whose line never arrived leaves current_index one
// ahead (the index listed as deleted); it is given back. Needs a last catalog with a record.
void TubWriter::align_current_index(std::int64_t manifest_current_index) {
  const std::int64_t next = line_indexes_.back() + 1;
  if (manifest_current_index > next) {
    note_repair("manifest.json counted " + std::to_string(manifest_current_index - next) +
                " record(s) a kill cut short; index " + std::to_string(next) + " is written again");
  }
  deleted_.erase(std::lower_bound(deleted_.begin(), deleted_.end(), next), deleted_.end());
  current_index_ = next;
}

// The record a kill caught between its two manifest.json writes is deleted to every reader;
// when its line made it into the catalog, the line is cut off again so that its index is
// written again and the tub's indexes stay contiguous (the record in flight is lost, as when
// the kill lands earlier).
void TubWriter::drop_uncommitted_record(std::int64_t index) {
  if (paths_.empty() || line_indexes_.size() < 2 || line_indexes_.back() != index ||
      !std::binary_search(deleted_.begin(), deleted_.end(), index)) {
    return;
  }
  std::int64_t keep = 0;
  for (std::size_t i = 0; i + 1 < line_lengths_.size(); ++i) keep += line_lengths_[i];
  const std::string file = (fs::path(path_) / paths_.back()).string();
  if (::truncate(file.c_str(), static_cast<off_t>(keep)) != 0)
    tub_io::fail_errno("truncate", file, errno);
  line_lengths_.pop_back();
  line_indexes_.pop_back();
}

void TubWriter::open_catalog_for_append() {
  if (catalog_fd_ >= 0) ::close(catalog_fd_);
  catalog_fd_ = -1;
  catalog_fd_ =
      tub_io::open_or_throw((fs::path(path_) / paths_.back()).string(), O_WRONLY | O_APPEND);
}

void TubWriter::note_repair(const std::string& text) {
  repair_note_ += (repair_note_.empty() ? "" : "; ") + text;
}

// The next catalog_N.catalog that no file in the folder has: a catalog the manifest does not
// list (left by another program, or by a crash before the manifest named it) is never
// appended to or replaced.
std::string TubWriter::unused_catalog_name() const {
  for (std::size_t n = paths_.size();; ++n) {
    const std::string name = "catalog_" + std::to_string(n) + ".catalog";
    std::error_code ec;
    const fs::path dir(path_);
    const bool listed = std::find(paths_.begin(), paths_.end(), name) != paths_.end();
    if (!listed && !fs::exists(dir / name, ec) && !fs::exists(dir / (name + "_manifest"), ec)) {
      return name;
    }
  }
}

// Continues the last catalog. Its lines are the records (tub_format.hpp): line_lengths is
// rebuilt from them, so a wrong catalog manifest never costs a record; only bytes after the
// last record (a write a crash cut short) are cut off.
void TubWriter::resume_catalog() {
  const std::string& name = paths_.back();
  const auto catalog = tub_format::read_catalog(path_, name);
  const auto meta = tub_format::read_catalog_manifest(path_, name);
  const std::string mismatch =
      meta ? tub_format::catalog_manifest_mismatch(catalog, *meta) : std::string("it is missing");
  if (!mismatch.empty() && !catalog.records.empty()) {
    note_repair(name + "_manifest did not match " + name + " (" + mismatch +
                "); rebuilt it from the catalog's " + std::to_string(catalog.records.size()) +
                " records, none lost");
  }
  line_lengths_ = catalog.line_lengths;
  line_indexes_.clear();
  for (const auto& record : catalog.records) {
    line_indexes_.push_back(record["_index"].get<std::int64_t>());
    current_index_ = std::max(current_index_, line_indexes_.back() + 1);
  }
  catalog_start_index_ = !line_indexes_.empty()      ? line_indexes_.front()
                         : meta && meta->start_index ? *meta->start_index
                                                     : current_index_;
  catalog_created_at_s_ =
      meta && meta->created_at_s ? *meta->created_at_s : tub_io::epoch_seconds();
  const std::string file = (fs::path(path_) / name).string();
  if (catalog.file_bytes > catalog.record_bytes) {
    if (::truncate(file.c_str(), static_cast<off_t>(catalog.record_bytes)) != 0) {
      tub_io::fail_errno("truncate", file, errno);
    }
  }
  if (catalog.last_line_unterminated) {  // a hand-edited last line: give it its '\n'
    const int fd = tub_io::open_or_throw(file, O_WRONLY | O_APPEND);
    try {
      tub_io::write_all(options_.write_fn, fd, "\n", file);
    } catch (const TubError&) {
      ::close(fd);
      throw;
    }
    ::close(fd);
  }
}

}  // namespace rcpilot::perception
