#pragma once
// Runs a Pilot on its own thread: newest frame in, newest Prediction out.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "common/latest_slot.hpp"
#include "common/stats.hpp"
#include "perception/pilot.hpp"
#include "perception/types.hpp"

namespace rcpilot::perception {

struct PilotStats {
  std::uint64_t predictions = 0;     // predictions published (valid or not)
  std::uint64_t invalid = 0;         // of those, valid = false
  std::uint64_t frames_skipped = 0;  // camera frames never inferred (pilot slower than camera)
  Percentiles inference_ms;          // engine time over the last kInferenceWindow predictions
  double unique_frames_per_s = 0.0;  // distinct frames inferred per second, recent window;
                                     // decays towards 0 when predictions stop
};

// Waits for a frame newer than the last one, infers, publishes the Prediction and then calls
// `on_prediction` (the control loop uses it to wake at once). Frames arriving while a frame is
// being inferred are overwritten in the slot, never queued.
class PilotThread {
 public:
  static constexpr std::size_t kInferenceWindow = 256;  // samples in inference_ms
  static constexpr std::size_t kRateWindow = 32;        // predictions in unique_frames_per_s

  // All references must outlive this object. `on_prediction` runs on the pilot thread and
  // must not block.
  PilotThread(Pilot& pilot, const LatestSlot<Frame>& frames, LatestSlot<Prediction>& predictions,
              const Clock& clock, std::function<void()> on_prediction = {});
  ~PilotThread();
  PilotThread(const PilotThread&) = delete;
  PilotThread& operator=(const PilotThread&) = delete;

  // `on_thread_start` runs first on the new thread (e.g. to pin it to a CPU).
  void start(std::function<void()> on_thread_start = {});
  // Returns within about kWaitSlice plus one inference.
  void stop();
  // Thread-safe snapshot.
  PilotStats stats() const;

 private:
  static constexpr std::chrono::milliseconds kWaitSlice{
      20};  // how often a waiting thread checks stop

  void loop();
  void record(const Frame& frame, const Prediction& prediction);

  Pilot& pilot_;
  const LatestSlot<Frame>& frames_;
  LatestSlot<Prediction>& predictions_;
  const Clock& clock_;
  std::function<void()> on_prediction_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  mutable std::mutex stats_mutex_;
  PilotStats counts_;  // counters only; percentiles and rate built in stats()
  SampleWindow inference_ms_{kInferenceWindow};
  std::array<TimePoint, kRateWindow> recent_{};  // ring of predicted_at
  std::size_t recent_count_ = 0;
  std::size_t recent_next_ = 0;
  std::uint64_t last_sequence_ = 0;
};

}  // namespace rcpilot::perception
