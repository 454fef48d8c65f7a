#include "common/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rcpilot {

SampleWindow::SampleWindow(std::size_t capacity) : samples_(capacity == 0 ? 1 : capacity) {}

void SampleWindow::add(double sample) {
  samples_[next_] = sample;
  next_ = (next_ + 1) % samples_.size();
  if (count_ < samples_.size()) ++count_;
}

void SampleWindow::clear() {
  next_ = 0;
  count_ = 0;
}

Percentiles SampleWindow::summary() const {
  return summarize(std::vector<double>(samples_.begin(), samples_.begin() + count_));
}

Percentiles summarize(std::vector<double> samples) {
  Percentiles p;
  p.count = samples.size();
  if (samples.empty()) return p;
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    const auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
    return samples[std::min(samples.size() - 1, idx == 0 ? 0 : idx - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = samples.back();
  p.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / static_cast<double>(p.count);
  return p;
}

}  // namespace rcpilot
