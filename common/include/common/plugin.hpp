#pragma once
// dlopen of the optional plugins installed beside the executables (capture cameras, oneDNN,
// the simulated car).
#include <string>

namespace rcpilot {

// <folder of this executable>/../lib/rcpilot/<file>; just <file> (dlopen's own search path)
// when the executable's path cannot be read.
std::string installed_plugin_path(const std::string& file);

// Loads the library at `path` (it stays loaded until the process ends: what it built lives
// that long) and returns its symbol `entry`; nullptr with `error` set when either fails.
void* plugin_entry(const std::string& path, const char* entry, std::string& error);

}  // namespace rcpilot
