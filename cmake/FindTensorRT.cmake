# Finds TensorRT's runtime (NvInfer.h, libnvinfer) and the CUDA runtime it is used with.
#
# Hints: TensorRT_ROOT (or env TENSORRT_ROOT) for a TensorRT tarball; CUDAToolkit_ROOT (or env
# CUDA_HOME) for CUDA. JetPack installs TensorRT under /usr (include/<arch>, lib/<arch>) and
# CUDA under /usr/local/cuda, which are searched by default.
#
# Sets TensorRT_FOUND, TensorRT_VERSION ("8.6.1"), TensorRT_VERSION_MAJOR, TensorRT_INCLUDE_DIR,
# TensorRT_LIBRARY, TensorRT_CUDART_LIBRARY, and the imported target TensorRT::nvinfer, which
# carries TensorRT's and CUDA's include folders and links libnvinfer and libcudart.

set(_trt_hints ${TensorRT_ROOT} $ENV{TENSORRT_ROOT})
set(_cuda_hints ${CUDAToolkit_ROOT} $ENV{CUDA_HOME} $ENV{CUDA_PATH} /usr/local/cuda)
set(_arch_include include)
set(_arch_lib lib lib64)
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND _arch_include include/${CMAKE_LIBRARY_ARCHITECTURE})
  list(APPEND _arch_lib lib/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

find_path(TensorRT_INCLUDE_DIR NvInfer.h HINTS ${_trt_hints} PATH_SUFFIXES ${_arch_include})
find_library(TensorRT_LIBRARY nvinfer HINTS ${_trt_hints} PATH_SUFFIXES ${_arch_lib})
find_path(TensorRT_CUDA_INCLUDE_DIR cuda_runtime_api.h HINTS ${_cuda_hints}
  PATH_SUFFIXES include targets/${CMAKE_SYSTEM_PROCESSOR}-linux/include)
find_library(TensorRT_CUDART_LIBRARY cudart HINTS ${_cuda_hints}
  PATH_SUFFIXES lib64 lib targets/${CMAKE_SYSTEM_PROCESSOR}-linux/lib)

# NvInferVersion.h: "#define NV_TENSORRT_MAJOR 8"; 10.x+ may say "NV_TENSORRT_MAJOR TRT_MAJOR_..."
# and define that name to the number.
set(TensorRT_VERSION "")
if(TensorRT_INCLUDE_DIR AND EXISTS "${TensorRT_INCLUDE_DIR}/NvInferVersion.h")
  file(STRINGS "${TensorRT_INCLUDE_DIR}/NvInferVersion.h" _trt_defines REGEX "^#define [A-Z_]+ ")
  foreach(_part MAJOR MINOR PATCH)
    set(_value "")
    foreach(_line IN LISTS _trt_defines)
      if(_line MATCHES "^#define NV_TENSORRT_${_part} ([0-9A-Z_]+)")
        set(_value "${CMAKE_MATCH_1}")
      endif()
    endforeach()
    if(NOT _value MATCHES "^[0-9]+$")
      foreach(_line IN LISTS _trt_defines)
        if(_value AND _line MATCHES "^#define ${_value} ([0-9]+)")
          set(_value "${CMAKE_MATCH_1}")
        endif()
      endforeach()
    endif()
    set(TensorRT_VERSION_${_part} "${_value}")
  endforeach()
  set(TensorRT_VERSION
      "${TensorRT_VERSION_MAJOR}.${TensorRT_VERSION_MINOR}.${TensorRT_VERSION_PATCH}")
endif()

# No semicolons: the message is passed as one list element.
set(_trt_advice "install TensorRT and CUDA (JetPack ships both, elsewhere libnvinfer-dev and \
the CUDA toolkit), or point TensorRT_ROOT / CUDAToolkit_ROOT at them, or build without the \
backend: -DRCPILOT_TENSORRT=AUTO or OFF")
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(TensorRT
  REQUIRED_VARS TensorRT_LIBRARY TensorRT_INCLUDE_DIR TensorRT_CUDART_LIBRARY
                TensorRT_CUDA_INCLUDE_DIR
  VERSION_VAR TensorRT_VERSION
  REASON_FAILURE_MESSAGE "${_trt_advice}")

if(TensorRT_FOUND AND NOT TARGET TensorRT::nvinfer)
  add_library(TensorRT::nvinfer UNKNOWN IMPORTED)
  set_target_properties(TensorRT::nvinfer PROPERTIES
    IMPORTED_LOCATION "${TensorRT_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${TensorRT_INCLUDE_DIR};${TensorRT_CUDA_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${TensorRT_CUDART_LIBRARY}")
endif()
mark_as_advanced(TensorRT_INCLUDE_DIR TensorRT_LIBRARY TensorRT_CUDA_INCLUDE_DIR
                 TensorRT_CUDART_LIBRARY)
