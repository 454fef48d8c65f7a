#pragma once
// Reading a config file safely: what --config and SIGHUP reload hand to the YAML parser.
#include <cstddef>
#include <string>

namespace rcpilot::config {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;  // a real config is a few KiB

// The bytes of `path`. Only a regular file is read (a FIFO would block the node with its signals
// masked, /dev/zero would never end), and at most kMaxConfigBytes. Throws ConfigError naming the
// file, why, and what to pass instead.
std::string read_config_file(const std::string& path);

}  // namespace rcpilot::config
