#include "perception/replay_eval.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <opencv2/imgproc.hpp>

namespace rcpilot::perception {

namespace {

bool labelled(const TubRecord& r) {
  return !r.image_path.empty() && !std::isnan(r.angle) && !std::isnan(r.throttle);
}

}  // namespace

EvalResult evaluate_tub(Pilot& pilot, const TubReader& tub, const Clock& clock, std::size_t limit) {
  const auto& records = tub.records();
  if (std::none_of(records.begin(), records.end(), labelled)) {
    throw TubError("tub " + tub.path() + ": none of its " + std::to_string(records.size()) +
                   " records (not deleted) has an image, user/angle and user/throttle, so there "
                   "is nothing to compare the model with; evaluate a tub recorded while a person "
                   "drove (mode user, docs/recording.md)");
  }
  EvalResult result;
  std::vector<double> inference_ms;
  double steering_sum = 0.0;
  double throttle_sum = 0.0;
  for (const TubRecord& record : tub.records()) {
    if (limit > 0 && result.samples.size() + result.invalid >= limit) break;
    if (!labelled(record)) {
      ++result.skipped;
      continue;
    }
    Frame frame;
    frame.bgr = tub.image(record);
    frame.sequence = static_cast<std::uint64_t>(record.index) + 1;
    frame.captured_at = clock.now();
    const Prediction p = pilot.infer(frame, clock);
    if (!p.valid) {
      ++result.invalid;
      result.last_error = pilot.last_error();
      continue;
    }
    EvalSample s{record.index,    record.angle,    record.throttle,
                 p.steering_norm, p.throttle_norm, p.inference_ms};
    steering_sum += std::abs(static_cast<double>(s.predicted_steering - s.recorded_steering));
    throttle_sum += std::abs(static_cast<double>(s.predicted_throttle - s.recorded_throttle));
    inference_ms.push_back(s.inference_ms);
    result.samples.push_back(s);
  }
  if (!result.samples.empty()) {
    const auto n = static_cast<double>(result.samples.size());
    result.steering_mae = steering_sum / n;
    result.throttle_mae = throttle_sum / n;
  }
  result.inference_ms = summarize(std::move(inference_ms));
  return result;
}

std::string format_eval(const EvalResult& r) {
  if (r.samples.empty()) {
    return "records evaluated: 0 (skipped " + std::to_string(r.skipped) +
           " without labels or image, " + std::to_string(r.invalid) + " invalid): no MAE\n" +
           (r.invalid > 0 ? "last invalid prediction: " + r.last_error + "\n" : "");
  }
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "records evaluated: %zu (skipped %zu without labels or image, %zu invalid)\n"
                "steering MAE: %.4f\n"
                "throttle MAE: %.4f\n"
                "inference: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                r.samples.size(), r.skipped, r.invalid, r.steering_mae, r.throttle_mae,
                r.inference_ms.p50, r.inference_ms.p99, r.inference_ms.max);
  std::string text = buf;
  if (r.invalid > 0) text += "last invalid prediction: " + r.last_error + "\n";
  return text;
}

namespace {

void draw_series(cv::Mat& img, const EvalResult& r, bool predicted, const cv::Scalar& colour) {
  const std::size_t n = r.samples.size();
  const double x_scale = n > 1 ? (img.cols - 1) / static_cast<double>(n - 1) : 0.0;
  std::vector<cv::Point> points;
  points.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float v = predicted ? r.samples[i].predicted_steering : r.samples[i].recorded_steering;
    const double y = (1.0 - static_cast<double>(std::clamp(v, -1.0f, 1.0f))) * 0.5 * (img.rows - 1);
    points.emplace_back(static_cast<int>(std::lround(static_cast<double>(i) * x_scale)),
                        static_cast<int>(std::lround(y)));
  }
  if (!points.empty()) cv::polylines(img, points, false, colour, 1, cv::LINE_AA);
}

}  // namespace

cv::Mat plot_steering(const EvalResult& r, int width, int height) {
  cv::Mat img(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::line(img, {0, height / 2}, {width - 1, height / 2}, cv::Scalar(200, 200, 200));
  draw_series(img, r, /*predicted=*/false, cv::Scalar(200, 80, 0));  // recorded: blue
  draw_series(img, r, /*predicted=*/true, cv::Scalar(0, 0, 220));    // predicted: red
  cv::putText(img, "steering: recorded (blue) vs predicted (red)", {8, 18},
              cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
  return img;
}

}  // namespace rcpilot::perception
