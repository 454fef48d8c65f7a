#include "onednn_net.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <numeric>

#include "perception/onednn_engine.hpp"

namespace rcpilot::perception::onednn {
namespace {

using dnnl::memory;
using Dims = memory::dims;
constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();

using Type = memory::data_type;

memory::desc any_desc(const Dims& dims, Type type) {
  return memory::desc(dims, type, memory::format_tag::any);
}

// Row-major: the layout ONNX tensors, cv::Mat and the metadata mean (float32 for those).
memory::desc plain_desc(const Dims& dims, Type type = Type::f32) {
  Dims strides(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return memory::desc(dims, type, strides);
}

std::int64_t element_count(const Dims& dims) {
  return std::accumulate(dims.begin(), dims.end(), std::int64_t{1}, std::multiplies<>());
}

std::string format_dims(const Dims& dims) {
  std::string out = "[";
  for (std::size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
  return out + "]";
}

// Gemm/MatMul weights as the inner product wants them: [N, K], times Gemm's alpha.
std::vector<float> dense_weights(const onnx_graph::Node& node, const onnx_graph::Tensor& b,
                                 bool b_is_nk) {
  const std::int64_t n = b_is_nk ? b.dims[0] : b.dims[1];
  const std::int64_t k = b_is_nk ? b.dims[1] : b.dims[0];
  const float alpha = node.float_attr("alpha", 1.f);
  std::vector<float> weights(static_cast<std::size_t>(n * k));
  for (std::int64_t row = 0; row < n; ++row) {
    for (std::int64_t col = 0; col < k; ++col) {
      weights[row * k + col] = alpha * b.floats.at(b_is_nk ? row * k + col : col * n + row);
    }
  }
  return weights;
}

}  // namespace

Net::Net(const onnx_graph::Graph& graph, const std::string& path, const std::string& input,
         const std::vector<int>& input_dims, const std::vector<std::string>& outputs, bool bf16)
    : graph_(&graph),
      path_(path),
      compute_(bf16 ? Type::bf16 : Type::f32),
      engine_(dnnl::engine::kind::cpu, 0),
      stream_(engine_),
      fused_(graph.nodes.size(), false) {
  input_ = memory(plain_desc(Dims(input_dims.begin(), input_dims.end())), engine_);
  values_[input] = input_;
  for (std::size_t i = 0; i < graph_->nodes.size(); ++i) {
    if (!fused_[i]) add_node(i);
  }
  for (const auto& name : outputs) {
    const auto it = values_.find(name);
    if (it == values_.end()) {
      throw ModelError("model '" + path_ + "' has no output '" + name + "'");
    }
    outputs_.push_back(to_desc(it->second, plain_desc(it->second.get_desc().dims())));
    const Dims dims = outputs_.back().get_desc().dims();
    output_dims_.emplace_back(dims.begin(), dims.end());
  }
  graph_ = nullptr;
}

void Net::run() {
  for (auto& step : steps_) step.primitive.execute(stream_, step.args);
  stream_.wait();
}

const float* Net::output(std::size_t i) const {
  return static_cast<const float*>(outputs_.at(i).get_data_handle());
}

void Net::add_node(std::size_t index) {
  const onnx_graph::Node& node = graph_->nodes[index];
  if (node.op == "Conv") return add_conv(node, index);
  if (node.op == "Gemm" || node.op == "MatMul") return add_dense(node, index);
  if (node.op == "Add") return add_add(node, index);
  if (node.op == "MaxPool" || node.op == "AveragePool" || node.op == "GlobalAveragePool") {
    return add_pool(node, index);
  }
  if (node.op == "Flatten" || node.op == "Reshape") return add_reshape(node);
  if (node.op == "Transpose") return add_transpose(node);
  if (node.op == "Pad" && pads_nothing(node)) {  // exporters write these before pooling
    values_[node.outputs.at(0)] = value(node.inputs.at(0), node);
    return;
  }
  if (node.op == "Identity" || node.op == "Dropout") {
    values_[node.outputs.at(0)] = value(node.inputs.at(0), node);
    return;
  }
  if (node.op == "Relu") {
    const memory& in = value(node.inputs.at(0), node);
    const dnnl::eltwise_forward::primitive_desc pd(
        {dnnl::prop_kind::forward_inference, dnnl::algorithm::eltwise_relu, in.get_desc(), 0.f,
         0.f},
        engine_);
    memory out(pd.dst_desc(), engine_);
    steps_.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}}});
    values_[node.outputs.at(0)] = out;
    return;
  }
  unsupported(node, "this operator is not one the onednn backend runs");
}

