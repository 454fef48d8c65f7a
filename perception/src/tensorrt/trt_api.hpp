#pragma once
// The few TensorRT calls whose API changed between major versions, behind one set of
// functions: TensorRT 8.x addresses IO through binding indexes (getBindingIndex,
// enqueueV2), TensorRT 10+ through tensor names (setTensorAddress, enqueueV3). Chosen at
// compile time with NV_TENSORRT_MAJOR; everything above this file is version-free.
#include <cstdint>
#include <string>
#include <vector>

#include <NvInfer.h>
#include <NvInferVersion.h>

#if NV_TENSORRT_MAJOR < 8
#error "rcpilot's TensorRT backend needs TensorRT 8.0 or newer (JetPack 4.6+)"
#endif

namespace rcpilot::perception::trt {

// One input or output tensor of the engine.
struct IoTensor {
  std::string name;
  bool is_input = false;
  std::vector<std::int64_t> dims;  // as built; -1 for a dimension set at run time
  bool is_float32 = false;
  int binding = -1;  // TensorRT 8: binding index (first optimisation profile); else -1
};

// Every input and output of `engine`, in the engine's order.
std::vector<IoTensor> io_tensors(const nvinfer1::ICudaEngine& engine);

// Whether the engine was built with an implicit batch dimension (never for ONNX builds).
bool implicit_batch(const nvinfer1::ICudaEngine& engine);

// Sets the run-time shape of a dynamic input; false when the engine's profile refuses it.
bool set_input_shape(nvinfer1::IExecutionContext& context, const IoTensor& tensor,
                     const std::vector<int>& shape);

// The shape of `tensor` on this context, once all input shapes are set.
std::vector<std::int64_t> resolved_shape(const nvinfer1::IExecutionContext& context,
                                         const IoTensor& tensor);

// Binds `device` as the tensor's memory for every later enqueue(). `bindings` is the binding
// table enqueue() passes to TensorRT 8 (sized here); TensorRT 10 keeps addresses in the
// context. False when TensorRT refuses the address.
bool bind(nvinfer1::IExecutionContext& context, const nvinfer1::ICudaEngine& engine,
          const IoTensor& tensor, void* device, std::vector<void*>& bindings);

// Enqueues one inference on `stream` with the bound buffers; false when TensorRT refuses.
bool enqueue(nvinfer1::IExecutionContext& context, std::vector<void*>& bindings,
             cudaStream_t stream);

}  // namespace rcpilot::perception::trt
