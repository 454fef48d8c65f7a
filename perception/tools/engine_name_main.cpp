// rcpilot-engine-name: prints where the TensorRT engine of an ONNX model is cached for this
// machine's TensorRT and GPU (the rule in perception/engine_cache.hpp, the same one the node
// uses to find it). scripts/build-trt-engine asks it where to build.
#include <cstdio>
#include <string>

#include "config/command_line.hpp"
#include "perception/engine_cache.hpp"
#include "perception/tensorrt_engine.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;
constexpr int kExitCannot = 3;  // no TensorRT build, no GPU, unreadable model

struct Options {
  std::string onnx;           // model to name the engine for
  std::string precision = "fp16";
  std::string trt_version;    // empty: the running TensorRT library's
  std::string compute;        // empty: the current GPU's
};

int print_name(const Options& opt) {
  using namespace rcpilot::perception;
  EngineKey key;
  const EnginePrecision precision = parse_engine_precision(opt.precision);
  if (opt.trt_version.empty() || opt.compute.empty()) {
    if (!tensorrt_built()) {
      throw ModelError(
          "this rcpilot was built without TensorRT, so it cannot read this machine's TensorRT "
          "version and GPU: rebuild it with TensorRT (scripts/build -DRCPILOT_TENSORRT=ON, see "
          "docs/models.md), or give both --trt-version and --sm");
    }
    key = detect_engine_key(precision);
  }
  if (!opt.trt_version.empty()) key.trt = parse_trt_version(opt.trt_version, "--trt-version");
  if (!opt.compute.empty()) parse_compute_capability(opt.compute, "--sm", key);
  key.precision = precision;
  std::printf("%s\n", derived_engine_path(opt.onnx, key).c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  namespace po = rcpilot::cli::po;
  Options opt;
  rcpilot::cli::CommandLine cli{
      "rcpilot-engine-name",
      "rcpilot-engine-name: the cached TensorRT engine path of an ONNX model on this machine "
      "(<model folder>/engines/<stem>.<fingerprint>.trt<version>.sm<gpu>.<precision>.engine)"};
  cli.options()
      .option("onnx", po::value(&opt.onnx)->required(), "ONNX model the engine is built from")
      .option("precision", po::value(&opt.precision)->default_value(opt.precision), "fp16 or fp32")
      .option("trt-version", po::value(&opt.trt_version),
              "TensorRT version to name it for, e.g. 8.2.1 (default: the running library's)")
      .option("sm", po::value(&opt.compute),
              "GPU compute capability to name it for, e.g. 53 (default: the current GPU's)");
  if (const auto exit_code = cli.parse(argc, argv)) return *exit_code == 0 ? kExitOk : kExitUsage;
  try {
    return print_name(opt);
  } catch (const rcpilot::perception::ModelError& e) {
    std::fprintf(stderr, "rcpilot-engine-name: %s\n", e.what());
    return kExitCannot;
  }
}
