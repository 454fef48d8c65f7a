// Fuzz targets for recorded data and models: tub folders (read, and reopened by the recorder)
// and model metadata (with the decode of the categorical outputs it describes).
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

#include "fuzz_support.hpp"
#include "fuzz_targets.hpp"
#include "perception/model_metadata.hpp"
#include "perception/output_decoder.hpp"
#include "perception/tub_reader.hpp"
#include "perception/tub_writer.hpp"

namespace rcpilot::fuzz {
namespace {

// The tub folder the bytes describe: manifest.json, catalog_0.catalog_manifest and
// catalog_0.catalog, in that order, separated by kPartSeparator; a missing part is no file.
std::string make_tub(const std::uint8_t* data, std::size_t size) {
  const std::string dir = fresh_scratch_dir() + "/tub";
  std::filesystem::create_directories(dir + "/images");
  const std::vector<std::string> parts = split(text_of(data, size), kPartSeparator);
  const char* names[] = {"manifest.json", "catalog_0.catalog_manifest", "catalog_0.catalog"};
  for (std::size_t i = 0; i < parts.size() && i < 3; ++i)
    write_file(dir + "/" + names[i], parts[i]);
  return dir;
}

// Every categorical output that parsed decodes scores made of the input's bytes (signed, so
// logits, negative probabilities and ties occur) to a value within its range, or refuses them.
void decode_scores_of(const perception::ModelMetadata& meta, const std::uint8_t* data,
                      std::size_t size) {
  const perception::ModelOutputs& out = meta.outputs;
  for (const auto* bins : {&out.steering_bins, &out.throttle_bins}) {
    if (!bins->categorical()) continue;
    std::vector<float> scores(static_cast<std::size_t>(bins->bins), 0.0f);
    for (std::size_t i = 0; i < scores.size() && size > 0; ++i)
      scores[i] = (static_cast<float>(data[i % size]) - 128.0f) / 4.0f;
    double value = 0.0;
    const auto status =
        perception::decode_bins(*bins, out.scores, out.decode, scores.data(), scores.size(), value);
    const double slack = 1e-9 * std::max({1.0, std::abs(bins->lo), std::abs(bins->hi)});
    if (status == perception::DecodeStatus::kOk &&
        !(value >= bins->lo - slack && value <= bins->hi + slack)) {
      std::abort();  // a decoded value outside the bins' range
    }
  }
}

}  // namespace

int tub_reader(const std::uint8_t* data, std::size_t size) {
  const std::string dir = make_tub(data, size);
  try {
    const perception::TubReader tub(dir);
    for (const auto& session : tub.sessions()) (void)tub.session_records(session);
  } catch (const perception::TubError&) {
  }
  return 0;
}

int tub_reopen(const std::uint8_t* data, std::size_t size) {
  const std::string dir = make_tub(data, size);
  bool readable = true;
  try {
    (void)perception::TubReader(dir);
  } catch (const perception::TubError&) {
    readable = false;
  }
  try {
    perception::TubWriter writer(dir);
    const cv::Mat bgr(8, 8, CV_8UC3, cv::Scalar(10, 20, 30));
    writer.write(bgr, 0.1f, 0.2f, "user", 1700000000000);
    (void)writer.erase_last(1);
    writer.close();
  } catch (const perception::TubError&) {
    return 0;
  }
  // A tub that read before the recorder appended to it still reads.
  if (!readable) return 0;
  try {
    (void)perception::TubReader(dir);
  } catch (const perception::TubError&) {
    check(false);
  }
  return 0;
}

int model_metadata(const std::uint8_t* data, std::size_t size) {
  try {
    decode_scores_of(perception::parse_model_metadata(text_of(data, size), "fuzz.yaml"), data,
                     size);
  } catch (const perception::ModelError&) {
  }
  return 0;
}

}  // namespace rcpilot::fuzz