bool Net::pads_nothing(const onnx_graph::Node& node) const {
  Dims pads = node.ints_attr("pads", {});  // opset < 11: an attribute
  if (node.inputs.size() > 1) pads = constant(node.inputs[1], node).ints;
  return std::all_of(pads.begin(), pads.end(), [](std::int64_t p) { return p == 0; });
}

void Net::add_conv(const onnx_graph::Node& node, std::size_t index) {
  const memory& in = value(node.inputs.at(0), node);
  const onnx_graph::Tensor& weights = constant(node.inputs.at(1), node);
  const Dims src_dims = in.get_desc().dims();
  if (src_dims.size() != 4 || weights.dims.size() != 4) unsupported(node, "only 2-D convolutions");
  if (node.int_attr("group", 1) != 1 || weights.dims[1] != src_dims[1]) {
    unsupported(node, "grouped convolutions are not supported");
  }
  const auto auto_pad = node.strings.find("auto_pad");
  if (auto_pad != node.strings.end() && auto_pad->second != "NOTSET" &&
      auto_pad->second != "VALID") {
    unsupported(node, "auto_pad " + auto_pad->second + " is not supported");
  }
  const Dims kernel{weights.dims[2], weights.dims[3]};
  const Dims strides = node.ints_attr("strides", {1, 1});
  const Dims dilations = node.ints_attr("dilations", {1, 1});
  const Dims pads = node.ints_attr("pads", {0, 0, 0, 0});
  const Dims pad_l{pads.at(0), pads.at(1)}, pad_r{pads.at(2), pads.at(3)};
  Dims dst_dims{src_dims[0], weights.dims[0], 0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::int64_t extent = (kernel[i] - 1) * dilations.at(i) + 1;
    dst_dims[2 + i] = (src_dims[2 + i] + pad_l[i] + pad_r[i] - extent) / strides.at(i) + 1;
  }
  std::vector<float> bias(static_cast<std::size_t>(weights.dims[0]), 0.f);
  if (node.inputs.size() > 2 && !node.inputs[2].empty()) {
    bias = constant(node.inputs[2], node).floats;
  }
  std::string output = node.outputs.at(0);
  const std::size_t last = fold_bias_add(index, output, bias);
  const Dims zero_based{dilations.at(0) - 1, dilations.at(1) - 1};
  const Dims weight_dims(weights.dims.begin(), weights.dims.end());
  const dnnl::convolution_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
       any_desc(src_dims, compute_), any_desc(weight_dims, compute_), plain_desc({weights.dims[0]}),
       any_desc(dst_dims, compute_), strides, zero_based, pad_l, pad_r},
      fused_relu(last, output), engine_);
  add_weighted<dnnl::convolution_forward>(pd, in, weights.floats, weight_dims, bias, output);
}

