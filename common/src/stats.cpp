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

Histogram::Histogram(double range, double bin_width)
    : bin_width_(bin_width),
      bins_(static_cast<std::size_t>(std::ceil(range / bin_width)) + 1, 0) {}

void Histogram::add(double sample) {
  const double s = std::max(0.0, sample);
  const auto bin = std::min(bins_.size() - 1, static_cast<std::size_t>(s / bin_width_));
  ++bins_[bin];
  ++count_;
  sum_ += s;
  max_ = std::max(max_, s);
}

Percentiles Histogram::summary() const {
  Percentiles p;
  p.count = static_cast<std::size_t>(count_);
  if (count_ == 0) return p;
  auto at = [this](double q) {
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bins_.size(); ++i) {
      seen += bins_[i];
      if (seen >= rank) return std::min(max_, static_cast<double>(i + 1) * bin_width_);
    }
    return max_;
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = max_;
  p.mean = sum_ / static_cast<double>(count_);
  return p;
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
