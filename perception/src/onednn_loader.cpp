// Loading the oneDNN plugin (onednn_engine.hpp). The engine itself is in src/onednn/.
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "perception/onednn_engine.hpp"
#include "common/plugin.hpp"

namespace rcpilot::perception {
namespace {

std::string plugin_remedy() {
  return "model.backend: onednn needs the oneDNN plugin, built with rcpilot where CMake finds "
         "oneDNN and ONNX (Debian/Ubuntu libdnnl-dev and libonnx-dev, which "
         "scripts/install-deps installs) and installed beside it by scripts/install; rebuild "
         "and reinstall, or set model.backend: opencv";
}

OneDnnFactory load_from(const std::string& path) {
  // libgomp reads this once, when oneDNN pulls it in: idle OpenMP workers then sleep instead
  // of spinning ~20 ms after every inference, which on a 2-core car takes a core from the
  // camera and the control loop. A value the user set wins.
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  std::string error;
  const auto entry =
      reinterpret_cast<OneDnnPluginEntry>(plugin_entry(path, kOneDnnPluginEntry, error));
  if (entry == nullptr) {
    throw ModelError("cannot load the oneDNN plugin " + path + " (" + error + "); " +
                     plugin_remedy());
  }
  OneDnnFactory factory = nullptr;
  std::size_t metadata_size = 0;
  if (entry(&factory, &metadata_size) != kOneDnnPluginAbi ||
      metadata_size != sizeof(ModelMetadata) || factory == nullptr) {
    throw ModelError("the oneDNN plugin " + path +
                     " comes from another rcpilot build (its interface does not match); " +
                     plugin_remedy());
  }
  return factory;
}

}  // namespace

OneDnnPrecision parse_onednn_precision(const std::string& name) {
  if (name == "auto") return OneDnnPrecision::kAuto;
  if (name == "fp32") return OneDnnPrecision::kFp32;
  if (name == "bf16") return OneDnnPrecision::kBf16;
  throw ModelError("model.precision " + name +
                   ": the onednn backend computes in fp32 or bf16 (fp16 is for tensorrt); set "
                   "model.precision: auto (bf16 where the CPU has it, else fp32), fp32 or bf16");
}

bool onednn_plugin_installed() {
  std::error_code error;
  return std::filesystem::exists(installed_plugin_path(kOneDnnPluginFile), error);
}

OneDnnFactory load_onednn_plugin(const std::string& path) {
  static std::mutex mutex;
  const std::lock_guard<std::mutex> lock(mutex);
  return load_from(path.empty() ? installed_plugin_path(kOneDnnPluginFile) : path);
}

}  // namespace rcpilot::perception
