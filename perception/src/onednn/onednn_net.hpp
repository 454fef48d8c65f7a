#pragma once
// An ONNX graph turned into a list of oneDNN primitives over buffers allocated once. Private
// to the oneDNN plugin; OneDnnEngine (onednn_engine.cpp) wraps it in the InferenceEngine
// interface and the model contract checks.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <oneapi/dnnl/dnnl.hpp>

#include "onnx_graph.hpp"

namespace rcpilot::perception::onednn {

// What the network computes, in order. Operators: Conv (2-D, group 1), Gemm, MatMul (with a
// constant right side), Add (a bias after Conv/Gemm/MatMul, or two tensors of one shape), Relu
// (fused into the operator before it where it is that operator's only consumer),
// MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, Transpose, Identity, Dropout and
// a Pad that pads nothing.
// Anything else is an UnsupportedModelError naming the node.
class Net {
 public:
  // `input` / `input_dims`: the graph input to feed and its shape; `outputs`: the graph values
  // to read after run(). `bf16`: convolutions and inner products take and give bfloat16
  // (weights too; bias and accumulation stay float32); input and outputs are float32 either way.
  // Throws ModelError naming `path`.
  Net(const onnx_graph::Graph& graph, const std::string& path, const std::string& input,
      const std::vector<int>& input_dims, const std::vector<std::string>& outputs, bool bf16);

  // The input buffer (row-major float32 of input_dims) to fill before run().
  float* input() { return static_cast<float*>(input_.get_data_handle()); }
  void run();
  // Output `i` (constructor order): row-major float32, valid until the next run().
  const float* output(std::size_t i) const;
  const std::vector<std::int64_t>& output_dims(std::size_t i) const { return output_dims_[i]; }

 private:
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, dnnl::memory> args;
  };

  void add_node(std::size_t index);
  void add_conv(const onnx_graph::Node& node, std::size_t index);
  void add_dense(const onnx_graph::Node& node, std::size_t index);
  void add_add(const onnx_graph::Node& node, std::size_t index);
  void add_pool(const onnx_graph::Node& node, std::size_t index);
  void add_reshape(const onnx_graph::Node& node);
  void add_transpose(const onnx_graph::Node& node);
  bool pads_nothing(const onnx_graph::Node& node) const;

  template <typename Primitive>
  void add_weighted(const typename Primitive::primitive_desc& pd, const dnnl::memory& in,
                    const std::vector<float>& weights, const dnnl::memory::dims& weight_dims,
                    const std::vector<float>& bias, const std::string& output);
  std::size_t fold_bias_add(std::size_t index, std::string& output, std::vector<float>& bias);
  // A Relu that is the only consumer of `index`'s output: fused, and its output aliases ours.
  dnnl::primitive_attr fused_relu(std::size_t index, std::string& output_name);
  std::size_t only_consumer(const std::string& value) const;
  const dnnl::memory& value(const std::string& name, const onnx_graph::Node& node) const;
  const onnx_graph::Tensor& constant(const std::string& name, const onnx_graph::Node& node) const;
  dnnl::memory to_desc(const dnnl::memory& from, const dnnl::memory::desc& desc);
  dnnl::memory plain(const dnnl::memory& from);
  dnnl::memory constant_memory(const std::vector<float>& values, const dnnl::memory::dims& dims,
                               const dnnl::memory::desc& desc);
  [[noreturn]] void unsupported(const onnx_graph::Node& node, const std::string& why) const;

  const onnx_graph::Graph* graph_;  // only while the constructor builds the steps
  std::string path_;
  dnnl::memory::data_type compute_;  // of convolutions and inner products
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::memory input_;
  std::map<std::string, dnnl::memory> values_;
  std::vector<bool> fused_;  // per node: folded into the node before it
  std::vector<Step> steps_;
  std::vector<dnnl::memory> outputs_;
  std::vector<std::vector<std::int64_t>> output_dims_;
};

}  // namespace rcpilot::perception::onednn
