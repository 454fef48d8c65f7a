#include "perception/model_metadata.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rcpilot::perception {
namespace {

const char* kTwoOutputs = R"(format: rcpilot-model-v1
architecture: linear
input:
  name: input
  shape: [1, 3, 120, 160]
  layout: NCHW
  color: RGB
  scale: 0.00392156862745098
  mean: [0.485, 0.456, 0.406]
  std: [0.229, 0.224, 0.225]
  interpolation: linear
  crop: {top: 40, bottom: 0}
outputs:
  steering: angle
  throttle: throttle
output_range: [-1.0, 1.0]
training:
  dataset_seed: 7
  val_loss: 0.0123
  epochs: 20
  splits: [0.8, 0.2]
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  return text.replace(pos, from.size(), to);
}

std::string error_of(const std::string& yaml) {
  try {
    parse_model_metadata(yaml, "models/x.yaml");
  } catch (const ModelError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ModelMetadata, parses_every_field_of_the_two_output_form) {
  const ModelMetadata m = parse_model_metadata(kTwoOutputs, "models/x.yaml");
  EXPECT_EQ(m.architecture, "linear");
  EXPECT_EQ(m.input.name, "input");
  EXPECT_EQ(m.input.shape, (std::vector<int>{1, 3, 120, 160}));
  EXPECT_EQ(m.input.height(), 120);
  EXPECT_EQ(m.input.width(), 160);
  EXPECT_EQ(m.input.color, ColorOrder::kRgb);
  EXPECT_DOUBLE_EQ(m.input.mean[2], 0.406);
  EXPECT_DOUBLE_EQ(m.input.stddev[0], 0.229);
  EXPECT_EQ(m.input.interpolation, Interpolation::kLinear);
  EXPECT_EQ(m.input.crop_top, 40);
  EXPECT_FALSE(m.outputs.single_vector);
  EXPECT_EQ(m.outputs.names(), (std::vector<std::string>{"angle", "throttle"}));
  EXPECT_EQ(m.training.at("dataset_seed"), "7");
  EXPECT_EQ(m.training.at("val_loss"), "0.0123");
  EXPECT_EQ(m.training.at("splits"), "[0.8, 0.2]");
  EXPECT_EQ(m.source_path, "models/x.yaml");
}

TEST(ModelMetadata, parses_the_vector_output_form_and_nhwc_bgr) {
  std::string yaml = replace(kTwoOutputs, "  steering: angle\n  throttle: throttle\n",
                             "  name: pilot\n  steering_index: 1\n  throttle_index: 0\n");
  yaml = replace(yaml, "[1, 3, 120, 160]", "[1, 120, 160, 3]");
  yaml = replace(replace(yaml, "NCHW", "NHWC"), "color: RGB", "color: BGR");
  const ModelMetadata m = parse_model_metadata(yaml, "x.yaml");
  EXPECT_TRUE(m.outputs.single_vector);
  EXPECT_EQ(m.outputs.names(), (std::vector<std::string>{"pilot"}));
  EXPECT_EQ(m.outputs.steering_index, 1);
  EXPECT_EQ(m.input.layout, TensorLayout::kNhwc);
  EXPECT_EQ(m.input.color, ColorOrder::kBgr);
  EXPECT_EQ(m.input.height(), 120);
  EXPECT_EQ(m.input.width(), 160);
}

TEST(ModelMetadata, missing_key_error_names_file_line_and_key) {
  const std::string e = error_of(replace(kTwoOutputs, "  layout: NCHW\n", ""));
  EXPECT_NE(e.find("models/x.yaml:"), std::string::npos) << e;
  EXPECT_NE(e.find("'input.layout'"), std::string::npos) << e;
  EXPECT_NE(e.find("missing"), std::string::npos) << e;
  EXPECT_NE(e.find("fix the model metadata"), std::string::npos) << e;
}

TEST(ModelMetadata, unknown_keys_are_rejected_so_typos_do_not_pass) {
  const std::string e = error_of(replace(kTwoOutputs, "  scale:", "  scael: 1\n  scale:"));
  EXPECT_NE(e.find("'input.scael': unknown key"), std::string::npos) << e;
}

TEST(ModelMetadata, wrong_format_version_is_rejected) {
  const std::string e = error_of(replace(kTwoOutputs, "rcpilot-model-v1", "rcpilot-model-v9"));
  EXPECT_NE(e.find("rcpilot-model-v9"), std::string::npos) << e;
}

TEST(ModelMetadata, shape_must_have_three_channels_where_the_layout_puts_them) {
  const std::string e = error_of(replace(kTwoOutputs, "NCHW", "NHWC"));
  EXPECT_NE(e.find("'input.shape'"), std::string::npos) << e;
  EXPECT_NE(e.find("channel"), std::string::npos) << e;
}

TEST(ModelMetadata, zero_std_and_inverted_output_range_are_rejected) {
  EXPECT_NE(error_of(replace(kTwoOutputs, "0.229, 0.224", "0.0, 0.224")).find("'input.std'"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kTwoOutputs, "[-1.0, 1.0]", "[1.0, -1.0]")).find("'output_range'"),
            std::string::npos);
}

TEST(ModelMetadata, mixing_the_two_output_forms_is_rejected) {
  const std::string e =
      error_of(replace(kTwoOutputs, "  steering: angle\n", "  steering: angle\n  name: pilot\n"));
  EXPECT_NE(e.find("'outputs'"), std::string::npos) << e;
}

