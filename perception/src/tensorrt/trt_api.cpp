#include "trt_api.hpp"

#include <algorithm>

namespace rcpilot::perception::trt {
namespace {

template <typename Dims>
std::vector<std::int64_t> to_vector(const Dims& dims) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < dims.nbDims; ++i) out.push_back(static_cast<std::int64_t>(dims.d[i]));
  return out;
}

nvinfer1::Dims to_dims(const std::vector<int>& shape) {
  nvinfer1::Dims dims{};
  dims.nbDims = static_cast<decltype(dims.nbDims)>(shape.size());
  for (std::size_t i = 0; i < shape.size(); ++i) dims.d[i] = shape[i];
  return dims;
}

}  // namespace

bool implicit_batch(const nvinfer1::ICudaEngine& engine) {
#if NV_TENSORRT_MAJOR >= 10
  (void)engine;
  return false;  // TensorRT 10 removed implicit batch
#else
  return engine.hasImplicitBatchDimension();
#endif
}

#if NV_TENSORRT_MAJOR >= 10

std::vector<IoTensor> io_tensors(const nvinfer1::ICudaEngine& engine) {
  std::vector<IoTensor> out;
  for (int i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    IoTensor t;
    t.name = name;
    t.is_input = engine.getTensorIOMode(name) == nvinfer1::TensorIOMode::kINPUT;
    t.dims = to_vector(engine.getTensorShape(name));
    t.is_float32 = engine.getTensorDataType(name) == nvinfer1::DataType::kFLOAT;
    out.push_back(t);
  }
  return out;
}

bool set_input_shape(nvinfer1::IExecutionContext& context, const IoTensor& tensor,
                     const std::vector<int>& shape) {
  return context.setInputShape(tensor.name.c_str(), to_dims(shape));
}

std::vector<std::int64_t> resolved_shape(const nvinfer1::IExecutionContext& context,
                                         const IoTensor& tensor) {
  return to_vector(context.getTensorShape(tensor.name.c_str()));
}

bool bind(nvinfer1::IExecutionContext& context, const nvinfer1::ICudaEngine& /*engine*/,
          const IoTensor& tensor, void* device, std::vector<void*>& /*bindings*/) {
  return context.setTensorAddress(tensor.name.c_str(), device);
}

bool enqueue(nvinfer1::IExecutionContext& context, std::vector<void*>& /*bindings*/,
             cudaStream_t stream) {
  return context.enqueueV3(stream);
}

#else  // TensorRT 8.x: bindings (deprecated from 8.5 on, but the only API before it)

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

std::vector<IoTensor> io_tensors(const nvinfer1::ICudaEngine& engine) {
  // With several optimisation profiles the bindings repeat per profile; rcpilot uses the first.
  const int per_profile =
      engine.getNbBindings() / std::max(1, engine.getNbOptimizationProfiles());
  std::vector<IoTensor> out;
  for (int i = 0; i < per_profile; ++i) {
    IoTensor t;
    t.name = engine.getBindingName(i);
    t.binding = engine.getBindingIndex(t.name.c_str());
    t.is_input = engine.bindingIsInput(i);
    t.dims = to_vector(engine.getBindingDimensions(i));
    t.is_float32 = engine.getBindingDataType(i) == nvinfer1::DataType::kFLOAT;
    out.push_back(t);
  }
  return out;
}

bool set_input_shape(nvinfer1::IExecutionContext& context, const IoTensor& tensor,
                     const std::vector<int>& shape) {
  return context.setBindingDimensions(tensor.binding, to_dims(shape));
}

std::vector<std::int64_t> resolved_shape(const nvinfer1::IExecutionContext& context,
                                         const IoTensor& tensor) {
  return to_vector(context.getBindingDimensions(tensor.binding));
}

bool bind(nvinfer1::IExecutionContext& /*context*/, const nvinfer1::ICudaEngine& engine,
          const IoTensor& tensor, void* device, std::vector<void*>& bindings) {
  if (tensor.binding < 0) return false;
  bindings.resize(static_cast<std::size_t>(engine.getNbBindings()), nullptr);
  bindings[static_cast<std::size_t>(tensor.binding)] = device;
  return true;
}

bool enqueue(nvinfer1::IExecutionContext& context, std::vector<void*>& bindings,
             cudaStream_t stream) {
  return context.enqueueV2(bindings.data(), stream, nullptr);
}

#pragma GCC diagnostic pop

#endif

}  // namespace rcpilot::perception::trt
