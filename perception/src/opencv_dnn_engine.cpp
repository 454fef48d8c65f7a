#include "perception/opencv_dnn_engine.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <opencv2/core/utility.hpp>

#include "engine_checks.hpp"
#include "onnx_inputs.hpp"

namespace rcpilot::perception {
namespace {

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
  detail::check_declared_input(model_path_, metadata, detail::read_onnx_input_shapes(model_path_));
}

void OpenCvDnnEngine::check_output_names(const ModelMetadata& metadata) {
  for (const auto& name : output_names_) {
    if (net_.getLayerId(name) >= 0) continue;
    throw ModelError("model '" + model_path_ + "' has no output '" + name + "' (named in " +
                     metadata.source_path +
                     "); its outputs: " + detail::join_names(net_.getUnconnectedOutLayersNames()) +
                     "; fix outputs in the metadata");
  }
}

void OpenCvDnnEngine::probe(const ModelMetadata& metadata) {
  std::vector<cv::Mat> outputs;
  try {
    run(detail::zero_input(metadata), outputs);
  } catch (const cv::Exception& e) {
    throw ModelError(
        "model '" + model_path_ + "' rejects an input of shape " + format_shape(input_shape_) +
        " (from " + metadata.source_path +
        "): the network was built for another input size or layout. OpenCV: " + e.what());
  }
  detail::check_probe_outputs(model_path_, metadata, outputs);
}

void OpenCvDnnEngine::run(const cv::Mat& input, std::vector<cv::Mat>& outputs) {
  net_.setInput(input, input_name_);
  net_.forward(outputs, output_names_);
}

std::string OpenCvDnnEngine::describe() const {
  const std::string where =
      target_ == DnnTarget::kCpu
          ? "CPU, " + std::to_string(threads_) + (threads_ == 1 ? " thread" : " threads")
          : std::string(target_ == DnnTarget::kCuda ? "CUDA" : "CUDA FP16");
  return "opencv-dnn (" + where + ") " + model_path_ + ", input '" + input_name_ + "' " +
         format_shape(input_shape_);
}

}  // namespace rcpilot::perception
