#include "perception/pilot_thread.hpp"

#include <algorithm>

namespace rcpilot::perception {

PilotThread::PilotThread(Pilot& pilot, const LatestSlot<Frame>& frames,
                         LatestSlot<Prediction>& predictions, const Clock& clock,
                         std::function<void()> on_prediction)
    : pilot_(pilot),
      frames_(frames),
      predictions_(predictions),
      clock_(clock),
      on_prediction_(std::move(on_prediction)) {}

PilotThread::~PilotThread() { stop(); }

void PilotThread::start(std::function<void()> on_thread_start) {
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this, on_start = std::move(on_thread_start)] {
    if (on_start) on_start();
    loop();
  });
}

void PilotThread::stop() {
  stop_ = true;
  frames_.wake_all();
  if (thread_.joinable()) thread_.join();
}

void PilotThread::loop() {
  Frame frame;
  std::uint64_t seen_version = 0;
  while (!stop_) {
    if (!frames_.wait_newer(frame, seen_version, kWaitSlice)) continue;
    const Prediction prediction = pilot_.infer(frame, clock_);
    predictions_.publish(prediction);
    record(frame, prediction);
    if (on_prediction_) on_prediction_();
    frame.bgr.release();  // let the grabber's buffer go while we wait
  }
}

void PilotThread::record(const Frame& frame, const Prediction& prediction) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++counts_.predictions;
  if (!prediction.valid) ++counts_.invalid;
  if (last_sequence_ != 0 && frame.sequence > last_sequence_ + 1) {
    counts_.frames_skipped += frame.sequence - last_sequence_ - 1;
  }
  last_sequence_ = frame.sequence;
  if (prediction.valid) inference_ms_.add(prediction.inference_ms);
  recent_[recent_next_] = prediction.predicted_at;
  recent_next_ = (recent_next_ + 1) % kRateWindow;
  recent_count_ = std::min(recent_count_ + 1, kRateWindow);
}

PilotStats PilotThread::stats() const {
  const TimePoint now = clock_.now();
  std::lock_guard<std::mutex> lock(stats_mutex_);
  PilotStats out = counts_;
  out.inference_ms = inference_ms_.summary();
  if (recent_count_ >= 2) {
    const TimePoint newest = recent_[(recent_next_ + kRateWindow - 1) % kRateWindow];
    const TimePoint oldest = recent_[(recent_next_ + kRateWindow - recent_count_) % kRateWindow];
    const double intervals = static_cast<double>(recent_count_ - 1);
    const double span_ms = elapsed_ms(oldest, newest);
    // While predictions keep coming, rate over the window; once the newest is older than one
    // mean interval, count the silence too so the rate decays instead of freezing.
    const double silent_ms = elapsed_ms(newest, now) - span_ms / intervals;
    const double window_ms = span_ms + std::max(0.0, silent_ms);
    out.unique_frames_per_s = window_ms > 0 ? intervals * 1000.0 / window_ms : 0.0;
  }
  return out;
}

}  // namespace rcpilot::perception
