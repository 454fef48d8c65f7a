#include "perception/engine_cache.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

EnginePrecision parse_engine_precision(const std::string& name) {
  if (name == "fp16") return EnginePrecision::kFp16;
  if (name == "fp32") return EnginePrecision::kFp32;
  throw ModelError("model.precision '" + name + "' is not one of fp16, fp32");
}

const char* precision_name(EnginePrecision precision) {
  return precision == EnginePrecision::kFp16 ? "fp16" : "fp32";
}

TrtVersion decode_trt_version(std::int64_t lib_version) {
  const bool wide = lib_version >= 10000;  // TensorRT 9+: two digits for the major's minor
  TrtVersion v;
  v.major = static_cast<int>(wide ? lib_version / 10000 : lib_version / 1000);
  v.minor = static_cast<int>(wide ? (lib_version / 100) % 100 : (lib_version / 100) % 10);
  v.patch = static_cast<int>(lib_version % 100);
  return v;
}

TrtVersion parse_trt_version(const std::string& text, const std::string& what) {
  static const std::regex pattern(R"((\d{1,3})\.(\d{1,3})\.(\d{1,3}))");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) {
    throw ModelError(what + " '" + text + "' is not a TensorRT version like 8.6.1");
  }
  return {std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

void parse_compute_capability(const std::string& text, const std::string& what, EngineKey& key) {
  static const std::regex pattern(R"((\d{1,2})\.?(\d))");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) {
    throw ModelError(what + " '" + text + "' is not a compute capability like 53 or 8.7");
  }
  key.sm_major = std::stoi(m[1]);
  key.sm_minor = std::stoi(m[2]);
}

std::string format_trt_version(const TrtVersion& version) {
  return std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
         std::to_string(version.patch);
}

std::uint64_t fnv1a64(const std::string& bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string model_fingerprint(const std::string& onnx_path) {
  std::ifstream in(onnx_path, std::ios::binary);
  if (!std::filesystem::is_regular_file(onnx_path) || !in) {
    throw ModelError("model file '" + onnx_path +
                     "' cannot be read, so its TensorRT engine name cannot be derived: copy the "
                     "ONNX model there, or set model.engine to the engine file");
  }
  const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw ModelError("model file '" + onnx_path + "': read error");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(fnv1a64(bytes)));
  return hex;
}

std::string engine_file_name(const std::string& model_stem, const std::string& fingerprint,
                             const EngineKey& key) {
  return model_stem + "." + fingerprint + ".trt" + format_trt_version(key.trt) + ".sm" +
         std::to_string(key.sm_major) + std::to_string(key.sm_minor) + "." +
         precision_name(key.precision) + ".engine";
}

std::string derived_engine_path(const std::string& onnx_path, const EngineKey& key) {
  namespace fs = std::filesystem;
  const fs::path model(onnx_path);
  const std::string name =
      engine_file_name(model.stem().string(), model_fingerprint(onnx_path), key);
  return (model.parent_path() / "engines" / name).string();
}

}  // namespace rcpilot::perception
