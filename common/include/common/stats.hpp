#pragma once
// Statistics over a sliding window of samples (latency, period, inference time).
#include <cstddef>
#include <cstdint>
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

// Percentiles over every sample since construction, for runs of any length (a 10-minute
// benchmark has 12 000 ticks at 20 Hz). Fixed bins of `bin_width` from 0 to `range`: add() never
// allocates. p50/p99 are the upper edge of their bin (an over-estimate by at most one bin); max
// and mean are exact; samples beyond `range` count in the top bin.
class Histogram {
 public:
  Histogram(double range, double bin_width);
  void add(double sample);
  Percentiles summary() const;

 private:
  double bin_width_;
  std::vector<std::uint64_t> bins_;
  std::uint64_t count_ = 0;
  double sum_ = 0.0;
  double max_ = 0.0;
};

// Percentiles of an arbitrary set of samples (sorted copy; for reports and benchmarks).
Percentiles summarize(std::vector<double> samples);

}  // namespace rcpilot
