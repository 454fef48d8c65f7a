#pragma once
// Statistics over a sliding window of samples (latency, period, inference time).
#include <cstddef>
#include <vector>

namespace rcpilot {

struct Percentiles {
  double p50 = 0.0;
  double p99 = 0.0;
  double max = 0.0;
  double mean = 0.0;
  std::size_t count = 0;  // samples in the window
};

// Fixed-capacity ring of samples; add() never allocates after construction.
class SampleWindow {
 public:
  explicit SampleWindow(std::size_t capacity);
  void add(double sample);
  void clear();
  std::size_t size() const { return count_; }
  // Percentiles of the samples currently in the window (allocates: not for the hot path).
  Percentiles summary() const;

 private:
  std::vector<double> samples_;
  std::size_t next_ = 0;
  std::size_t count_ = 0;
};

// Percentiles of an arbitrary set of samples (sorted copy; for reports and benchmarks).
Percentiles summarize(std::vector<double> samples);

}  // namespace rcpilot
