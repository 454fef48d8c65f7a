#include "perception/output_decoder.hpp"

#include <cmath>

namespace rcpilot::perception {
namespace {

std::size_t argmax(const float* values, std::size_t count) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < count; ++i) {
    if (values[i] > values[best]) best = i;  // strict: a tie keeps the lower bin
  }
  return best;
}

// The weight of bin i: the softmax numerator of a logit (shifted by the largest logit, so
// exp never overflows), or the probability as given.
double weight(BinScores scores, float score, double top) {
  return scores == BinScores::kLogits ? std::exp(score - top) : static_cast<double>(score);
}

// Sum of w_i * value_of(i) / sum of w_i. Normalised before summing, so the sum is a convex
// combination of the bin values and cannot overflow whatever the range or scores.
DecodeStatus expected(const BinnedOutput& bins, BinScores scores, const float* values,
                      std::size_t count, double& value) {
  const double top = values[argmax(values, count)];
  double weight_sum = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    if (scores == BinScores::kProbabilities && values[i] < 0.0f) {
      return DecodeStatus::kNegativeScore;
    }
    weight_sum += weight(scores, values[i], top);
  }
  if (!(weight_sum > 0.0)) return DecodeStatus::kAllScoresZero;
  double mean = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    mean += weight(scores, values[i], top) / weight_sum * bins.value_of(static_cast<int>(i));
  }
  value = mean;
  return DecodeStatus::kOk;
}

}  // namespace

const char* decode_status_text(DecodeStatus status) {
  switch (status) {
    case DecodeStatus::kOk:
      return "decoded";
    case DecodeStatus::kWrongSize:
      return "categorical output does not hold one score per bin";
    case DecodeStatus::kNotFinite:
      return "categorical output holds a NaN or infinite score";
    case DecodeStatus::kNegativeScore:
      return "categorical output holds a negative probability; if the graph has no softmax, "
             "the metadata should say outputs.categorical.scores: logits";
    case DecodeStatus::kAllScoresZero:
      return "categorical output's probabilities are all 0";
  }
  return "unknown decode status";
}

DecodeStatus decode_bins(const BinnedOutput& bins, BinScores scores, BinDecode decode,
                         const float* values, std::size_t count, double& value) {
  if (count != static_cast<std::size_t>(bins.bins) || count == 0) return DecodeStatus::kWrongSize;
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) return DecodeStatus::kNotFinite;
  }
  if (decode == BinDecode::kExpected) return expected(bins, scores, values, count, value);
  value = bins.value_of(static_cast<int>(argmax(values, count)));
  return DecodeStatus::kOk;
}

const char* score_kind_mismatch(BinScores scores, const float* values, std::size_t count) {
  double sum = 0.0;
  bool negative = false;
  for (std::size_t i = 0; i < count; ++i) {
    sum += values[i];
    negative = negative || values[i] < 0.0f;
  }
  const bool probabilities = !negative && std::abs(sum - 1.0) <= 0.01;
  if (scores == BinScores::kLogits && probabilities) {
    return "its scores are probabilities (>= 0, summing to 1): the graph ends in a softmax, so "
           "write outputs.categorical.scores: probabilities";
  }
  if (scores == BinScores::kProbabilities && !probabilities) {
    return "its scores are not probabilities (below 0, or not summing to 1): the graph has no "
           "softmax, so write outputs.categorical.scores: logits";
  }
  return nullptr;
}

}  // namespace rcpilot::perception
