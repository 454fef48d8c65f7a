// Categorical decode against hand-computed values: Donkey's bins (linear_unbin), ties,
// unnormalised probabilities, logits and the scores that cannot be decoded.
#include "perception/output_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace rcpilot::perception {
namespace {

const BinnedOutput kDonkeySteering{15, -1.0, 1.0};
// Donkey's throttle decode is b * 0.5 / 20 for the default throttle range 0.5: the last of the
// 20 bins is 0.475 (docs/models.md).
const BinnedOutput kDonkeyThrottle{20, 0.0, 0.475};

std::vector<float> one_hot(int bins, int hot) {
  std::vector<float> v(static_cast<std::size_t>(bins), 0.0f);
  v[static_cast<std::size_t>(hot)] = 1.0f;
  return v;
}

double decode(const BinnedOutput& bins, BinScores scores, BinDecode how,
              const std::vector<float>& v) {
  double value = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(decode_bins(bins, scores, how, v.data(), v.size(), value), DecodeStatus::kOk);
  return value;
}

DecodeStatus status_of(const BinnedOutput& bins, BinScores scores, BinDecode how,
                       const std::vector<float>& v) {
  double value = 0.0;
  return decode_bins(bins, scores, how, v.data(), v.size(), value);
}

constexpr auto kProb = BinScores::kProbabilities;
constexpr auto kLogits = BinScores::kLogits;
constexpr auto kArgmax = BinDecode::kArgmax;
constexpr auto kExpected = BinDecode::kExpected;

TEST(OutputDecoder, argmax_gives_the_best_bins_value_as_donkeys_linear_unbin) {
  // linear_unbin(steering): b * 2 / 14 - 1.
  EXPECT_DOUBLE_EQ(decode(kDonkeySteering, kProb, kArgmax, one_hot(15, 0)), -1.0);
  EXPECT_NEAR(decode(kDonkeySteering, kProb, kArgmax, one_hot(15, 3)), 3.0 * 2 / 14 - 1, 1e-12);
  EXPECT_NEAR(decode(kDonkeySteering, kProb, kArgmax, one_hot(15, 7)), 0.0, 1e-12);
  EXPECT_DOUBLE_EQ(decode(kDonkeySteering, kProb, kArgmax, one_hot(15, 14)), 1.0);
  // linear_unbin(throttle, N=20, offset=0, R=0.5): b * 0.5 / 20.
  EXPECT_NEAR(decode(kDonkeyThrottle, kProb, kArgmax, one_hot(20, 8)), 0.2, 1e-12);
  EXPECT_NEAR(decode(kDonkeyThrottle, kProb, kArgmax, one_hot(20, 19)), 0.475, 1e-12);
}

TEST(OutputDecoder, argmax_picks_the_largest_score_not_the_first_large_one) {
  const std::vector<float> v{0.1f, 0.2f, 0.05f, 0.6f, 0.05f};
  EXPECT_DOUBLE_EQ(decode({5, -1.0, 1.0}, kProb, kArgmax, v), 0.5);
}

TEST(OutputDecoder, argmax_tie_goes_to_the_lowest_bin_as_numpy_does) {
  EXPECT_DOUBLE_EQ(decode({3, -1.0, 1.0}, kProb, kArgmax, {0.4f, 0.2f, 0.4f}), -1.0);
  EXPECT_DOUBLE_EQ(decode({3, -1.0, 1.0}, kProb, kArgmax, {0.2f, 0.4f, 0.4f}), 0.0);
}

TEST(OutputDecoder, argmax_reads_logits_as_they_are_since_softmax_keeps_the_order) {
  EXPECT_DOUBLE_EQ(decode({3, -1.0, 1.0}, kLogits, kArgmax, {-3.0f, -5.0f, -1.0f}), 1.0);
}

TEST(OutputDecoder, expected_weighs_every_bin_value_by_its_probability) {
  // 0.25 * -1 + 0.25 * 0 + 0.5 * 1 = 0.25.
  EXPECT_DOUBLE_EQ(decode({3, -1.0, 1.0}, kProb, kExpected, {0.25f, 0.25f, 0.5f}), 0.25);
  // Halfway between two of Donkey's throttle bins: (0.2 + 0.225) / 2.
  std::vector<float> v(20, 0.0f);
  v[8] = v[9] = 0.5f;
  EXPECT_NEAR(decode(kDonkeyThrottle, kProb, kExpected, v), 0.2125, 1e-12);
}

TEST(OutputDecoder, expected_divides_unnormalised_probabilities_by_their_sum) {
  EXPECT_DOUBLE_EQ(decode({3, -1.0, 1.0}, kProb, kExpected, {1.0f, 1.0f, 2.0f}), 0.25);
  EXPECT_DOUBLE_EQ(decode({2, 0.0, 1.0}, kProb, kExpected, {0.0f, 7.0f}), 1.0);
}

TEST(OutputDecoder, expected_applies_the_softmax_to_logits) {
  // softmax(0, ln 3) = (0.25, 0.75) over the values 0 and 1.
  const float ln3 = static_cast<float>(std::log(3.0));
  EXPECT_NEAR(decode({2, 0.0, 1.0}, kLogits, kExpected, {0.0f, ln3}), 0.75, 1e-6);
  // Shifting every logit changes nothing and large ones do not overflow exp.
  EXPECT_NEAR(decode({2, 0.0, 1.0}, kLogits, kExpected, {1000.0f, 1000.0f + ln3}), 0.75, 1e-4);
  // Equal logits: the mean of the bin values, the middle of the range.
  EXPECT_NEAR(decode(kDonkeySteering, kLogits, kExpected, std::vector<float>(15, -2.0f)), 0.0,
              1e-12);
}

TEST(OutputDecoder, wrong_score_count_is_refused) {
  EXPECT_EQ(status_of(kDonkeySteering, kProb, kArgmax, one_hot(14, 0)), DecodeStatus::kWrongSize);
  EXPECT_EQ(status_of(kDonkeySteering, kLogits, kExpected, one_hot(16, 0)),
            DecodeStatus::kWrongSize);
}

TEST(OutputDecoder, nan_or_infinite_scores_are_refused_in_every_mode) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (const auto scores : {kProb, kLogits}) {
    for (const auto how : {kArgmax, kExpected}) {
      EXPECT_EQ(status_of({3, -1.0, 1.0}, scores, how, {0.1f, nan, 0.2f}),
                DecodeStatus::kNotFinite);
      EXPECT_EQ(status_of({3, -1.0, 1.0}, scores, how, {0.1f, inf, 0.2f}),
                DecodeStatus::kNotFinite);
    }
  }
}

