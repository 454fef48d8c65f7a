#include "perception/onednn_engine.hpp"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <numeric>

#include <oneapi/dnnl/dnnl.hpp>

#include "../engine_checks.hpp"
#include "onednn_net.hpp"
#include "onnx_graph.hpp"

namespace rcpilot::perception {
namespace {

std::map<std::string, std::vector<int>> declared_inputs(const onnx_graph::Graph& graph) {
  std::map<std::string, std::vector<int>> declared;
  for (const auto& [name, dims] : graph.inputs) declared[name].assign(dims.begin(), dims.end());
  return declared;
}

void check_outputs_exist(const onnx_graph::Graph& graph, const std::string& path,
                         const ModelMetadata& metadata) {
  for (const auto& name : metadata.outputs.names()) {
    if (std::find(graph.outputs.begin(), graph.outputs.end(), name) != graph.outputs.end()) {
      continue;
    }
    throw ModelError("model '" + path + "' has no output '" + name + "' (named in " +
                     metadata.source_path + "); its outputs: " + detail::join_names(graph.outputs) +
                     "; fix outputs in the metadata");
  }
}

// Whether oneDNN may use `isa`'s instructions here (the CPU has them and ONEDNN_MAX_CPU_ISA does
// not forbid them). oneDNN's ISA values are nested bit sets.
bool cpu_has(dnnl::cpu_isa isa) {
  const auto bits = static_cast<unsigned>(isa);
  return (static_cast<unsigned>(dnnl::get_effective_cpu_isa()) & bits) == bits;
}

// bf16 only where the CPU computes it (AVX512-BF16 or AMX): elsewhere oneDNN emulates it, slower
// than fp32.
bool use_bf16(OneDnnPrecision precision, const std::string& model_path) {
  if (precision == OneDnnPrecision::kFp32) return false;
  if (cpu_has(dnnl::cpu_isa::avx512_core_bf16)) return true;
  if (precision == OneDnnPrecision::kAuto) return false;
  throw ModelError("model '" + model_path +
                   "': model.precision bf16 needs a CPU that computes bfloat16 (AVX512-BF16 or "
                   "AMX; see ONEDNN_MAX_CPU_ISA) and this one does not; set model.precision: "
                   "auto or fp32");
}

class OneDnnEngine final : public InferenceEngine {
 public:
  OneDnnEngine(const std::string& model_path, const ModelMetadata& metadata,
               const OneDnnOptions& options)
      : model_path_(model_path),
        input_shape_(metadata.input.shape),
        output_names_(metadata.outputs.names()),
        input_count_(std::accumulate(input_shape_.begin(), input_shape_.end(), std::size_t{1},
                                     std::multiplies<>())),
        threads_(options.threads < 1 ? 1 : options.threads),
        bf16_(use_bf16(options.precision, model_path)) {
    omp_set_num_threads(threads_);  // oneDNN sizes its kernels for this at creation
    const onnx_graph::Graph graph = onnx_graph::read_graph(model_path);
    detail::check_declared_input(model_path, metadata, declared_inputs(graph));
    check_outputs_exist(graph, model_path, metadata);
    try {
      net_ = std::make_unique<onednn::Net>(graph, model_path, metadata.input.name, input_shape_,
                                           output_names_, bf16_);
    } catch (const ModelError&) {
      throw;
    } catch (const std::exception& e) {  // dnnl::error, or an attribute of an unexpected size
      throw UnsupportedModelError("model '" + model_path +
                                  "': the onednn backend cannot build it (" + e.what() +
                                  "); set model.backend: opencv");
    }
    std::vector<cv::Mat> outputs;
    run(detail::zero_input(metadata), outputs);
    detail::check_probe_outputs(model_path, metadata, outputs);
  }

  void run(const cv::Mat& input, std::vector<cv::Mat>& outputs) override {
    if (!input.isContinuous() || input.type() != CV_32F || input.total() != input_count_) {
      throw std::runtime_error("onednn: input is not a continuous float32 tensor of shape " +
                               format_shape(input_shape_));
    }
    omp_set_num_threads(threads_);  // OpenMP keeps this per calling thread
    std::memcpy(net_->input(), input.ptr<float>(), input.total() * sizeof(float));
    net_->run();
    outputs.resize(output_names_.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      std::vector<int> dims(net_->output_dims(i).begin(), net_->output_dims(i).end());
      if (dims.size() < 2) dims.insert(dims.begin(), 1);
      outputs[i] = cv::Mat(dims, CV_32F, const_cast<float*>(net_->output(i)));
    }
  }

  std::vector<std::string> output_names() const override { return output_names_; }

  std::string describe() const override {
    return "onednn " + std::to_string(dnnl::version()->major) + "." +
           std::to_string(dnnl::version()->minor) + " (CPU, " +
           (!bf16_                                    ? std::string("fp32")
            : cpu_has(dnnl::cpu_isa::avx512_core_amx) ? "bf16 on AMX"
                                                      : "bf16 on AVX512-BF16") +
           ", " + std::to_string(threads_) + (threads_ == 1 ? " thread) " : " threads) ") +
           model_path_ + ", input " + format_shape(input_shape_);
  }

 private:
  std::string model_path_;
  std::vector<int> input_shape_;
  std::vector<std::string> output_names_;
  std::size_t input_count_;
  int threads_;
  bool bf16_;
  std::unique_ptr<onednn::Net> net_;
};

}  // namespace

std::unique_ptr<InferenceEngine> make_onednn_engine(const std::string& model_path,
                                                    const ModelMetadata& metadata,
                                                    const OneDnnOptions& options) {
  return std::make_unique<OneDnnEngine>(model_path, metadata, options);
}

}  // namespace rcpilot::perception