// Gemm (A x B^T or A x B, times alpha, plus beta x C) and MatMul with a constant B, as an
// inner product with weights [N, K]; an Add of a constant right after folds into the bias.
void Net::add_dense(const onnx_graph::Node& node, std::size_t index) {
  const memory in = plain(value(node.inputs.at(0), node));
  const onnx_graph::Tensor& b = constant(node.inputs.at(1), node);
  const Dims src_dims = in.get_desc().dims();
  if (src_dims.size() != 2 || b.dims.size() != 2) unsupported(node, "only 2-D inputs");
  if (node.int_attr("transA", 0) != 0) unsupported(node, "transA is not supported");
  const bool b_is_nk = node.int_attr("transB", 0) != 0;
  const std::int64_t n = b_is_nk ? b.dims[0] : b.dims[1];
  const std::int64_t k = b_is_nk ? b.dims[1] : b.dims[0];
  if (k != src_dims[1]) unsupported(node, "its weights do not match its input");
  if (b.floats.size() != static_cast<std::size_t>(n * k)) unsupported(node, "B is not float32");
  const std::vector<float> weights = dense_weights(node, b, b_is_nk);
  std::vector<float> bias(static_cast<std::size_t>(n), 0.f);
  if (node.op == "Gemm" && node.inputs.size() > 2 && !node.inputs[2].empty()) {
    const onnx_graph::Tensor& c = constant(node.inputs[2], node);
    const float beta = node.float_attr("beta", 1.f);
    if (c.floats.size() != bias.size() && c.floats.size() != 1) unsupported(node, "C is not [N]");
    for (std::size_t i = 0; i < bias.size(); ++i) {
      bias[i] = beta * c.floats[c.floats.size() == 1 ? 0 : i];
    }
  }
  std::string output = node.outputs.at(0);
  const std::size_t last = fold_bias_add(index, output, bias);
  const dnnl::inner_product_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, plain_desc(src_dims, compute_),
       any_desc({n, k}, compute_), plain_desc({n}), any_desc({src_dims[0], n}, compute_)},
      fused_relu(last, output), engine_);
  add_weighted<dnnl::inner_product_forward>(pd, in, weights, {n, k}, bias, output);
}

// One step of a primitive with constant weights and bias: `in` reordered into the layout `pd`
// chose (a step before it where needed), the constants reordered once, here, and the result
// stored as `output`.
template <typename Primitive>
void Net::add_weighted(const typename Primitive::primitive_desc& pd, const memory& in,
                       const std::vector<float>& weights, const Dims& weight_dims,
                       const std::vector<float>& bias, const std::string& output) {
  const memory src = to_desc(in, pd.src_desc());
  const memory weights_memory = constant_memory(weights, weight_dims, pd.weights_desc());
  const memory bias_memory = constant_memory(bias, {weight_dims[0]}, pd.bias_desc());
  memory out(pd.dst_desc(), engine_);
  steps_.push_back({Primitive(pd),
                    {{DNNL_ARG_SRC, src},
                     {DNNL_ARG_WEIGHTS, weights_memory},
                     {DNNL_ARG_BIAS, bias_memory},
                     {DNNL_ARG_DST, out}}});
  values_[output] = out;
}

// An Add of a constant with one value per output channel right after `index`: folded into
// `bias`, and `output` becomes the Add's. Returns the last node folded (`index` if none).
std::size_t Net::fold_bias_add(std::size_t index, std::string& output, std::vector<float>& bias) {
  const std::size_t add = only_consumer(output);
  if (add == kNone || graph_->nodes[add].op != "Add") return index;
  const onnx_graph::Node& add_node = graph_->nodes[add];
  const std::string& other = add_node.inputs.at(add_node.inputs[0] == output ? 1 : 0);
  const auto c = graph_->constants.find(other);
  if (c == graph_->constants.end() || c->second.floats.size() != bias.size()) return index;
  for (std::size_t i = 0; i < bias.size(); ++i) bias[i] += c->second.floats[i];
  fused_[add] = true;
  output = add_node.outputs.at(0);
  return add;
}

// Add of two computed tensors of one shape (a residual connection).
void Net::add_add(const onnx_graph::Node& node, std::size_t index) {
  const memory& a = value(node.inputs.at(0), node);
  const memory& b = value(node.inputs.at(1), node);
  if (a.get_desc().dims() != b.get_desc().dims()) {
    unsupported(node, "only an Add of two tensors of one shape, or a bias after Conv/Gemm");
  }
  std::string output = node.outputs.at(0);
  const dnnl::binary::primitive_desc pd({dnnl::algorithm::binary_add, a.get_desc(), b.get_desc(),
                                         any_desc(a.get_desc().dims(), a.get_desc().data_type())},
                                        fused_relu(index, output), engine_);
  const memory b_in_layout = to_desc(b, pd.src1_desc());
  memory out(pd.dst_desc(), engine_);
  steps_.push_back({dnnl::binary(pd),
                    {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b_in_layout}, {DNNL_ARG_DST, out}}});
  values_[output] = out;
}

