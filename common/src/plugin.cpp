#include "common/plugin.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

namespace rcpilot {

std::string installed_plugin_path(const std::string& file) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) return file;
  return (exe.parent_path().parent_path() / "lib" / "rcpilot" / file).string();
}

void* plugin_entry(const std::string& path, const char* entry, std::string& error) {
  static std::mutex mutex;  // dlerror's message is per thread, but keep loads in one order
  const std::lock_guard<std::mutex> lock(mutex);
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = dlerror();
    error = why != nullptr ? why : "unknown error";
    return nullptr;
  }
  void* symbol = dlsym(library, entry);
  if (symbol == nullptr) error = std::string("no entry point ") + entry;
  return symbol;
}

}  // namespace rcpilot
