#pragma once
// What a model expects and produces, read from the YAML file beside the ONNX file.
//
// The format is the contract between the training script (scripts/train.py writes it) and the
// pilot (reads it). Format "rcpilot-model-v1"; every key below is required unless marked
// optional; unknown keys are errors (a typo must not silently change preprocessing).
//
//   format: rcpilot-model-v1        # exactly this string
//   architecture: linear            # free text, for logs and telemetry
//   input:
//     name: input                   # ONNX input tensor name
//     shape: [1, 3, 224, 224]       # [N, C, H, W] for NCHW or [N, H, W, C] for NHWC; N = 1, C = 3
//     layout: NCHW                  # NCHW | NHWC
//     color: RGB                    # RGB | BGR: channel order the network was trained on
//     scale: 0.00392156862745098    # multiplies the uint8 pixel first (1/255 -> 0..1)
//     mean: [0.0, 0.0, 0.0]         # subtracted after scaling, per channel in `color` order
//     std: [1.0, 1.0, 1.0]          # divides after subtracting the mean, same order; > 0
//     interpolation: area           # optional (default area): nearest | linear | area | cubic,
//                                   # used only when the frame is not already H x W
//     crop: {top: 0, bottom: 0}     # optional (default 0, 0): rows (px of the camera frame)
//                                   # cut off before resizing, like Donkey's ROI crop
//   outputs:                        # either two scalar outputs ...
//     steering: angle               #   ONNX output name of the steering value, shape [1, 1]
//     throttle: throttle            #   ONNX output name of the throttle value, shape [1, 1]
//     categorical:                  #   optional: the outputs are scores over bins (Donkey's
//                                   #   KerasCategorical), decoded in output_decoder.hpp
//       steering: {bins: 15, range: [-1.0, 1.0]}  # optional each, at least one; the output
//       throttle: {bins: 20, range: [0.0, 0.5]}   # then has shape [1, bins]; bin b stands for
//                                   #   lo + b * (hi - lo) / (bins - 1); 2 <= bins <= 1024
//       scores: logits              #   logits (no softmax in the graph) | probabilities
//       decode: expected            #   optional (default argmax): argmax | expected
//   # outputs:                      # ... or one vector output (never categorical)
//   #   name: pilot                 #   ONNX output name, shape [1, K]
//   #   steering_index: 0           #   element holding steering, 0 <= index < K
//   #   throttle_index: 1           #   element holding throttle
//   output_range: [-1.0, 1.0]       # [lo, hi] the network was trained on; mapped linearly to
//                                   # [-1, 1] (lo -> -1, hi -> +1), then clamped
//   training:                       # optional free map; every scalar value is kept as a string
//     dataset_seed: 7
//     dataset_size: 12000
//     val_loss: 0.0123
//     epochs: 20
//
// So each input element is ((pixel * scale) - mean[c]) / std[c], with pixel the uint8 value of
// channel c in `color` order.
#include <array>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcpilot::perception {

// Start-up failure of a model: missing or corrupt file, bad metadata, or a network that does
// not match its metadata. The message names the file and what to do.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kModelFormatV1 = "rcpilot-model-v1";

enum class TensorLayout { kNchw, kNhwc };
enum class ColorOrder { kRgb, kBgr };
enum class Interpolation { kNearest, kLinear, kArea, kCubic };

struct ModelInput {
  std::string name;        // ONNX input tensor name
  std::vector<int> shape;  // 4 dims, in `layout` order
  TensorLayout layout = TensorLayout::kNchw;
  ColorOrder color = ColorOrder::kRgb;
  double scale = 1.0 / 255.0;             // multiplies the uint8 pixel
  std::array<double, 3> mean{0, 0, 0};    // per channel (in `color` order), after scaling
  std::array<double, 3> stddev{1, 1, 1};  // per channel (YAML key `std`), > 0
  Interpolation interpolation = Interpolation::kArea;
  int crop_top = 0;     // px rows removed from the top of the camera frame
  int crop_bottom = 0;  // px rows removed from the bottom

  int height() const { return shape[layout == TensorLayout::kNchw ? 2 : 1]; }  // px
  int width() const { return shape[layout == TensorLayout::kNchw ? 3 : 2]; }   // px
};

// How bin scores become a value (docs/models.md, "Categorical models").
enum class BinDecode {
  kArgmax,    // the best bin's value, as Donkey's linear_unbin; ties go to the lowest bin
  kExpected,  // the probability-weighted mean of the bin values: continuous, smoother
};
// What the network's bin scores are.
enum class BinScores {
  kProbabilities,  // the graph ends in a softmax (Donkey's Keras models)
  kLogits,         // no softmax in the graph: the decoder applies it (scripts/train.py)
};

// One output read as scores over `bins` values evenly spaced over [lo, hi], in the network's
// units (mapped through output_range afterwards, like a scalar output).
struct BinnedOutput {
  int bins = 0;  // 0: not categorical, the output is one value; else 2..kMaxBins
  double lo = 0.0;
  double hi = 0.0;

  bool categorical() const { return bins > 0; }
  // The value bin `b` (0 <= b < bins) stands for.
  double value_of(int b) const { return lo + b * (hi - lo) / (bins - 1); }
};
inline constexpr int kMaxBins = 1024;

// Where steering and throttle come from: two scalar outputs, or two elements of one vector.
struct ModelOutputs {
  bool single_vector = false;  // false: `steering` and `throttle` name two outputs
  std::string steering;        // output name (two-output form)
  std::string throttle;        // output name (two-output form)
  std::string vector_name;     // output name (vector form)
  int steering_index = 0;      // element of the vector output (vector form)
  int throttle_index = 1;      // element of the vector output (vector form)
  BinnedOutput steering_bins;  // categorical steering (two-output form only)
  BinnedOutput throttle_bins;  // categorical throttle (two-output form only)
  BinScores scores = BinScores::kProbabilities;  // of the categorical outputs
  BinDecode decode = BinDecode::kArgmax;         // of the categorical outputs

  // Distinct output names in the order the engine should return them.
  std::vector<std::string> names() const;
  // How many float32 values output `i` (names() order) holds: exactly this many in the
  // two-output form (1, or the bin count), at least this many in the vector form.
  std::size_t values_needed(std::size_t i) const;
  // "exactly 15 float32 value(s)" / "at least 3 float32 value(s)", for load errors.
  std::string describe_needed(std::size_t i) const;
};

struct ModelMetadata {
  std::string format = kModelFormatV1;
  std::string architecture;
  ModelInput input;
  ModelOutputs outputs;
  double output_lo = -1.0;  // value the network emits for full left / full reverse
  double output_hi = 1.0;   // value the network emits for full right / full throttle
  std::map<std::string, std::string> training;  // free-form training facts, as text
  std::string source_path;                      // file it was loaded from (for error messages)
};

// Reads and validates a metadata YAML file. Throws ModelError naming the file and key.
ModelMetadata load_model_metadata(const std::string& path);

// Parses metadata from YAML text; `source_name` is used in error messages.
ModelMetadata parse_model_metadata(const std::string& yaml_text, const std::string& source_name);

// The default metadata path for a model: "<model path without .onnx>.yaml".
std::string default_metadata_path(const std::string& model_path);

// Formats a shape as "[1, 3, 224, 224]".
std::string format_shape(const std::vector<int>& shape);

}  // namespace rcpilot::perception