void Net::add_pool(const onnx_graph::Node& node, std::size_t index) {
  const memory& in = value(node.inputs.at(0), node);
  const Dims src_dims = in.get_desc().dims();
  if (src_dims.size() != 4) unsupported(node, "only 2-D pooling");
  const bool global = node.op == "GlobalAveragePool";
  const Dims kernel = global ? Dims{src_dims[2], src_dims[3]} : node.ints_attr("kernel_shape", {});
  const Dims strides = node.ints_attr("strides", {1, 1});
  const Dims pads = node.ints_attr("pads", {0, 0, 0, 0});
  if (kernel.size() != 2 || node.int_attr("ceil_mode", 0) != 0 ||
      node.ints_attr("dilations", {1, 1}) != Dims{1, 1}) {
    unsupported(node, "only 2-D pooling without ceil_mode or dilations");
  }
  const Dims pad_l{pads.at(0), pads.at(1)}, pad_r{pads.at(2), pads.at(3)};
  Dims dst_dims{src_dims[0], src_dims[1], 0, 0};
  for (int i = 0; i < 2; ++i) {
    dst_dims[2 + i] = (src_dims[2 + i] + pad_l[i] + pad_r[i] - kernel[i]) / strides.at(i) + 1;
  }
  const dnnl::algorithm algorithm = node.op == "MaxPool" ? dnnl::algorithm::pooling_max
                                    : node.int_attr("count_include_pad", 0) != 0
                                        ? dnnl::algorithm::pooling_avg_include_padding
                                        : dnnl::algorithm::pooling_avg_exclude_padding;
  std::string output = node.outputs.at(0);
  const dnnl::pooling_forward::primitive_desc pd(
      {dnnl::prop_kind::forward_inference, algorithm, in.get_desc(),
       any_desc(dst_dims, in.get_desc().data_type()), strides, kernel, pad_l, pad_r},
      fused_relu(index, output), engine_);
  memory out(pd.dst_desc(), engine_);
  steps_.push_back({dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, out}}});
  values_[output] = out;
}

// Flatten and Reshape only relabel a row-major buffer: no copy unless the input is blocked.
void Net::add_reshape(const onnx_graph::Node& node) {
  const memory in = plain(value(node.inputs.at(0), node));
  const Dims src_dims = in.get_desc().dims();
  Dims dims;
  if (node.op == "Flatten") {
    std::int64_t axis = node.int_attr("axis", 1);
    if (axis < 0) axis += static_cast<std::int64_t>(src_dims.size());
    const Dims head(src_dims.begin(), src_dims.begin() + axis);
    dims = {element_count(head), element_count(src_dims) / element_count(head)};
  } else {
    dims = constant(node.inputs.at(1), node).ints;
    for (std::size_t i = 0; i < dims.size(); ++i) {
      if (dims[i] == 0 && i < src_dims.size()) dims[i] = src_dims[i];
    }
    const auto unknown = std::find(dims.begin(), dims.end(), -1);
    if (unknown != dims.end()) {
      *unknown = 1;
      *unknown = element_count(src_dims) / element_count(dims);
    }
  }
  if (element_count(dims) != element_count(src_dims)) {
    unsupported(node, "it maps " + format_dims(src_dims) + " to " + format_dims(dims));
  }
  values_[node.outputs.at(0)] =
      memory(plain_desc(dims, in.get_desc().data_type()), engine_, in.get_data_handle());
}

