#pragma once
// Categorical outputs to values: the one decode every backend's outputs go through (the
// Pilot calls it on what OpenCV DNN, oneDNN or TensorRT returned). docs/models.md,
// "Categorical models", says which decode to pick and why.
#include <cstddef>

#include "perception/model_metadata.hpp"

namespace rcpilot::perception {

// Why bin scores could not be decoded; kOk when they were.
enum class DecodeStatus {
  kOk,
  kWrongSize,      // not exactly `bins` scores
  kNotFinite,      // a NaN or infinite score
  kNegativeScore,  // a probability below 0: the graph has no softmax (scores: logits)
  kAllScoresZero,  // probabilities summing to 0: nothing to weigh
};

// A sentence saying what went wrong and what to check, for the pilot's last_error.
const char* decode_status_text(DecodeStatus status);

// Decodes `count` scores of a categorical output into the value (network units, within
// [bins.lo, bins.hi]) they stand for. kArgmax: the value of the highest score's bin, the
// lowest bin on a tie (numpy's argmax, so Donkey's linear_unbin). kExpected: the mean of the
// bin values weighted by the probabilities: the softmax of logits, or probabilities divided
// by their sum (so unnormalised scores decode as if normalised). Never throws or allocates;
// `value` is untouched unless kOk.
DecodeStatus decode_bins(const BinnedOutput& bins, BinScores scores, BinDecode decode,
                         const float* values, std::size_t count, double& value);

// Start-up check that scores are of the kind the metadata says: probabilities are >= 0 and
// sum to 1 (within 1%, for fp16 engines), logits do not look like that. A softmax graph
// declared as logits would be softmaxed twice, which pulls every value towards the middle of
// the range without any error. nullptr when they agree, else what is wrong and what to write.
const char* score_kind_mismatch(BinScores scores, const float* values, std::size_t count);

}  // namespace rcpilot::perception
