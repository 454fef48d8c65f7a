#pragma once
// InferenceEngine on OpenCV's DNN module (ONNX, CPU).
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>

#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

// Where OpenCV DNN runs the network (model.target).
enum class DnnTarget { kCpu, kCuda, kCudaFp16 };

// "cpu", "cuda", "cuda_fp16" -> DnnTarget; throws ModelError naming model.target otherwise.
DnnTarget parse_dnn_target(const std::string& name);
// Whether this OpenCV has the CUDA DNN backend for `target` (always true for kCpu).
bool dnn_target_available(DnnTarget target);

// Loads an ONNX model and checks it against its metadata before anything moves: the file
// exists and parses, the input name and shape match, the output names exist and a probe
// forward of a zero tensor yields outputs of the sizes the metadata promises. Every failure is
// a ModelError naming the file(s) and what to do.
class OpenCvDnnEngine final : public InferenceEngine {
 public:
  // `threads`: threads OpenCV may use (>= 1). cv::setNumThreads is process-wide, so this
  // also sets it for every other OpenCV call in the process.
  // `target`: kCuda/kCudaFp16 throw ModelError naming model.target when OpenCV has no CUDA.
  OpenCvDnnEngine(const std::string& model_path, const ModelMetadata& metadata, int threads,
                  DnnTarget target = DnnTarget::kCpu);

  // `input` must have the metadata shape; `outputs` get metadata.outputs.names() order and
  // alias network buffers (valid until the next run). Throws cv::Exception on failure.
  void run(const cv::Mat& input, std::vector<cv::Mat>& outputs) override;
  std::vector<std::string> output_names() const override { return output_names_; }
  std::string describe() const override;

 private:
  void check_declared_input(const ModelMetadata& metadata) const;
  void check_output_names(const ModelMetadata& metadata);
  void probe(const ModelMetadata& metadata);

  std::string model_path_;
  std::string input_name_;
  std::vector<int> input_shape_;
  std::vector<std::string> output_names_;
  int threads_ = 1;
  DnnTarget target_ = DnnTarget::kCpu;
  cv::dnn::Net net_;
};

}  // namespace rcpilot::perception
