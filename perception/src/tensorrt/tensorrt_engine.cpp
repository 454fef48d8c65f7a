#include "perception/tensorrt_engine.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>

#include <cuda_runtime_api.h>
#include <spdlog/spdlog.h>

#include "trt_api.hpp"

namespace rcpilot::perception {
namespace {

// TensorRT's messages go to the node's log; the last error is kept for start-up errors.
class TrtLogger final : public nvinfer1::ILogger {
 public:
  void log(Severity severity, const char* msg) noexcept override {
    if (severity <= Severity::kERROR) {
      spdlog::error("TensorRT: {}", msg);
      const std::lock_guard<std::mutex> lock(mutex_);
      last_error_ = msg;
    } else if (severity == Severity::kWARNING) {
      spdlog::warn("TensorRT: {}", msg);
    } else {
      spdlog::debug("TensorRT: {}", msg);
    }
  }
  std::string last_error() const {
    const std::lock_guard<std::mutex> lock(mutex_);
    return last_error_.empty() ? "no message" : last_error_;
  }

 private:
  mutable std::mutex mutex_;
  std::string last_error_;
};

void cuda_check(cudaError_t status, const std::string& what) {
  if (status == cudaSuccess) return;
  throw ModelError("CUDA " + what + " failed: " + cudaGetErrorString(status) +
                   " (is the GPU visible to this user? the rcpilot user needs group video)");
}

// One tensor's memory: device buffer bound to the engine, pinned host mirror for copies.
struct TensorBuffer {
  trt::IoTensor tensor;
  std::vector<int> shape;  // resolved, for the cv::Mat header
  std::size_t count = 0;   // float32 elements
  void* device = nullptr;
  float* host = nullptr;