void Net::add_transpose(const onnx_graph::Node& node) {
  const memory in = plain(value(node.inputs.at(0), node));
  const Dims src_dims = in.get_desc().dims();
  Dims perm = node.ints_attr("perm", {});
  if (perm.empty()) {
    for (std::size_t i = src_dims.size(); i-- > 0;) perm.push_back(static_cast<std::int64_t>(i));
  }
  if (perm.size() != src_dims.size()) unsupported(node, "perm does not match its input");
  // ONNX: output axis i is input axis perm[i]; oneDNN: permutation[a] is input axis a's new
  // place.
  std::vector<int> permutation(perm.size());
  Dims dst_dims(perm.size());
  for (std::size_t i = 0; i < perm.size(); ++i) {
    permutation.at(static_cast<std::size_t>(perm[i])) = static_cast<int>(i);
    dst_dims[i] = src_dims.at(static_cast<std::size_t>(perm[i]));
  }
  const memory view(in.get_desc().permute_axes(permutation), engine_, in.get_data_handle());
  values_[node.outputs.at(0)] = to_desc(view, plain_desc(dst_dims, in.get_desc().data_type()));
}

dnnl::primitive_attr Net::fused_relu(std::size_t index, std::string& output_name) {
  dnnl::primitive_attr attr;
  const std::size_t next = only_consumer(output_name);
  if (next == kNone || graph_->nodes[next].op != "Relu" || next <= index) return attr;
  dnnl::post_ops ops;
  ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  attr.set_post_ops(ops);
  fused_[next] = true;
  output_name = graph_->nodes[next].outputs.at(0);
  return attr;
}

std::size_t Net::only_consumer(const std::string& value) const {
  if (std::find(graph_->outputs.begin(), graph_->outputs.end(), value) != graph_->outputs.end()) {
    return kNone;
  }
  std::size_t found = kNone;
  for (std::size_t i = 0; i < graph_->nodes.size(); ++i) {
    const auto& inputs = graph_->nodes[i].inputs;
    const auto uses = std::count(inputs.begin(), inputs.end(), value);
    if (uses == 0) continue;
    if (found != kNone || uses > 1) return kNone;
    found = i;
  }
  return found;
}

const memory& Net::value(const std::string& name, const onnx_graph::Node& node) const {
  const auto it = values_.find(name);
  if (it == values_.end()) {
    unsupported(node, "its input '" + name + "' is not computed by the network from its input");
  }
  return it->second;
}

const onnx_graph::Tensor& Net::constant(const std::string& name,
                                        const onnx_graph::Node& node) const {
  const auto it = graph_->constants.find(name);
  if (it == graph_->constants.end()) unsupported(node, "its input '" + name + "' is not constant");
  return it->second;
}

// `from`, or a copy of it in `desc`'s layout made by a reorder step before the caller's.
memory Net::to_desc(const memory& from, const memory::desc& desc) {
  if (from.get_desc() == desc) return from;
  memory to(desc, engine_);
  steps_.push_back({dnnl::reorder(from, to), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}});
  return to;
}

// `from` in row-major order, in its own data type.
memory Net::plain(const memory& from) {
  const memory::desc desc = from.get_desc();
  return to_desc(from, plain_desc(desc.dims(), desc.data_type()));
}

// Weights and biases: reordered into the primitive's layout once, here, not per run.
memory Net::constant_memory(const std::vector<float>& values, const Dims& dims,
                            const memory::desc& desc) {
  if (static_cast<std::int64_t>(values.size()) != element_count(dims)) {
    throw ModelError("model '" + path_ + "': a constant holds " + std::to_string(values.size()) +
                     " values where its operator needs " + format_dims(dims) +
                     "; re-export the model");
  }
  memory source(plain_desc(dims), engine_);
  std::memcpy(source.get_data_handle(), values.data(), values.size() * sizeof(float));
  if (desc == source.get_desc()) return source;
  memory target(desc, engine_);
  dnnl::reorder(source, target).execute(stream_, source, target);
  stream_.wait();
  return target;
}

void Net::unsupported(const onnx_graph::Node& node, const std::string& why) const {
  throw UnsupportedModelError("model '" + path_ + "': the onednn backend cannot run " +
                              node.describe() + " (" + why +
                              "); set model.backend: opencv (auto does so by itself)");
}

}  // namespace rcpilot::perception::onednn
