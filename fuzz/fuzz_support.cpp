#include "fuzz_support.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace rcpilot::fuzz {

namespace fs = std::filesystem;

void check(bool ok) {
  if (!ok) std::abort();
}

std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

std::vector<std::string> split(const std::string& text, const std::string& separator) {
  std::vector<std::string> parts;
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = text.find(separator, from);
    if (at == std::string::npos) break;
    parts.push_back(text.substr(from, at - from));
    from = at + separator.size();
  }
  parts.push_back(text.substr(from));
  return parts;
}

namespace {

// Removes the scratch folder when the process ends normally.
struct Scratch {
  Scratch()
      : path(
            (fs::temp_directory_path() / ("rcpilot-fuzz-" + std::to_string(::getpid()))).string()) {
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

std::string fresh_scratch_dir() {
  static const Scratch scratch;
  std::error_code ec;
  fs::remove_all(scratch.path, ec);
  fs::create_directories(scratch.path);
  return scratch.path;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace rcpilot::fuzz