  TensorBuffer() = default;
  TensorBuffer(const TensorBuffer&) = delete;
  TensorBuffer& operator=(const TensorBuffer&) = delete;
  ~TensorBuffer() {
    if (device != nullptr) cudaFree(device);
    if (host != nullptr) cudaFreeHost(host);
  }
  void allocate() {
    cuda_check(cudaMalloc(&device, count * sizeof(float)), "cudaMalloc for '" + tensor.name + "'");
    void* pinned = nullptr;
    cuda_check(cudaMallocHost(&pinned, count * sizeof(float)),
               "cudaMallocHost for '" + tensor.name + "'");
    host = static_cast<float*>(pinned);
  }
};

std::vector<int> to_int_shape(const std::vector<std::int64_t>& dims) {
  return std::vector<int>(dims.begin(), dims.end());
}

std::string shape_text(const std::vector<std::int64_t>& dims) {
  return format_shape(to_int_shape(dims));
}

std::string join_names(const std::vector<trt::IoTensor>& tensors, bool inputs) {
  std::string out;
  for (const auto& t : tensors) {
    if (t.is_input == inputs) out += (out.empty() ? "'" : ", '") + t.name + "'";
  }
  return out.empty() ? "(none)" : out;
}

std::vector<char> read_engine(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ModelError("TensorRT engine '" + path +
                     "' not found: build it with scripts/build-trt-engine (see docs/models.md) "
                     "or set model.engine");
  }
  std::vector<char> blob{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (blob.empty()) throw ModelError("TensorRT engine '" + path + "' is empty: build it again");
  return blob;
}

class TensorRtEngine final : public InferenceEngine {
 public:
  TensorRtEngine(const TensorRtOptions& options, const ModelMetadata& metadata);
  ~TensorRtEngine() override {
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  TensorRtEngine(const TensorRtEngine&) = delete;
  TensorRtEngine& operator=(const TensorRtEngine&) = delete;

  // `input`: float32, continuous, the metadata shape. `outputs` alias pinned host buffers in
  // metadata.outputs.names() order, valid until the next run. No allocation after the first.
  void run(const cv::Mat& input, std::vector<cv::Mat>& outputs) override;
  std::vector<std::string> output_names() const override { return output_names_; }
  std::string describe() const override { return description_; }

 private:
  void deserialize(const std::vector<char>& blob);
  void bind_input(const std::vector<trt::IoTensor>& tensors, const ModelMetadata& metadata);
  void bind_outputs(const std::vector<trt::IoTensor>& tensors, const ModelMetadata& metadata);
  void bind(TensorBuffer& buffer);
  void probe();
  std::string rebuild_advice() const;

  TensorRtOptions options_;
  int device_ = 0;
  // Declared first so it outlives the runtime, engine and context that log through it.
  TrtLogger logger_;
  std::unique_ptr<nvinfer1::IRuntime> runtime_;
  std::unique_ptr<nvinfer1::ICudaEngine> engine_;
  std::unique_ptr<nvinfer1::IExecutionContext> context_;
  cudaStream_t stream_ = nullptr;
  TensorBuffer input_;
  std::vector<std::unique_ptr<TensorBuffer>> outputs_;  // metadata outputs first, then extras
  std::vector<void*> bindings_;                         // TensorRT 8 binding table
  std::vector<std::string> output_names_;
  std::vector<cv::Mat> output_mats_;  // headers over the metadata outputs' pinned memory
  std::string description_;
};

std::string TensorRtEngine::rebuild_advice() const {
  return "rebuild it on this machine: scripts/build-trt-engine --onnx " + options_.onnx_path +
         " --precision " + precision_name(options_.precision) + " --force";
}

TensorRtEngine::TensorRtEngine(const TensorRtOptions& options, const ModelMetadata& metadata)
    : options_(options), output_names_(metadata.outputs.names()) {
  const std::vector<char> blob = read_engine(options_.engine_path);
  // The runtime API's primary context is shared by every thread of the process, so an engine
  // built here may run on the pilot thread; run() re-selects this device there.
  cuda_check(cudaGetDevice(&device_), "cudaGetDevice");
  deserialize(blob);
  const auto tensors = trt::io_tensors(*engine_);
  bind_input(tensors, metadata);
  bind_outputs(tensors, metadata);
  cuda_check(cudaStreamCreate(&stream_), "cudaStreamCreate");

  probe();

  const EngineKey key = detect_engine_key(options_.precision);
  cudaDeviceProp prop{};
  cuda_check(cudaGetDeviceProperties(&prop, device_), "cudaGetDeviceProperties");
  description_ = "tensorrt " + format_trt_version(key.trt) + " (" + prop.name + ", sm" +
                 std::to_string(key.sm_major) + std::to_string(key.sm_minor) + ") " +
                 options_.engine_path + ", input '" + input_.tensor.name + "' " +
                 format_shape(input_.shape);
}

// One inference on zeros, so a failing engine fails now, before anything moves.
void TensorRtEngine::probe() {
  const cv::Mat zeros(input_.shape, CV_32F, cv::Scalar(0));
  std::vector<cv::Mat> outputs;
  try {
    run(zeros, outputs);
  } catch (const ModelError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw ModelError("TensorRT engine '" + options_.engine_path +
                     "' fails its first inference (" + e.what() + "); " + rebuild_advice());
  }
}

void TensorRtEngine::deserialize(const std::vector<char>& blob) {
  runtime_.reset(nvinfer1::createInferRuntime(logger_));
  if (!runtime_) throw ModelError("TensorRT createInferRuntime failed: " + logger_.last_error());
  engine_.reset(runtime_->deserializeCudaEngine(blob.data(), blob.size()));
  if (!engine_) {
    throw ModelError("TensorRT engine '" + options_.engine_path +
                     "' does not load here (TensorRT: " + logger_.last_error() +
                     "). Engines only load on the TensorRT version and GPU they were built on; " +
                     rebuild_advice());
  }
  if (trt::implicit_batch(*engine_)) {
    throw ModelError("TensorRT engine '" + options_.engine_path +
                     "' has an implicit batch dimension (a UFF/Caffe build); " + rebuild_advice());
  }
  context_.reset(engine_->createExecutionContext());
  if (!context_) {
    throw ModelError("TensorRT could not create an execution context for '" +
                     options_.engine_path + "': " + logger_.last_error());
  }
}

void TensorRtEngine::bind_input(const std::vector<trt::IoTensor>& tensors,
                                const ModelMetadata& metadata) {
  const std::string& engine = options_.engine_path;
  const ModelInput& want = metadata.input;
  int inputs = 0;
  const trt::IoTensor* found = nullptr;
  for (const auto& t : tensors) {
    inputs += t.is_input ? 1 : 0;
    if (t.is_input && t.name == want.name) found = &t;
  }
  if (found == nullptr) {
    throw ModelError("TensorRT engine '" + engine + "' has no input '" + want.name +
                     "' (named in " + metadata.source_path +
                     "); its inputs: " + join_names(tensors, true) +
                     "; fix input.name in the metadata or rebuild the engine from this model");
  }
  if (inputs != 1) {
    throw ModelError("TensorRT engine '" + engine + "' has " + std::to_string(inputs) +
                     " inputs (" + join_names(tensors, true) + "); rcpilot feeds exactly one, '" +
                     want.name + "' from " + metadata.source_path);
  }
  bool fits = found->dims.size() == want.shape.size();
  for (std::size_t i = 0; fits && i < want.shape.size(); ++i) {
    fits = found->dims[i] < 0 || found->dims[i] == want.shape[i];
  }
  if (!fits) {
    throw ModelError("TensorRT engine '" + engine + "' input '" + want.name + "' has shape " +
                     shape_text(found->dims) + " but its metadata " + metadata.source_path +
                     " says " + format_shape(want.shape) +
                     "; use the metadata written with this model, or rebuild the engine");
  }
  if (!found->is_float32) {
    throw ModelError("TensorRT engine '" + engine + "' input '" + want.name +
                     "' is not float32; rebuild it without --inputIOFormats");
  }
  input_.tensor = *found;
  // Only dynamic dimensions are set: static engines (trtexec on a static ONNX) have none.
  const bool dynamic = std::any_of(found->dims.begin(), found->dims.end(),
                                   [](std::int64_t d) { return d < 0; });
  if (dynamic && !trt::set_input_shape(*context_, input_.tensor, want.shape)) {
    throw ModelError("TensorRT engine '" + engine + "' refuses input shape " +
                     format_shape(want.shape) + " from " + metadata.source_path +
                     " (outside its optimisation profile); " + rebuild_advice());
  }
  input_.shape = want.shape;
  input_.count = static_cast<std::size_t>(
      std::accumulate(want.shape.begin(), want.shape.end(), 1LL, std::multiplies<long long>()));
  input_.allocate();
  bind(input_);
}

void TensorRtEngine::bind_outputs(const std::vector<trt::IoTensor>& tensors,
                                  const ModelMetadata& metadata) {
  const ModelOutputs& out = metadata.outputs;
  std::vector<const trt::IoTensor*> ordered;  // metadata outputs, then the ones it ignores
  for (const auto& name : output_names_) {
    const trt::IoTensor* found = nullptr;
    for (const auto& t : tensors) {
      if (!t.is_input && t.name == name) found = &t;
    }
    if (found == nullptr) {
      throw ModelError("TensorRT engine '" + options_.engine_path + "' has no output '" + name +
                       "' (named in " + metadata.source_path +
                       "); its outputs: " + join_names(tensors, false) +
                       "; fix outputs in the metadata or rebuild the engine from this model");
    }
    ordered.push_back(found);
  }
  for (const auto& t : tensors) {
    if (!t.is_input && std::find(output_names_.begin(), output_names_.end(), t.name) ==
                           output_names_.end()) {
      ordered.push_back(&t);  // TensorRT needs memory for every output, read or not
    }
  }
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    auto buffer = std::make_unique<TensorBuffer>();
    buffer->tensor = *ordered[i];
    const auto dims = trt::resolved_shape(*context_, buffer->tensor);
    long long count = 1;
    for (const auto d : dims) count *= d;
    if (dims.empty() || count <= 0) {
      throw ModelError("TensorRT engine '" + options_.engine_path + "' output '" +
                       buffer->tensor.name + "' has no fixed shape (" + shape_text(dims) +
                       ") for input " + format_shape(input_.shape) + "; " + rebuild_advice());
    }
    buffer->shape = to_int_shape(dims);
    buffer->count = static_cast<std::size_t>(count);
    const bool read = i < output_names_.size();
    const std::size_t needed = read ? out.values_needed(i) : 0;
    const bool fits = out.single_vector ? buffer->count >= needed : buffer->count == needed;
    if (read && (!fits || !buffer->tensor.is_float32)) {
      std::ostringstream msg;
      msg << "TensorRT engine '" << options_.engine_path << "' output '" << buffer->tensor.name
          << "' has shape " << shape_text(dims)
          << (buffer->tensor.is_float32 ? "" : ", not float32") << ", but " << metadata.source_path
          << " needs " << out.describe_needed(i)
          << "; fix outputs in the metadata or rebuild the engine";
      throw ModelError(msg.str());
    }
    buffer->allocate();
    bind(*buffer);
    if (read) output_mats_.emplace_back(buffer->shape, CV_32F, buffer->host);
    outputs_.push_back(std::move(buffer));
  }
}

void TensorRtEngine::bind(TensorBuffer& buffer) {
  if (!trt::bind(*context_, *engine_, buffer.tensor, buffer.device, bindings_)) {
    throw ModelError("TensorRT refused the buffer for '" + buffer.tensor.name + "' of '" +
                     options_.engine_path + "': " + logger_.last_error());
  }
}

void TensorRtEngine::run(const cv::Mat& input, std::vector<cv::Mat>& outputs) {
  if (input.type() != CV_32F || !input.isContinuous() || input.total() != input_.count) {
    throw std::runtime_error("TensorRT input must be " + std::to_string(input_.count) +
                             " continuous float32 values " + format_shape(input_.shape));
  }
  cuda_check(cudaSetDevice(device_), "cudaSetDevice");
  std::memcpy(input_.host, input.ptr<float>(), input_.count * sizeof(float));
  cuda_check(cudaMemcpyAsync(input_.device, input_.host, input_.count * sizeof(float),
                             cudaMemcpyHostToDevice, stream_),
             "copy of the input to the GPU");
  if (!trt::enqueue(*context_, bindings_, stream_)) {
    throw std::runtime_error("TensorRT enqueue failed: " + logger_.last_error());
  }
  for (std::size_t i = 0; i < output_mats_.size(); ++i) {
    const TensorBuffer& out = *outputs_[i];
    cuda_check(cudaMemcpyAsync(out.host, out.device, out.count * sizeof(float),
                               cudaMemcpyDeviceToHost, stream_),
               "copy of output '" + out.tensor.name + "' from the GPU");
  }
  cuda_check(cudaStreamSynchronize(stream_), "inference on the CUDA stream");
  outputs.assign(output_mats_.begin(), output_mats_.end());
}

}  // namespace

bool tensorrt_built() { return true; }

void require_tensorrt_build() {}

EngineKey detect_engine_key(EnginePrecision precision) {
  int device = 0;
  cuda_check(cudaGetDevice(&device), "cudaGetDevice (no CUDA GPU visible?)");
  EngineKey key;
  cuda_check(cudaDeviceGetAttribute(&key.sm_major, cudaDevAttrComputeCapabilityMajor, device),
             "compute capability query");
  cuda_check(cudaDeviceGetAttribute(&key.sm_minor, cudaDevAttrComputeCapabilityMinor, device),
             "compute capability query");
  key.trt = decode_trt_version(getInferLibVersion());
  key.precision = precision;
  return key;
}

std::unique_ptr<InferenceEngine> make_tensorrt_engine(const TensorRtOptions& options,
                                                      const ModelMetadata& metadata) {
  return std::make_unique<TensorRtEngine>(options, metadata);
}

}  // namespace rcpilot::perception
