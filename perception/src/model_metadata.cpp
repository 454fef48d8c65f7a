#include "perception/model_metadata.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

namespace rcpilot::perception {
namespace {

constexpr const char* kFixHint =
    "; fix the model metadata (scripts/train.py writes it, format in "
    "perception/model_metadata.hpp)";

// Reads one YAML file; every error names the file, the key path and the line.
class MetadataReader {
 public:
  explicit MetadataReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& key, const YAML::Node& node,
                         const std::string& what) const {
    std::ostringstream msg;
    msg << source_;
    if (node.IsDefined() && node.Mark().line >= 0) msg << ":" << node.Mark().line + 1;
    msg << ": key '" << key << "': " << what << kFixHint;
    throw ModelError(msg.str());
  }

  YAML::Node required(const YAML::Node& map, const std::string& parent, const std::string& key) {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) fail(join(parent, key), map, "missing");
    return node;
  }

  // Rejects keys not in `allowed`, so a typo cannot silently fall back to a default.
  void only_keys(const YAML::Node& map, const std::string& parent,
                 const std::set<std::string>& allowed) {
    if (!map.IsMap()) fail(parent.empty() ? "<document>" : parent, map, "expected a mapping");
    for (const auto& kv : map) {
      const auto key = kv.first.as<std::string>();
      if (allowed.count(key) == 0) fail(join(parent, key), kv.first, "unknown key");
    }
  }

  template <typename T>
  T scalar(const YAML::Node& node, const std::string& key, const char* expected) {
    if (!node.IsScalar()) fail(key, node, std::string("expected ") + expected);
    try {
      return node.as<T>();
    } catch (const YAML::Exception&) {
      fail(key, node, std::string("expected ") + expected + ", got '" + node.Scalar() + "'");
    }
  }

  template <typename T>
  std::vector<T> sequence(const YAML::Node& node, const std::string& key, std::size_t size,
                          const char* expected) {
    if (!node.IsSequence() || node.size() != size)
      fail(key, node, std::string("expected ") + expected);
    std::vector<T> out;
    for (const auto& item : node) out.push_back(scalar<T>(item, key, expected));
    return out;
  }

  static std::string join(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }

 private:
  std::string source_;
};

template <typename Enum>
Enum choose(MetadataReader& r, const YAML::Node& node, const std::string& key,
            const std::map<std::string, Enum>& choices, const char* expected) {
  const auto text = r.scalar<std::string>(node, key, expected);
  const auto it = choices.find(text);
  if (it == choices.end())
    r.fail(key, node, std::string("expected ") + expected + ", got '" + text + "'");
  return it->second;
}

void read_shape(MetadataReader& r, const YAML::Node& in, ModelInput& input) {
  input.layout = choose<TensorLayout>(
      r, r.required(in, "input", "layout"), "input.layout",
      {{"NCHW", TensorLayout::kNchw}, {"NHWC", TensorLayout::kNhwc}}, "NCHW or NHWC");
  const auto shape_node = r.required(in, "input", "shape");
  input.shape = r.sequence<int>(shape_node, "input.shape", 4,
                                "4 integers: [N, C, H, W] (NCHW) or [N, H, W, C] (NHWC)");
  const int channels = input.shape[input.layout == TensorLayout::kNchw ? 1 : 3];
  if (input.shape[0] != 1) r.fail("input.shape", shape_node, "batch N must be 1");
  if (channels != 3) {
    r.fail("input.shape", shape_node,
           "channel count must be 3 in " + format_shape(input.shape) + " for the given layout");
  }
  if (input.height() <= 0 || input.width() <= 0)
    r.fail("input.shape", shape_node, "H and W must be > 0");
}

void read_normalisation(MetadataReader& r, const YAML::Node& in, ModelInput& input) {
  input.color =
      choose<ColorOrder>(r, r.required(in, "input", "color"), "input.color",
                         {{"RGB", ColorOrder::kRgb}, {"BGR", ColorOrder::kBgr}}, "RGB or BGR");
  input.scale = r.scalar<double>(r.required(in, "input", "scale"), "input.scale", "a number");
  const auto mean =
      r.sequence<double>(r.required(in, "input", "mean"), "input.mean", 3, "3 numbers");
  const auto std_node = r.required(in, "input", "std");
  const auto stddev = r.sequence<double>(std_node, "input.std", 3, "3 numbers");
  for (int c = 0; c < 3; ++c) {
    if (!(stddev[c] > 0)) r.fail("input.std", std_node, "every value must be > 0");
    input.mean[c] = mean[c];
    input.stddev[c] = stddev[c];
  }
  if (in["interpolation"]) {
    input.interpolation = choose<Interpolation>(r, in["interpolation"], "input.interpolation",
                                                {{"nearest", Interpolation::kNearest},
                                                 {"linear", Interpolation::kLinear},
                                                 {"area", Interpolation::kArea},
                                                 {"cubic", Interpolation::kCubic}},
                                                "nearest, linear, area or cubic");
  }
}

