#pragma once
// Parsing of a tub's files (REFERENCE.md section 3), shared by TubReader and TubWriter so both
// see the same records. Every error is a TubError naming the tub, the file, the line and the
// field, and what to do.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "perception/tub_writer.hpp"

namespace rcpilot::perception::tub_format {

// manifest.json, checked field by field.
struct Manifest {
  std::vector<std::string> inputs;           // line 1
  std::vector<std::string> types;            // line 2, as many as inputs
  nlohmann::json metadata;                   // line 3
  std::optional<double> created_at_s;        // line 4 created_at, epoch seconds
  std::vector<std::string> session_ids;      // line 4 sessions.all_full_ids
  std::optional<std::int64_t> last_session;  // line 4 sessions.last_id
  nlohmann::json sessions;                   // line 4 sessions as written ({} if none)
  std::vector<std::string> paths;            // line 5 catalog file names
  std::int64_t current_index = 0;            // line 5, >= 0
  std::vector<std::int64_t> deleted;         // line 5 deleted_indexes, sorted
  // line 5 rcpilot_uncommitted: the record TubWriter was writing (listed as deleted until
  // committed) when it was killed; Donkey ignores the field.
  std::optional<std::int64_t> uncommitted;
};

// Reads <tub>/manifest.json. Throws TubError naming the file, line and field.
Manifest read_manifest(const std::filesystem::path& tub);

// One catalog file. The catalog lines are the records: every line that ends in '\n' is one,
// and so is a last line without '\n' that is a whole record (a hand-edited file). A last piece
// that is not a whole record is a write a crash cut short and is not a record. The catalog
// manifest's line_lengths is only an index into these lines (see catalog_manifest_matches).
struct Catalog {
  std::vector<nlohmann::json> records;     // each an object with an integer _index >= 0
  std::vector<std::int64_t> line_lengths;  // bytes of each record's line, incl. its '\n'
  std::int64_t record_bytes = 0;           // bytes of the record lines, '\n' included
  bool last_line_unterminated = false;     // the last record's line lacks its '\n'
  std::int64_t file_bytes = 0;             // size of the file
};

// Reads <tub>/<name>. Throws TubError naming the file (missing, unreadable) or the file and
// line (not JSON, no integer _index).
Catalog read_catalog(const std::filesystem::path& tub, const std::string& name);

// <name>_manifest: one JSON line.
struct CatalogManifest {
  std::optional<double> created_at_s;       // epoch seconds
  std::vector<std::int64_t> line_lengths;   // chars per catalog line incl. '\n'
  std::optional<std::int64_t> start_index;  // _index of the catalog's first record
};

// Reads <tub>/<name>_manifest; nullopt when the file does not exist. Throws TubError naming
// the file and field when it exists but is not a valid catalog manifest.
std::optional<CatalogManifest> read_catalog_manifest(const std::filesystem::path& tub,
                                                     const std::string& name);

// "" when `meta` agrees with `catalog` on the lines both have and on start_index; otherwise what
// differs, for the operator. Listing fewer or more lines is not reported: a kill between the
// catalog line and its manifest, or a power loss, leaves that.
std::string catalog_manifest_mismatch(const Catalog& catalog, const CatalogManifest& meta);

// N of a record's _session_id "YY-MM-DD_N" (up to 9 digits); -1 if it has none.
std::int64_t session_number_of(const nlohmann::json& record);

// `tub`/`file` for error texts.
std::string where(const std::filesystem::path& tub, const std::string& file);

}  // namespace rcpilot::perception::tub_format
