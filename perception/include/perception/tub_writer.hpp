#pragma once
// Records driving data as a Donkey Car "tub v2" (REFERENCE.md section 3), so rcpilot's
// recordings train with Donkey's tools and Donkey's tubs train rcpilot models.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

namespace rcpilot::perception {

class TubError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes one tub folder. Every record: a JPEG under images/, one catalog line (flushed), then
// the catalog manifest and manifest.json are rewritten (write-then-rename), so a crash loses at
// most the record being written. Opening an existing tub appends a new session to it.
// Not thread-safe; meant for the recorder thread (does file I/O on every write()).
class TubWriter {
 public:
  static constexpr int kMaxCatalogLen = 1000;  // records per catalog file (Donkey's max_len)
  // The inputs and types every record carries (write() fills them).
  static const std::vector<std::string>& inputs();
  static const std::vector<std::string>& types();

  // Creates `path` (or opens the tub there). `metadata`: free JSON object stored as manifest
  // line 3 of a new tub. Throws TubError if `path` is a non-empty folder that is not a tub.
  TubWriter(const std::string& path, nlohmann::json metadata = nlohmann::json::object());
  ~TubWriter();
  TubWriter(const TubWriter&) = delete;
  TubWriter& operator=(const TubWriter&) = delete;

  // Appends a record. `bgr`: 8-bit BGR image (stored as an RGB JPEG); `angle`, `throttle`:
  // -1..1 (a NaN is left out of the record); `mode`: user, local_angle or local;
  // `timestamp_ms`: ms since the Unix epoch. Returns the record's index. Throws TubError.
  std::int64_t write(const cv::Mat& bgr, float angle, float throttle, const std::string& mode,
                     std::int64_t timestamp_ms);

  // Writes the session into manifest.json (only if records were written) and closes files.
  // Called by the destructor; safe to call twice.
  void close();

  const std::string& session_id() const { return session_id_; }
  std::int64_t records_written() const { return records_written_; }

 private:
  void create_new(nlohmann::json metadata);
  void open_existing();
  void open_catalog(bool append);
  void write_manifest(bool with_session) const;
  void write_catalog_manifest() const;

  std::string path_;
  bool open_ = false;
  double created_at_s_ = 0.0;                           // epoch seconds when the tub was created
  nlohmann::json metadata_;                             // manifest line 3
  nlohmann::json sessions_ = nlohmann::json::object();  // manifest line 4 "sessions" as read
  std::vector<std::string> paths_;                      // catalog file names, in order
  std::vector<std::int64_t> deleted_;                   // deleted_indexes, kept as read
  std::int64_t current_index_ = 0;                      // index of the next record
  std::string session_id_;                              // "YY-MM-DD_N"
  std::int64_t session_number_ = 0;                     // N
  std::int64_t records_written_ = 0;                    // this session

  std::ofstream catalog_;
  double catalog_created_at_s_ = 0.0;
  std::int64_t catalog_start_index_ = 0;
  std::vector<std::int64_t> line_lengths_;  // chars per line of the current catalog, incl. '\n'
};

}  // namespace rcpilot::perception