void read_crop(MetadataReader& r, const YAML::Node& in, ModelInput& input) {
  const YAML::Node crop = in["crop"];
  if (!crop) return;
  r.only_keys(crop, "input.crop", {"top", "bottom"});
  if (crop["top"]) input.crop_top = r.scalar<int>(crop["top"], "input.crop.top", "an integer (px)");
  if (crop["bottom"]) {
    input.crop_bottom = r.scalar<int>(crop["bottom"], "input.crop.bottom", "an integer (px)");
  }
  if (input.crop_top < 0 || input.crop_bottom < 0) r.fail("input.crop", crop, "rows must be >= 0");
}

ModelInput read_input(MetadataReader& r, const YAML::Node& root) {
  const YAML::Node in = r.required(root, "", "input");
  r.only_keys(
      in, "input",
      {"name", "shape", "layout", "color", "scale", "mean", "std", "interpolation", "crop"});
  ModelInput input;
  input.name = r.scalar<std::string>(r.required(in, "input", "name"), "input.name", "a string");
  read_shape(r, in, input);
  read_normalisation(r, in, input);
  read_crop(r, in, input);
  return input;
}

BinnedOutput read_bins(MetadataReader& r, const YAML::Node& node, const std::string& key) {
  r.only_keys(node, key, {"bins", "range"});
  BinnedOutput out;
  const auto bins = r.required(node, key, "bins");
  out.bins = r.scalar<int>(bins, key + ".bins", "an integer");
  if (out.bins < 2 || out.bins > kMaxBins) {
    r.fail(key + ".bins", bins,
           "must be 2.." + std::to_string(kMaxBins) + ", got " + std::to_string(out.bins));
  }
  const auto range_node = r.required(node, key, "range");
  const auto range = r.sequence<double>(range_node, key + ".range", 2, "[lo, hi]");
  // Finite hi - lo too, so every bin's value is finite.
  if (!std::isfinite(range[1] - range[0]) || !(range[1] > range[0]))
    r.fail(key + ".range", range_node, "needs finite lo < hi (the first and last bin's values)");
  out.lo = range[0];
  out.hi = range[1];
  return out;
}

void read_categorical(MetadataReader& r, const YAML::Node& out, ModelOutputs& outputs) {
  const YAML::Node cat = out["categorical"];
  if (!cat) return;
  const std::string key = "outputs.categorical";
  r.only_keys(cat, key, {"steering", "throttle", "scores", "decode"});
  if (outputs.single_vector) {
    r.fail(key, cat, "categorical outputs need the two-output form {steering, throttle}");
  }
  if (!cat["steering"] && !cat["throttle"]) r.fail(key, cat, "give steering, throttle or both");
  if (cat["steering"]) outputs.steering_bins = read_bins(r, cat["steering"], key + ".steering");
  if (cat["throttle"]) outputs.throttle_bins = read_bins(r, cat["throttle"], key + ".throttle");
  outputs.scores = choose<BinScores>(
      r, r.required(cat, key, "scores"), key + ".scores",
      {{"logits", BinScores::kLogits}, {"probabilities", BinScores::kProbabilities}},
      "logits (no softmax in the graph) or probabilities (softmax in the graph)");
  if (cat["decode"]) {
    outputs.decode = choose<BinDecode>(
        r, cat["decode"], key + ".decode",
        {{"argmax", BinDecode::kArgmax}, {"expected", BinDecode::kExpected}}, "argmax or expected");
  }
}

ModelOutputs read_outputs(MetadataReader& r, const YAML::Node& root) {
  const YAML::Node out = r.required(root, "", "outputs");
  r.only_keys(out, "outputs",
              {"steering", "throttle", "name", "steering_index", "throttle_index", "categorical"});
  ModelOutputs outputs;
  outputs.single_vector = static_cast<bool>(out["name"]);
  read_categorical(r, out, outputs);
  if (!outputs.single_vector) {
    if (out["steering_index"] || out["throttle_index"]) {
      r.fail("outputs", out, "steering_index/throttle_index need 'name' (the vector output)");
    }
    outputs.steering = r.scalar<std::string>(r.required(out, "outputs", "steering"),
                                             "outputs.steering", "a string");
    outputs.throttle = r.scalar<std::string>(r.required(out, "outputs", "throttle"),
                                             "outputs.throttle", "a string");
    if (outputs.steering == outputs.throttle) {
      r.fail("outputs", out, "steering and throttle name the same output; use the vector form");
    }
    return outputs;
  }
  if (out["steering"] || out["throttle"]) {
    r.fail("outputs", out,
           "give either {steering, throttle} or {name, steering_index, throttle_index}");
  }
  outputs.vector_name = r.scalar<std::string>(out["name"], "outputs.name", "a string");
  const auto s = r.required(out, "outputs", "steering_index");
  const auto t = r.required(out, "outputs", "throttle_index");
  outputs.steering_index = r.scalar<int>(s, "outputs.steering_index", "an integer >= 0");
  outputs.throttle_index = r.scalar<int>(t, "outputs.throttle_index", "an integer >= 0");
  if (outputs.steering_index < 0) r.fail("outputs.steering_index", s, "must be >= 0");
  if (outputs.throttle_index < 0) r.fail("outputs.throttle_index", t, "must be >= 0");
  if (outputs.steering_index == outputs.throttle_index)
    r.fail("outputs", out, "indices must differ");
  return outputs;
}