TEST(OutputDecoder, negative_or_all_zero_probabilities_are_refused_with_a_hint) {
  EXPECT_EQ(status_of({3, -1.0, 1.0}, kProb, kExpected, {0.5f, -0.1f, 0.6f}),
            DecodeStatus::kNegativeScore);
  EXPECT_NE(std::string(decode_status_text(DecodeStatus::kNegativeScore)).find("scores: logits"),
            std::string::npos);
  EXPECT_EQ(status_of({3, -1.0, 1.0}, kProb, kExpected, {0.0f, 0.0f, 0.0f}),
            DecodeStatus::kAllScoresZero);
}

TEST(OutputDecoder, a_refused_decode_leaves_the_value_alone) {
  double value = 0.125;
  const std::vector<float> v{0.0f, 0.0f};
  EXPECT_NE(decode_bins({2, 0.0, 1.0}, kProb, kExpected, v.data(), v.size(), value),
            DecodeStatus::kOk);
  EXPECT_EQ(value, 0.125);
}

TEST(OutputDecoder, probabilities_declared_as_logits_are_caught_since_a_second_softmax_is_silent) {
  const std::vector<float> softmax{0.1f, 0.2f, 0.7f};
  EXPECT_NE(score_kind_mismatch(kLogits, softmax.data(), softmax.size()), nullptr);
  EXPECT_EQ(score_kind_mismatch(kProb, softmax.data(), softmax.size()), nullptr);
  // fp16 engines round: within 1% of a sum of 1 still counts as probabilities.
  const std::vector<float> rounded{0.1f, 0.2f, 0.705f};
  EXPECT_EQ(score_kind_mismatch(kProb, rounded.data(), rounded.size()), nullptr);
}

TEST(OutputDecoder, logits_declared_as_probabilities_are_caught) {
  const std::vector<float> logits{-1.5f, 0.3f, 2.0f};
  EXPECT_NE(
      std::string(score_kind_mismatch(kProb, logits.data(), logits.size())).find("scores: logits"),
      std::string::npos);
  EXPECT_EQ(score_kind_mismatch(kLogits, logits.data(), logits.size()), nullptr);
  const std::vector<float> positive_logits{0.5f, 1.0f, 2.0f};  // >= 0 but summing to 3.5
  EXPECT_NE(score_kind_mismatch(kProb, positive_logits.data(), positive_logits.size()), nullptr);
  EXPECT_EQ(score_kind_mismatch(kLogits, positive_logits.data(), positive_logits.size()), nullptr);
}

}  // namespace
}  // namespace rcpilot::perception