TEST(ModelMetadata, non_numeric_value_names_key_and_value) {
  const std::string e = error_of(replace(kTwoOutputs, "scale: 0.00392156862745098", "scale: tiny"));
  EXPECT_NE(e.find("'input.scale'"), std::string::npos) << e;
  EXPECT_NE(e.find("tiny"), std::string::npos) << e;
}

const char* kCategorical = R"(  steering: angle
  throttle: throttle
  categorical:
    steering: {bins: 15, range: [-1.0, 1.0]}
    throttle: {bins: 20, range: [0.0, 0.5]}
    scores: logits
    decode: expected
)";

std::string categorical(const std::string& from = "", const std::string& to = "") {
  std::string outputs = kCategorical;
  if (!from.empty()) outputs = replace(outputs, from, to);
  return replace(kTwoOutputs, "  steering: angle\n  throttle: throttle\n", outputs);
}

TEST(ModelMetadata, parses_categorical_outputs_with_their_bins_and_decode) {
  const auto meta = parse_model_metadata(categorical(), "models/x.yaml");
  const ModelOutputs& out = meta.outputs;
  EXPECT_EQ(out.steering_bins.bins, 15);
  EXPECT_EQ(out.steering_bins.lo, -1.0);
  EXPECT_EQ(out.steering_bins.hi, 1.0);
  EXPECT_EQ(out.throttle_bins.bins, 20);
  EXPECT_EQ(out.throttle_bins.hi, 0.5);
  EXPECT_EQ(out.scores, BinScores::kLogits);
  EXPECT_EQ(out.decode, BinDecode::kExpected);
  EXPECT_EQ(out.values_needed(0), 15u);
  EXPECT_EQ(out.values_needed(1), 20u);
  EXPECT_EQ(out.describe_needed(1), "exactly 20 float32 value(s)");
}

TEST(ModelMetadata, categorical_decode_defaults_to_donkeys_argmax_and_one_output_may_be_plain) {
  const auto plain = parse_model_metadata(
      categorical("    throttle: {bins: 20, range: [0.0, 0.5]}\n    scores: logits\n    decode: "
                  "expected\n",
                  "    scores: probabilities\n"),
      "models/x.yaml");
  EXPECT_EQ(plain.outputs.decode, BinDecode::kArgmax);
  EXPECT_EQ(plain.outputs.scores, BinScores::kProbabilities);
  EXPECT_TRUE(plain.outputs.steering_bins.categorical());
  EXPECT_FALSE(plain.outputs.throttle_bins.categorical());
  EXPECT_EQ(plain.outputs.values_needed(1), 1u);
}

TEST(ModelMetadata, bad_categorical_fields_are_rejected_naming_the_field) {
  const auto e = [](const std::string& from, const std::string& to) {
    return error_of(categorical(from, to));
  };
  EXPECT_NE(e("bins: 15", "bins: 1").find("'outputs.categorical.steering.bins': must be 2..1024"),
            std::string::npos);
  EXPECT_NE(e("bins: 20", "bins: 5000").find("'outputs.categorical.throttle.bins'"),
            std::string::npos);
  EXPECT_NE(e("bins: 15", "bins: 7.5").find("'outputs.categorical.steering.bins'"),
            std::string::npos);
  EXPECT_NE(e("[0.0, 0.5]", "[0.5, 0.0]").find("'outputs.categorical.throttle.range'"),
            std::string::npos);
  EXPECT_NE(e("[-1.0, 1.0]", "[-1.0, .inf]").find("'outputs.categorical.steering.range'"),
            std::string::npos);
  EXPECT_NE(e("[-1.0, 1.0]", "[-1.0]").find("'outputs.categorical.steering.range'"),
            std::string::npos);
  EXPECT_NE(e("    scores: logits\n", "").find("'outputs.categorical.scores': missing"),
            std::string::npos);
  EXPECT_NE(e("scores: logits", "scores: softmax").find("'outputs.categorical.scores'"),
            std::string::npos);
  EXPECT_NE(e("decode: expected", "decode: mean").find("'outputs.categorical.decode'"),
            std::string::npos);
  EXPECT_NE(e("decode: expected", "decode: expected\n    bims: 3")
                .find("'outputs.categorical.bims': unknown key"),
            std::string::npos);
  EXPECT_NE(e("{bins: 15,", "{bins: 15, offset: -1,")
                .find("'outputs.categorical.steering.offset': unknown key"),
            std::string::npos);
}

TEST(ModelMetadata, categorical_needs_a_binned_output_and_the_two_output_form) {
  const std::string none = error_of(
      categorical("    steering: {bins: 15, range: [-1.0, 1.0]}\n    throttle: {bins: 20, range: "
                  "[0.0, 0.5]}\n",
                  ""));
  EXPECT_NE(none.find("give steering, throttle or both"), std::string::npos) << none;
  const std::string vector = error_of(categorical("  steering: angle\n  throttle: throttle\n",
                                                  "  name: pilot\n  steering_index: 0\n  "
                                                  "throttle_index: 1\n"));
  EXPECT_NE(vector.find("models/x.yaml"), std::string::npos) << vector;
  EXPECT_NE(vector.find("need the two-output form"), std::string::npos) << vector;
}

TEST(ModelMetadata, missing_file_error_names_the_file_and_what_to_do) {
  try {
    load_model_metadata("/nonexistent/model.yaml");
    FAIL() << "no error";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.yaml"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("docs/models.md"), std::string::npos);
  }
}

TEST(ModelMetadata, default_metadata_path_replaces_the_onnx_extension) {
  EXPECT_EQ(default_metadata_path("models/linear.onnx"), "models/linear.yaml");
  EXPECT_EQ(default_metadata_path("models/linear"), "models/linear.yaml");
}

}  // namespace
}  // namespace rcpilot::perception
