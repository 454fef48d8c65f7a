#include "onnx_graph.hpp"

#include <cstring>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "perception/model_metadata.hpp"

namespace rcpilot::perception::onnx_graph {
namespace {

// raw_data holds little-endian values, as every platform rcpilot builds for stores them.
template <typename T>
std::vector<T> unpack_raw(const std::string& raw) {
  std::vector<T> values(raw.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), raw.data(), values.size() * sizeof(T));
  return values;
}

Tensor read_tensor(const onnx::TensorProto& proto, const std::string& path) {
  const std::string what = "model '" + path + "': constant '" + proto.name() + "'";
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    throw ModelError(what + " lives in external data; re-export the model as one file");
  }
  Tensor tensor;
  tensor.dims.assign(proto.dims().begin(), proto.dims().end());
  if (proto.data_type() == onnx::TensorProto::FLOAT) {
    tensor.floats = proto.has_raw_data()
                        ? unpack_raw<float>(proto.raw_data())
                        : std::vector<float>(proto.float_data().begin(), proto.float_data().end());
  } else if (proto.data_type() == onnx::TensorProto::INT64) {
    tensor.ints = proto.has_raw_data() ? unpack_raw<std::int64_t>(proto.raw_data())
                                       : std::vector<std::int64_t>(proto.int64_data().begin(),
                                                                   proto.int64_data().end());
  } else {
    throw ModelError(what + " has ONNX data type " + std::to_string(proto.data_type()) +
                     "; the onednn backend reads float32 and int64 constants only: use "
                     "model.backend: opencv");
  }
  return tensor;
}

Node read_node(const onnx::NodeProto& proto, std::size_t index) {
  Node node;
  node.op = proto.op_type();
  node.name = proto.name().empty() ? "#" + std::to_string(index) : proto.name();
  node.inputs.assign(proto.input().begin(), proto.input().end());
  node.outputs.assign(proto.output().begin(), proto.output().end());
  for (const auto& attr : proto.attribute()) {
    if (attr.type() == onnx::AttributeProto::INT) node.ints[attr.name()] = {attr.i()};
    if (attr.type() == onnx::AttributeProto::INTS) {
      node.ints[attr.name()].assign(attr.ints().begin(), attr.ints().end());
    }
    if (attr.type() == onnx::AttributeProto::FLOAT) node.floats[attr.name()] = attr.f();
    if (attr.type() == onnx::AttributeProto::STRING) node.strings[attr.name()] = attr.s();
  }
  return node;
}

std::vector<std::int64_t> declared_dims(const onnx::ValueInfoProto& value) {
  std::vector<std::int64_t> dims;
  for (const auto& dim : value.type().tensor_type().shape().dim()) {
    dims.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
  }
  return dims;
}

onnx::ModelProto parse_model(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw ModelError("model file '" + path +
                     "' not found: train or copy a model, see docs/models.md");
  }
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&file)) {
    throw ModelError("model file '" + path +
                     "' is not a loadable ONNX model (protobuf parse failed); re-export it or "
                     "copy it again");
  }
  return model;
}

}  // namespace

std::int64_t Node::int_attr(const std::string& key, std::int64_t fallback) const {
  const auto it = ints.find(key);
  return it == ints.end() || it->second.empty() ? fallback : it->second.front();
}

std::vector<std::int64_t> Node::ints_attr(const std::string& key,
                                          std::vector<std::int64_t> fallback) const {
  const auto it = ints.find(key);
  return it == ints.end() ? fallback : it->second;
}

float Node::float_attr(const std::string& key, float fallback) const {
  const auto it = floats.find(key);
  return it == floats.end() ? fallback : it->second;
}

std::string Node::describe() const { return op + " node '" + name + "'"; }

Graph read_graph(const std::string& path) {
  const onnx::ModelProto model = parse_model(path);
  const onnx::GraphProto& proto = model.graph();
  Graph graph;
  for (const auto& init : proto.initializer()) {
    graph.constants[init.name()] = read_tensor(init, path);
  }
  for (int i = 0; i < proto.node_size(); ++i) {
    Node node = read_node(proto.node(i), static_cast<std::size_t>(i));
    if (node.op == "Constant" && proto.node(i).attribute_size() == 1 &&
        proto.node(i).attribute(0).has_t() && node.outputs.size() == 1) {
      graph.constants[node.outputs[0]] = read_tensor(proto.node(i).attribute(0).t(), path);
      continue;
    }
    graph.nodes.push_back(std::move(node));
  }
  for (const auto& input : proto.input()) {
    if (graph.constants.count(input.name()) == 0) graph.inputs[input.name()] = declared_dims(input);
  }
  for (const auto& output : proto.output()) graph.outputs.push_back(output.name());
  if (graph.nodes.empty()) throw ModelError("model file '" + path + "' contains no network");
  return graph;
}

}  // namespace rcpilot::perception::onnx_graph
