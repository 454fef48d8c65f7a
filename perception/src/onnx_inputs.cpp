#include "onnx_inputs.hpp"

#include <cstdint>
#include <fstream>
#include <iterator>
#include <set>
#include <stdexcept>

namespace rcpilot::perception::detail {
namespace {

// Field numbers from onnx.proto (ModelProto, GraphProto, ValueInfoProto, TypeProto, ...).
constexpr std::uint32_t kModelGraph = 7;
constexpr std::uint32_t kGraphInitializer = 5;
constexpr std::uint32_t kGraphInput = 11;
constexpr std::uint32_t kTensorName = 8;
constexpr std::uint32_t kValueInfoName = 1;
constexpr std::uint32_t kValueInfoType = 2;
constexpr std::uint32_t kTypeTensor = 1;
constexpr std::uint32_t kTensorTypeShape = 2;
constexpr std::uint32_t kShapeDim = 1;
constexpr std::uint32_t kDimValue = 1;

struct Field {
  std::uint32_t number = 0;
  std::uint64_t varint = 0;  // wire type 0
  std::string_view bytes;    // wire type 2
};

// Walks the fields of one protobuf message; throws std::runtime_error on malformed input.
class Message {
 public:
  explicit Message(std::string_view data) : data_(data) {}

  bool next(Field& field) {
    if (pos_ >= data_.size()) return false;
    const std::uint64_t tag = varint();
    field.number = static_cast<std::uint32_t>(tag >> 3);
    switch (tag & 7) {
      case 0:
        field.varint = varint();
        break;
      case 1:
        skip(8);
        break;
      case 5:
        skip(4);
        break;
      case 2: {
        const std::uint64_t size = varint();
        if (size > data_.size() - pos_) throw std::runtime_error("truncated");
        field.bytes = data_.substr(pos_, size);
        pos_ += size;
        break;
      }
      default:
        throw std::runtime_error("unsupported wire type");
    }
    return true;
  }

 private:
  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) throw std::runtime_error("truncated varint");
      const auto byte = static_cast<std::uint8_t>(data_[pos_++]);
      value |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    throw std::runtime_error("bad varint");
  }
  void skip(std::size_t n) {
    if (n > data_.size() - pos_) throw std::runtime_error("truncated");
    pos_ += n;
  }

  std::string_view data_;
  std::size_t pos_ = 0;
};

// First field `number` (length-delimited) of `message`; empty if absent.
std::string_view sub_message(std::string_view message, std::uint32_t number) {
  Message m(message);
  Field f;
  while (m.next(f)) {
    if (f.number == number) return f.bytes;
  }
  return {};
}

std::vector<int> read_dims(std::string_view value_info) {
  const auto type = sub_message(value_info, kValueInfoType);
  const auto shape = sub_message(sub_message(type, kTypeTensor), kTensorTypeShape);
  std::vector<int> dims;
  Message m(shape);
  Field f;
  while (m.next(f)) {
    if (f.number != kShapeDim) continue;
    int dim = -1;  // a dim_param (symbolic) or missing value
    Message d(f.bytes);
    Field df;
    while (d.next(df)) {
      if (df.number == kDimValue) dim = static_cast<int>(df.varint);
    }
    dims.push_back(dim);
  }
  return dims;
}

std::map<std::string, std::vector<int>> parse_graph(std::string_view graph) {
  std::set<std::string> initializers;
  std::vector<std::string_view> inputs;
  Message m(graph);
  Field f;
  while (m.next(f)) {
    if (f.number == kGraphInitializer) {
      initializers.insert(std::string(sub_message(f.bytes, kTensorName)));
    } else if (f.number == kGraphInput) {
      inputs.push_back(f.bytes);
    }
  }
  std::map<std::string, std::vector<int>> shapes;
  for (const auto input : inputs) {
    const std::string name(sub_message(input, kValueInfoName));
    if (initializers.count(name) == 0) shapes[name] = read_dims(input);
  }
  return shapes;
}

}  // namespace

std::map<std::string, std::vector<int>> read_onnx_input_shapes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  const std::string data((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  try {
    return parse_graph(sub_message(data, kModelGraph));
  } catch (const std::runtime_error&) {
    return {};
  }
}

}  // namespace rcpilot::perception::detail
