#pragma once
// An ONNX model read with the ONNX project's protobuf classes into plain structs: the nodes in
// file order (ONNX requires topological order), constant tensors as float32 or int64 values,
// and the graph's inputs and outputs. Private to the oneDNN plugin.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rcpilot::perception::onnx_graph {

struct Tensor {
  std::vector<std::int64_t> dims;
  std::vector<float> floats;       // FLOAT tensors
  std::vector<std::int64_t> ints;  // INT64 tensors (shapes for Reshape)
};

struct Node {
  std::string op;
  std::string name;
  std::vector<std::string> inputs;  // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, std::vector<std::int64_t>> ints;  // INT and INTS attributes
  std::map<std::string, float> floats;                    // FLOAT attributes
  std::map<std::string, std::string> strings;             // STRING attributes

  std::int64_t int_attr(const std::string& key, std::int64_t fallback) const;
  std::vector<std::int64_t> ints_attr(const std::string& key,
                                      std::vector<std::int64_t> fallback) const;
  float float_attr(const std::string& key, float fallback) const;
  // "Conv node 'x' (#3)" for messages.
  std::string describe() const;
};

struct Graph {
  std::vector<Node> nodes;
  std::map<std::string, Tensor> constants;  // initializers and Constant nodes' values
  std::map<std::string, std::vector<std::int64_t>> inputs;  // real inputs; -1 = symbolic dim
  std::vector<std::string> outputs;
};

// Throws ModelError naming `path` when it cannot be read or parsed, or when a constant has a
// type other than float32/int64 or lives in external data.
Graph read_graph(const std::string& path);

}  // namespace rcpilot::perception::onnx_graph
