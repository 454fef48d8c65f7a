#pragma once
// What the fuzz targets share: an invariant check that libFuzzer sees as a crash, and a
// scratch folder for targets whose parser reads files.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rcpilot::fuzz {

// Aborts when `ok` is false: a broken invariant is reported like a crash.
void check(bool ok);

// The bytes as a string.
std::string text_of(const std::uint8_t* data, std::size_t size);

// `text` split at `separator` (the pieces, separators removed).
std::vector<std::string> split(const std::string& text, const std::string& separator);

// A folder private to this process, emptied on every call (created on the first), removed at
// exit.
std::string fresh_scratch_dir();

// Writes `text` to `path`, replacing it.
void write_file(const std::string& path, const std::string& text);

}  // namespace rcpilot::fuzz
