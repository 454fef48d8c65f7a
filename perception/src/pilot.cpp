#include "perception/pilot.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>

#include "perception/output_decoder.hpp"

namespace rcpilot::perception {
namespace {

std::size_t find_output(const std::vector<std::string>& names, const std::string& wanted,
                        const std::string& engine) {
  const auto it = std::find(names.begin(), names.end(), wanted);
  if (it == names.end()) {
    throw ModelError("inference engine " + engine + " does not return output '" + wanted +
                     "' named in the model metadata; fix outputs in the metadata");
  }
  return static_cast<std::size_t>(it - names.begin());
}

}  // namespace

Pilot::Pilot(std::unique_ptr<InferenceEngine> engine, ModelMetadata metadata)
    : engine_(std::move(engine)), metadata_(std::move(metadata)), preprocessor_(metadata_.input) {
  const auto names = engine_->output_names();
  const ModelOutputs& out = metadata_.outputs;
  if (out.single_vector) {
    steering_output_ = throttle_output_ = find_output(names, out.vector_name, engine_->describe());
    steering_element_ = static_cast<std::size_t>(out.steering_index);
    throttle_element_ = static_cast<std::size_t>(out.throttle_index);
  } else {
    steering_output_ = find_output(names, out.steering, engine_->describe());
    throttle_output_ = find_output(names, out.throttle, engine_->describe());
  }
}

Prediction Pilot::infer(const Frame& frame, const Clock& clock) {
  Prediction p;
  p.frame_sequence = frame.sequence;
  p.captured_at = frame.captured_at;
  const TimePoint start = clock.now();
  try {
    const cv::Mat& tensor = preprocessor_.run(frame.bgr);
    const TimePoint preprocessed = clock.now();
    engine_->run(tensor, outputs_);
    const TimePoint inferred = clock.now();
    p.preprocess_ms = static_cast<float>(elapsed_ms(start, preprocessed));
    p.inference_ms = static_cast<float>(elapsed_ms(preprocessed, inferred));
    float steering = 0.0f;
    float throttle = 0.0f;
    p.valid = read_outputs(steering, throttle);
    if (p.valid) {
      p.steering_norm = steering;
      p.throttle_norm = throttle;
    }
  } catch (const std::exception& e) {
    last_error_ = e.what();
  }
  p.predicted_at = clock.now();
  return p;
}

bool Pilot::read_outputs(float& steering, float& throttle) {
  if (outputs_.size() <= std::max(steering_output_, throttle_output_)) {
    last_error_ = "engine returned " + std::to_string(outputs_.size()) + " outputs";
    return false;
  }
  const ModelOutputs& out = metadata_.outputs;
  double raw_steering = 0.0;
  double raw_throttle = 0.0;
  if (!read_value(outputs_[steering_output_], steering_element_, out.steering_bins, raw_steering) ||
      !read_value(outputs_[throttle_output_], throttle_element_, out.throttle_bins, raw_throttle)) {
    return false;
  }
  steering = to_norm(raw_steering);
  throttle = to_norm(raw_throttle);
  return true;
}

bool Pilot::read_value(const cv::Mat& output, std::size_t element, const BinnedOutput& bins,
                       double& raw) {
  if (output.type() != CV_32F || (!bins.categorical() && output.total() <= element)) {
    last_error_ = "engine outputs are not float32 of the expected size";
    return false;
  }
  if (bins.categorical()) {
    const ModelOutputs& out = metadata_.outputs;
    const DecodeStatus status =
        decode_bins(bins, out.scores, out.decode, output.ptr<float>(), output.total(), raw);
    if (status != DecodeStatus::kOk) last_error_ = decode_status_text(status);
    return status == DecodeStatus::kOk;
  }
  raw = output.ptr<float>()[element];
  if (!std::isfinite(raw)) {
    last_error_ = "model output is not finite (NaN or Inf)";
    return false;
  }
  return true;
}

float Pilot::to_norm(double raw) const {
  const double lo = metadata_.output_lo;
  const double hi = metadata_.output_hi;
  const double norm = 2.0 * (raw - lo) / (hi - lo) - 1.0;
  return static_cast<float>(std::clamp(norm, -1.0, 1.0));
}

void Pilot::warm_up(int runs) {
  const cv::Mat black(
      metadata_.input.height() + metadata_.input.crop_top + metadata_.input.crop_bottom,
      metadata_.input.width(), CV_8UC3, cv::Scalar::all(0));
  try {
    for (int i = 0; i < runs; ++i) engine_->run(preprocessor_.run(black), outputs_);
  } catch (const std::exception& e) {
    throw ModelError("warm-up inference failed on " + engine_->describe() + ": " + e.what());
  }
  if (runs > 0) check_score_kinds();
}

void Pilot::check_score_kinds() const {
  const ModelOutputs& out = metadata_.outputs;
  const std::pair<std::size_t, const BinnedOutput*> categorical[] = {
      {steering_output_, &out.steering_bins}, {throttle_output_, &out.throttle_bins}};
  for (const auto& [index, bins] : categorical) {
    if (!bins->categorical() || index >= outputs_.size() || outputs_[index].type() != CV_32F)
      continue;
    const char* mismatch =
        score_kind_mismatch(out.scores, outputs_[index].ptr<float>(), outputs_[index].total());
    if (mismatch != nullptr) {
      throw ModelError(metadata_.source_path + ": output '" + engine_->output_names().at(index) +
                       "' of " + engine_->describe() + ": " + mismatch);
    }
  }
}

Percentiles Pilot::measure(int runs, const cv::Mat& frame, const Clock& clock) {
  std::vector<double> samples;
  samples.reserve(static_cast<std::size_t>(std::max(runs, 0)));
  Frame f;
  f.bgr = frame;
  for (int i = 0; i < runs; ++i) {
    f.sequence = static_cast<std::uint64_t>(i) + 1;
    const Prediction p = infer(f, clock);
    if (!p.valid) {
      throw ModelError("start-up self-test inference failed on " + engine_->describe() + ": " +
                       last_error_);
    }
    samples.push_back(p.inference_ms);
  }
  return summarize(std::move(samples));
}

}  // namespace rcpilot::perception