std::map<std::string, std::string> read_training(MetadataReader& r, const YAML::Node& root) {
  std::map<std::string, std::string> training;
  const YAML::Node node = root["training"];
  if (!node || node.IsNull()) return training;
  if (!node.IsMap()) r.fail("training", node, "expected a mapping");
  for (const auto& kv : node) {
    // Nested values are kept as flow-style YAML text; the pilot only logs them.
    YAML::Emitter emitter;
    emitter << YAML::Flow << kv.second;
    training[kv.first.as<std::string>()] =
        kv.second.IsScalar() ? kv.second.Scalar() : emitter.c_str();
  }
  return training;
}

ModelMetadata read_root(MetadataReader& r, const YAML::Node& root, const std::string& source) {
  r.only_keys(root, "", {"format", "architecture", "input", "outputs", "output_range", "training"});
  ModelMetadata meta;
  meta.source_path = source;
  const auto format_node = r.required(root, "", "format");
  meta.format = r.scalar<std::string>(format_node, "format", "a string");
  if (meta.format != kModelFormatV1) {
    r.fail("format", format_node,
           "unsupported format '" + meta.format + "', this build reads '" + kModelFormatV1 + "'");
  }
  meta.architecture =
      r.scalar<std::string>(r.required(root, "", "architecture"), "architecture", "a string");
  meta.input = read_input(r, root);
  meta.outputs = read_outputs(r, root);
  const auto range_node = r.required(root, "", "output_range");
  const auto range = r.sequence<double>(range_node, "output_range", 2, "[lo, hi]");
  if (!(range[1] > range[0])) r.fail("output_range", range_node, "hi must be greater than lo");
  meta.output_lo = range[0];
  meta.output_hi = range[1];
  meta.training = read_training(r, root);
  return meta;
}

}  // namespace

std::vector<std::string> ModelOutputs::names() const {
  if (single_vector) return {vector_name};
  return {steering, throttle};
}

std::size_t ModelOutputs::values_needed(std::size_t i) const {
  if (single_vector) return static_cast<std::size_t>(std::max(steering_index, throttle_index)) + 1;
  const BinnedOutput& bins = i == 0 ? steering_bins : throttle_bins;
  return bins.categorical() ? static_cast<std::size_t>(bins.bins) : 1;
}

std::string ModelOutputs::describe_needed(std::size_t i) const {
  return std::string(single_vector ? "at least " : "exactly ") + std::to_string(values_needed(i)) +
         " float32 value(s)";
}

ModelMetadata parse_model_metadata(const std::string& yaml_text, const std::string& source_name) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ModelError(source_name + ": not valid YAML: " + e.what() + kFixHint);
  }
  MetadataReader reader(source_name);
  try {
    return read_root(reader, root, source_name);
  } catch (const YAML::Exception& e) {
    // A node of an unexpected kind where a key or scalar was read (e.g. a `? {complex: key}`).
    throw ModelError(source_name + ": " + e.what() + kFixHint);
  }
}

ModelMetadata load_model_metadata(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    throw ModelError(path +
                     ": model metadata not found; it must sit beside the model (train or "
                     "copy a model together with its .yaml, see docs/models.md)");
  }
  std::ostringstream text;
  text << file.rdbuf();
  return parse_model_metadata(text.str(), path);
}

std::string default_metadata_path(const std::string& model_path) {
  const std::string ext = ".onnx";
  if (model_path.size() >= ext.size() &&
      model_path.compare(model_path.size() - ext.size(), ext.size(), ext) == 0) {
    return model_path.substr(0, model_path.size() - ext.size()) + ".yaml";
  }
  return model_path + ".yaml";
}

std::string format_shape(const std::vector<int>& shape) {
  std::ostringstream out;
  out << "[";
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << "]";
  return out.str();
}

}  // namespace rcpilot::perception
