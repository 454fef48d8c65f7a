#pragma once
// File helpers shared by TubWriter's sources: write(2) with no user-space buffering, every
// failure a TubError naming the file and the errno text.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "perception/tub_writer.hpp"

namespace rcpilot::perception::tub_io {

constexpr const char* kManifest = "manifest.json";

// JSON as Python's json.dumps writes it (non-ASCII escaped), so line_lengths count characters
// = bytes.
std::string dump(const nlohmann::json& j);

// Now, in seconds since the Unix epoch.
double epoch_seconds();

// Throws TubError "cannot <what> <path>: <errno text>; check free disk space and permissions".
[[noreturn]] void fail_errno(const std::string& what, const std::string& path, int err);

// open(2) with O_CLOEXEC and mode 0644; throws TubError.
int open_or_throw(const std::string& path, int flags);

// Writes all of `data` to `fd` through `write_fn` (empty: ::write), retrying short writes and
// EINTR; throws TubError naming `path`.
void write_all(const TubWriteFn& write_fn, int fd, const std::string& data,
               const std::string& path);

}  // namespace rcpilot::perception::tub_io
