#include "perception/opencv_dnn_engine.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <opencv2/core/utility.hpp>

#include "onnx_inputs.hpp"

namespace rcpilot::perception {
namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "'" : ", '") + name + "'";
  return out.empty() ? "(none)" : out;
}

cv::dnn::Net read_network(const std::string& path) {
  if (!std::ifstream(path)) {
    throw ModelError("model file '" + path +
                     "' not found: train or copy a model, see docs/models.md");
  }
  cv::dnn::Net net;
  try {
    net = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw ModelError("model file '" + path + "' is not a loadable ONNX model (" + e.what() +
                     "); re-export it (opset 11/12, static shapes) or copy it again");
  }
  if (net.empty()) throw ModelError("model file '" + path + "' contains no network");
  return net;
}

// True when the declared dims agree with `expected`; -1 (symbolic) matches anything.
bool dims_match(const std::vector<int>& declared, const std::vector<int>& expected) {
  if (declared.size() != expected.size()) return false;
  for (std::size_t i = 0; i < declared.size(); ++i) {
    if (declared[i] >= 0 && declared[i] != expected[i]) return false;
  }
  return true;
}

const char* target_name(DnnTarget target) {
  switch (target) {
    case DnnTarget::kCuda:
      return "cuda";
    case DnnTarget::kCudaFp16:
      return "cuda_fp16";
    case DnnTarget::kCpu:
      break;
  }
  return "cpu";
}

cv::dnn::Target to_cv(DnnTarget target) {
  return target == DnnTarget::kCuda       ? cv::dnn::DNN_TARGET_CUDA
         : target == DnnTarget::kCudaFp16 ? cv::dnn::DNN_TARGET_CUDA_FP16
                                          : cv::dnn::DNN_TARGET_CPU;
}

}  // namespace

DnnTarget parse_dnn_target(const std::string& name) {
  if (name == "cpu") return DnnTarget::kCpu;
  if (name == "cuda") return DnnTarget::kCuda;
  if (name == "cuda_fp16") return DnnTarget::kCudaFp16;
  throw ModelError("model.target '" + name + "' is not one of cpu, cuda, cuda_fp16");
}

bool dnn_target_available(DnnTarget target) {
  if (target == DnnTarget::kCpu) return true;
  const auto targets = cv::dnn::getAvailableTargets(cv::dnn::DNN_BACKEND_CUDA);
  return std::find(targets.begin(), targets.end(), to_cv(target)) != targets.end();
}

OpenCvDnnEngine::OpenCvDnnEngine(const std::string& model_path, const ModelMetadata& metadata,
                                 int threads, DnnTarget target)
    : model_path_(model_path),
      input_name_(metadata.input.name),
      input_shape_(metadata.input.shape),
      output_names_(metadata.outputs.names()),
      threads_(threads < 1 ? 1 : threads),
      target_(target),
      net_(read_network(model_path)) {
  cv::setNumThreads(threads_);
  if (!dnn_target_available(target_)) {
    throw ModelError(std::string("model.target: ") + target_name(target_) +
                     " needs OpenCV built with CUDA (cv::dnn has no CUDA backend in this "
                     "OpenCV " CV_VERSION
                     "); set model.target: cpu, or install an OpenCV "
                     "with CUDA and cuDNN (e.g. a JetPack image's)");
  }
  if (target_ == DnnTarget::kCpu) {
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  } else {
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_CUDA);
  }
  net_.setPreferableTarget(to_cv(target_));
  check_declared_input(metadata);
  check_output_names(metadata);
  probe(metadata);
}

void OpenCvDnnEngine::check_declared_input(const ModelMetadata& metadata) const {
  const auto declared = detail::read_onnx_input_shapes(model_path_);
  if (declared.empty()) return;  // unreadable header: the probe forward still checks the shape
  const auto it = declared.find(input_name_);
  if (it == declared.end()) {
    std::vector<std::string> names;
    for (const auto& kv : declared) names.push_back(kv.first);
    throw ModelError("model '" + model_path_ + "' has no input '" + input_name_ + "' (named in " +
                     metadata.source_path + "); its inputs: " + join_names(names) +
                     "; fix input.name in the metadata");
  }
  if (!dims_match(it->second, input_shape_)) {
    throw ModelError("model '" + model_path_ + "' expects input shape " + format_shape(it->second) +
                     " but its metadata " + metadata.source_path + " says " +
                     format_shape(input_shape_) +
                     "; use the metadata written with this model or re-export the model");
  }
}

void OpenCvDnnEngine::check_output_names(const ModelMetadata& metadata) {
  for (const auto& name : output_names_) {
    if (net_.getLayerId(name) >= 0) continue;
    throw ModelError("model '" + model_path_ + "' has no output '" + name + "' (named in " +
                     metadata.source_path +
                     "); its outputs: " + join_names(net_.getUnconnectedOutLayersNames()) +
                     "; fix outputs in the metadata");
  }
}

void OpenCvDnnEngine::probe(const ModelMetadata& metadata) {
  const cv::Mat zeros(static_cast<int>(input_shape_.size()), input_shape_.data(), CV_32F,
                      cv::Scalar(0));
  std::vector<cv::Mat> outputs;
  try {
    run(zeros, outputs);
  } catch (const cv::Exception& e) {
    throw ModelError(
        "model '" + model_path_ + "' rejects an input of shape " + format_shape(input_shape_) +
        " (from " + metadata.source_path +
        "): the network was built for another input size or layout. OpenCV: " + e.what());
  }
  const ModelOutputs& out = metadata.outputs;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const std::size_t needed =
        out.single_vector
            ? static_cast<std::size_t>(std::max(out.steering_index, out.throttle_index)) + 1
            : 1;
    const bool fits = out.single_vector ? outputs[i].total() >= needed : outputs[i].total() == 1;
    if (fits && outputs[i].type() == CV_32F) continue;
    std::ostringstream msg;
    msg << "model '" << model_path_ << "' output '" << output_names_[i] << "' has "
        << outputs[i].total() << " value(s) of OpenCV type " << outputs[i].type() << ", but "
        << metadata.source_path << " needs " << (out.single_vector ? "at least " : "exactly ")
        << needed << " float32 value(s); fix outputs in the metadata or re-export the model";
    throw ModelError(msg.str());
  }
}

void OpenCvDnnEngine::run(const cv::Mat& input, std::vector<cv::Mat>& outputs) {
  net_.setInput(input, input_name_);
  net_.forward(outputs, output_names_);
}

std::string OpenCvDnnEngine::describe() const {
  const std::string where = target_ == DnnTarget::kCpu
                                ? "CPU, " + std::to_string(threads_) + " threads"
                                : std::string(target_ == DnnTarget::kCuda ? "CUDA" : "CUDA FP16");
  return "opencv-dnn (" + where + ") " + model_path_ + ", input '" + input_name_ + "' " +
         format_shape(input_shape_);
}

}  // namespace rcpilot::perception
