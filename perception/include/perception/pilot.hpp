#pragma once
// The pilot: frame in, steering/throttle Prediction out.
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "common/clock.hpp"
#include "common/stats.hpp"
#include "perception/inference_engine.hpp"
#include "perception/model_metadata.hpp"
#include "perception/preprocessor.hpp"
#include "perception/types.hpp"

namespace rcpilot::perception {

// Preprocesses a frame, runs the engine and maps its outputs to normalised steering and
// throttle. Not thread-safe: owned by one pilot thread (or the lockstep loop).
class Pilot {
 public:
  // Throws ModelError when the engine does not return the outputs the metadata names.
  Pilot(std::unique_ptr<InferenceEngine> engine, ModelMetadata metadata);

  // Never throws: an empty frame, an engine failure or a NaN output gives valid = false (see
  // last_error()). Categorical outputs are decoded (output_decoder.hpp); then steering and
  // throttle are mapped from output_range to [-1, 1] and clamped.
  // `clock` stamps predicted_at and times preprocess_ms / inference_ms.
  Prediction infer(const Frame& frame, const Clock& clock);

  // Runs `runs` inferences on a black frame so lazy allocations happen before driving.
  // Throws ModelError if the engine fails, or if categorical scores are not of the kind the
  // metadata says (output_decoder.hpp, score_kind_mismatch).
  void warm_up(int runs);

  // Start-up self-timing: `runs` inferences of `frame`; returns inference ms percentiles.
  // Throws ModelError if any inference is invalid (doubles as the start-up self-test).
  Percentiles measure(int runs, const cv::Mat& frame, const Clock& clock = SteadyClock());

  // Why the last invalid prediction was invalid ("" if none yet).
  const std::string& last_error() const { return last_error_; }
  const ModelMetadata& metadata() const { return metadata_; }
  std::string describe() const { return engine_->describe(); }

 private:
  bool read_outputs(float& steering, float& throttle);
  // One network value (network units): element `element` of `output`, or its decoded bins.
  bool read_value(const cv::Mat& output, std::size_t element, const BinnedOutput& bins,
                  double& raw);
  float to_norm(double raw) const;
  // Throws ModelError when the last outputs' categorical scores contradict metadata scores.
  void check_score_kinds() const;

  std::unique_ptr<InferenceEngine> engine_;
  ModelMetadata metadata_;
  Preprocessor preprocessor_;
  std::vector<cv::Mat> outputs_;     // reused between runs
  std::size_t steering_output_ = 0;  // index into outputs_
  std::size_t throttle_output_ = 0;
  std::size_t steering_element_ = 0;  // element within that output
  std::size_t throttle_element_ = 0;
  std::string last_error_;
};

}  // namespace rcpilot::perception
