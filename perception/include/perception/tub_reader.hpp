#pragma once
// Reads a Donkey Car "tub v2" (REFERENCE.md section 3): the tubs rcpilot records and the ones
// Donkey (older versions included) records, for replay cameras and offline evaluation.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core/mat.hpp>

#include "perception/tub_writer.hpp"

namespace rcpilot::perception {

// One catalog line that is not deleted.
struct TubRecord {
  std::int64_t index = 0;          // _index
  std::string session_id;          // _session_id; "" in older tubs that did not write one
  std::int64_t timestamp_ms = -1;  // _timestamp_ms (ms since the Unix epoch); -1 if absent
  std::string timestamp;           // older tubs' `timestamp` string input, as written; "" if none
  std::string image_path;          // full path of the record's image; "" if it has none
  float angle = 0.0f;              // user/angle, -1..1; NaN if absent (null values are left out)
  float throttle = 0.0f;           // user/throttle, -1..1; NaN if absent
  std::string mode;                // user/mode; "" if absent
  nlohmann::json raw;              // the whole catalog line
};

// Reads manifest.json and every catalog it lists (manifest paths, in order), skipping
// deleted_indexes. Every line of a catalog is a record (a last line a crash cut short is
// not); catalog manifests are not needed. Throws TubError naming the tub, the file and the
// line or field when anything is unreadable.
class TubReader {
 public:
  // Reads the whole catalog into memory (images stay on disk until image()).
  explicit TubReader(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<std::string>& inputs() const { return inputs_; }  // manifest line 1
  const std::vector<std::string>& types() const { return types_; }    // manifest line 2
  const nlohmann::json& metadata() const { return metadata_; }        // manifest line 3
  // Records not deleted, in index order.
  const std::vector<TubRecord>& records() const { return records_; }
  // Session ids: the manifest's all_full_ids, then ids only seen in records (a session that
  // crashed before closing), in first-seen order. Empty for tubs without sessions.
  const std::vector<std::string>& sessions() const { return sessions_; }
  // Records of one session, in index order.
  std::vector<TubRecord> session_records(const std::string& session_id) const;
  // Number of catalog records skipped because their index is in deleted_indexes.
  std::size_t deleted_count() const { return deleted_count_; }
  // The manifest's deleted_indexes (records readers skip).
  const std::vector<std::int64_t>& deleted_indexes() const { return deleted_; }

  // Loads the record's image as 8-bit BGR. Throws TubError naming the file when it is
  // missing or cannot be decoded, or the record has no image.
  cv::Mat image(const TubRecord& record) const;

 private:
  void read_manifest();
  void read_catalog(const std::string& name, const std::vector<std::int64_t>& deleted);
  TubRecord to_record(const nlohmann::json& line) const;
  [[noreturn]] void fail(const std::string& file, const std::string& what) const;

  std::string path_;
  std::vector<std::string> inputs_;
  std::vector<std::string> types_;
  nlohmann::json metadata_;
  std::vector<std::string> catalogs_;
  std::vector<std::int64_t> deleted_;
  std::string image_key_;  // first input of type image_array; "" if none
  std::vector<TubRecord> records_;
  std::vector<std::string> sessions_;
  std::size_t deleted_count_ = 0;
};

}  // namespace rcpilot::perception
