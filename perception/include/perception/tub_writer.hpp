#pragma once
// Records driving data as a Donkey Car "tub v2" (REFERENCE.md section 3), so rcpilot's
// recordings train with Donkey's tools and Donkey's tubs train rcpilot models.
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

namespace rcpilot::perception {

class TubError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// write(2) as the writer calls it for every byte it stores: bytes written, or -1 with errno
// set. Tests pass one that fails like a full disk.
using TubWriteFn = std::function<ssize_t(int fd, const void* data, std::size_t size)>;

// An input beyond the four every record has, e.g. {"rcpilot/throttle_sent", "float"}.
struct TubField {
  std::string key;   // catalog key
  std::string type;  // Donkey type: float, int, str or boolean
};

struct TubOptions {
  std::vector<TubField> extra_inputs;  // listed in the manifest after the four standard inputs
  int jpeg_quality = 95;               // 1..100
  TubWriteFn write_fn;                 // empty: ::write
};

// Writes one tub folder, in an order that leaves a tub Donkey's own reader reads consistently
// (its len() equal to what it iterates) after a kill at any point (docs/recording.md):
// 1. the JPEG under images/;
// 2. manifest.json (write-then-rename) with current_index counting the new record and its
//    index in deleted_indexes (and as rcpilot_uncommitted), so a line that is missing, cut
//    short or not yet listed is a deleted record to every reader;
// 3. the catalog line (appended), 4. the catalog manifest (write-then-rename);
// 5. manifest.json again without the index: the record is committed.
// Reopening a tub a kill left between 2 and 5 cuts the uncommitted record off, so its index is
// written again and indexes stay contiguous (Donkey counts records by position).
// A catalog file is created with its first record (written whole, then renamed into place) and
// listed in manifest.json only after it and its catalog manifest exist, so no reader ever sees
// an empty or missing catalog (Donkey's reader cannot map an empty file). All writes use
// write(2) with no user-space buffering. A failed write throws TubError naming the file and the
// errno text and leaves what was recorded before readable. sync() makes it survive a power
// loss too. Opening an existing tub appends a new session to it; a catalog manifest that does
// not match its catalog is rebuilt from the catalog's lines, never the other way round. Not
// thread-safe; meant for one recording thread.
class TubWriter {
 public:
  static constexpr int kMaxCatalogLen = 1000;  // records per catalog file (Donkey's max_len)
  // The inputs and types every record carries (write() fills them).
  static const std::vector<std::string>& inputs();
  static const std::vector<std::string>& types();
  // The input keys of the tub at `path` (manifest.json line 1); empty when it has no
  // manifest.json yet. Throws TubError naming the file when it cannot be read.
  static std::vector<std::string> inputs_of(const std::string& path);

  // Creates the folder `path` (or opens the tub there); manifest.json, images/ and the first
  // catalog appear with the first record. `metadata`: free JSON object stored as manifest
  // line 3 of a new tub. Throws TubError if `path` is a non-empty folder that is not a tub, or
  // a tub whose inputs are not inputs() + options.extra_inputs.
  TubWriter(const std::string& path, nlohmann::json metadata = nlohmann::json::object(),
            TubOptions options = {});
  ~TubWriter();
  TubWriter(const TubWriter&) = delete;
  TubWriter& operator=(const TubWriter&) = delete;

  // Appends a record. `bgr`: 8-bit BGR image (stored as an RGB JPEG); `angle`, `throttle`:
  // -1..1 (a NaN is left out of the record); `mode`: user, local_angle or local;
  // `timestamp_ms`: ms since the Unix epoch; `extras`: values of extra inputs by key (null
  // and NaN are left out). Returns the record's index. Throws TubError.
  std::int64_t write(const cv::Mat& bgr, float angle, float throttle, const std::string& mode,
                     std::int64_t timestamp_ms,
                     const nlohmann::json& extras = nlohmann::json::object());

  // Soft-deletes the `n` newest records (highest _index in the catalogs) not yet deleted, in
  // any session, as Donkey's delete_last_n_records: their indexes go into deleted_indexes,
  // files stay. Returns how many were newly deleted. Throws TubError naming the file when a
  // catalog it needs is unreadable; then nothing is changed.
  std::int64_t erase_last(std::int64_t n);
  // Soft-deletes (`deleted` true) or restores the records with indexes first .. last
  // (inclusive, clipped to the records written so far), as Donkey's tubclean: only
  // deleted_indexes changes, files stay. Returns how many changed. Throws TubError naming the
  // file when the manifest cannot be written; then nothing is changed.
  std::int64_t mark_range(std::int64_t first, std::int64_t last, bool deleted);

  // Flushes everything written so far to the storage device (syncfs), so a power loss keeps
  // it. Throws TubError with the errno text.
  void sync();

  // Writes the session into manifest.json (only if records were written) and closes files.
  // Called by the destructor; safe to call twice. Throws TubError.
  void close();

  const std::string& path() const { return path_; }
  const std::string& session_id() const { return session_id_; }
  std::int64_t records_written() const { return records_written_; }
  const std::vector<std::int64_t>& deleted_indexes() const { return deleted_; }
  // What opening the tub had to repair (a catalog manifest that did not match its catalog, an
  // empty catalog left by an older rcpilot, a record a kill cut short), for the operator; ""
  // if nothing.
  const std::string& repair_note() const { return repair_note_; }

 private:
  void create_new(nlohmann::json metadata);
  void open_existing();
  bool drop_empty_last_catalog();
  void resume_catalog();
  void drop_uncommitted_record(std::int64_t index);
  void align_current_index(std::int64_t manifest_current_index);
  void open_catalog_for_append();
  std::string unused_catalog_name() const;
  void start_catalog(const std::string& line, std::int64_t index);
  void append_record(const std::string& line, std::int64_t index);
  void write_manifest(bool with_session) const;
  void write_catalog_manifest() const;
  void write_image(const cv::Mat& bgr, const std::string& name);
  void append_catalog_line(const std::string& line);
  void note_repair(const std::string& text);
  void write_atomically(const std::string& name, const std::string& text) const;
  nlohmann::json manifest_inputs() const;
  nlohmann::json manifest_types() const;

  std::string path_;
  TubOptions options_;
  bool open_ = false;
  double created_at_s_ = 0.0;                           // epoch seconds when the tub was created
  nlohmann::json metadata_;                             // manifest line 3
  nlohmann::json sessions_ = nlohmann::json::object();  // manifest line 4 "sessions" as read
  std::vector<std::string> paths_;                      // catalog file names, in order
  std::vector<std::int64_t> deleted_;                   // deleted_indexes, sorted
  std::int64_t current_index_ = 0;                      // index of the next record
  std::string session_id_;                              // "YY-MM-DD_N"
  std::int64_t session_number_ = 0;                     // N
  std::int64_t records_written_ = 0;                    // this session

  std::optional<std::int64_t> pending_index_;  // written as deleted until committed (write())
  bool images_ready_ = false;                  // images/ exists

  int catalog_fd_ = -1;  // the current catalog, opened for appending; -1: start a new one
  double catalog_created_at_s_ = 0.0;
  std::int64_t catalog_start_index_ = 0;
  std::vector<std::int64_t> line_lengths_;  // chars per line of the current catalog, incl. '\n'
  std::vector<std::int64_t> line_indexes_;  // _index of each line of the current catalog
  std::string repair_note_;                 // repair_note()
};

}  // namespace rcpilot::perception
