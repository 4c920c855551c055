/* The few cuDNN entry points the cuda backend calls, declared here so the plugin builds without
 * cudnn.h (cuDNN is a separate download; it is dlopen()ed, never linked). Handles and descriptors
 * are opaque pointers and every enum is an int, as in cudnn_graph.h / cudnn_ops.h / cudnn_cnn.h of
 * cuDNN 9 (ABI-identical). tests/cuda_symbols_check.c checks each prototype, the values and the
 * perf struct's layout against the real headers where they are found.
 *
 * Why the legacy convolution API (cudnnConvolutionBackwardData/Filter, cudnnGet*Algorithm_v7) and
 * not the graph (backend) API: cuDNN 9 still exports it from libcudnn_cnn (through libcudnn.so.9's
 * dispatch), one descriptor set and one call per op is all a single conv backward needs, the
 * heuristic ranks algorithms per shape in one query, and a test double of it is a few dozen lines.
 * The graph API pays off for fusions (conv + BN backward + ReLU backward in one engine), which the
 * HAL does not describe yet. */
#ifndef ACCEL_CUDA_CUDNN_ABI_H
#define ACCEL_CUDA_CUDNN_ABI_H

#include <stddef.h>

#include "accel_common/dl.h"

/* tests/cuda_symbols_check.c defines ACCEL_CUDNN_REAL_TYPES and these names as cudnn.h's own types,
 * so that each table slot below must then accept the header's prototype exactly. */
#ifndef ACCEL_CUDNN_REAL_TYPES
typedef void *accel_cudnn_handle;
typedef void *accel_cudnn_tensor;
typedef void *accel_cudnn_filter;
typedef void *accel_cudnn_conv;
typedef void *accel_cudnn_stream;
typedef int accel_cudnn_status;
typedef int accel_cudnn_dtype, accel_cudnn_format, accel_cudnn_mode, accel_cudnn_math;
typedef int accel_cudnn_bwd_data_algo, accel_cudnn_bwd_filter_algo;
typedef struct accel_cudnn_algo_perf accel_cudnn_bwd_data_perf, accel_cudnn_bwd_filter_perf;
#endif

enum {
    ACCEL_CUDNN_STATUS_SUCCESS = 0,
    ACCEL_CUDNN_STATUS_NOT_INITIALIZED = 1001,
    ACCEL_CUDNN_STATUS_BAD_PARAM = 2000,
    ACCEL_CUDNN_STATUS_NOT_SUPPORTED = 3000,
    ACCEL_CUDNN_STATUS_EXECUTION_FAILED = 5000,
};
/* cudnnDataType_t */
enum { ACCEL_CUDNN_DATA_FLOAT = 0, ACCEL_CUDNN_DATA_HALF = 2, ACCEL_CUDNN_DATA_BFLOAT16 = 9 };
/* cudnnTensorFormat_t */
enum { ACCEL_CUDNN_TENSOR_NCHW = 0, ACCEL_CUDNN_TENSOR_NHWC = 1 };
/* cudnnConvolutionMode_t: cross-correlation is what every framework calls convolution */
enum { ACCEL_CUDNN_CROSS_CORRELATION = 1 };
/* cudnnMathType_t: DEFAULT allows TF32 tensor cores on fp32 data, FMA forbids them */
enum { ACCEL_CUDNN_DEFAULT_MATH = 0, ACCEL_CUDNN_TENSOR_OP_MATH = 1, ACCEL_CUDNN_FMA_MATH = 3 };

/* cudnnConvolutionBwdDataAlgoPerf_t and cudnnConvolutionBwdFilterAlgoPerf_t (the same layout) */
typedef struct accel_cudnn_algo_perf {
    int algo;
    accel_cudnn_status status;
    float time;
    size_t memory;
    int determinism;
    int math_type;
    int reserved[3];
} accel_cudnn_algo_perf;

/* Present in every cuDNN: the version decides whether the rest is worth resolving. */
#define ACCEL_CUDA_CUDNN_BOOTSTRAP(X)                                                        \
    X(size_t, cudnnGetVersion, (void))                                                       \
    X(size_t, cudnnGetCudartVersion, (void))                                                 \
    X(const char *, cudnnGetErrorString, (accel_cudnn_status))

#define ACCEL_CUDA_CUDNN_REQUIRED(X)                                                         \
    X(accel_cudnn_status, cudnnCreate, (accel_cudnn_handle *))                               \
    X(accel_cudnn_status, cudnnDestroy, (accel_cudnn_handle))                                \
    X(accel_cudnn_status, cudnnSetStream, (accel_cudnn_handle, accel_cudnn_stream))                      \
    X(accel_cudnn_status, cudnnCreateTensorDescriptor, (accel_cudnn_tensor *))               \
    X(accel_cudnn_status, cudnnSetTensor4dDescriptor,                                        \
      (accel_cudnn_tensor, accel_cudnn_format, accel_cudnn_dtype, int, int, int, int))       \
    X(accel_cudnn_status, cudnnDestroyTensorDescriptor, (accel_cudnn_tensor))                \
    X(accel_cudnn_status, cudnnCreateFilterDescriptor, (accel_cudnn_filter *))               \
    X(accel_cudnn_status, cudnnSetFilter4dDescriptor,                                        \
      (accel_cudnn_filter, accel_cudnn_dtype, accel_cudnn_format, int, int, int, int))       \
    X(accel_cudnn_status, cudnnDestroyFilterDescriptor, (accel_cudnn_filter))                \
    X(accel_cudnn_status, cudnnCreateConvolutionDescriptor, (accel_cudnn_conv *))            \
    X(accel_cudnn_status, cudnnSetConvolution2dDescriptor,                                   \
      (accel_cudnn_conv, int, int, int, int, int, int, accel_cudnn_mode, accel_cudnn_dtype))  \
    X(accel_cudnn_status, cudnnSetConvolutionMathType, (accel_cudnn_conv, accel_cudnn_math))              \
    X(accel_cudnn_status, cudnnDestroyConvolutionDescriptor, (accel_cudnn_conv))             \
    X(accel_cudnn_status, cudnnGetConvolutionBackwardDataAlgorithm_v7,                       \
      (accel_cudnn_handle, accel_cudnn_filter, accel_cudnn_tensor, accel_cudnn_conv,         \
       accel_cudnn_tensor, int, int *, accel_cudnn_bwd_data_perf *))                         \
    X(accel_cudnn_status, cudnnGetConvolutionBackwardDataWorkspaceSize,                      \
      (accel_cudnn_handle, accel_cudnn_filter, accel_cudnn_tensor, accel_cudnn_conv,         \
       accel_cudnn_tensor, accel_cudnn_bwd_data_algo, size_t *))                                                   \
    X(accel_cudnn_status, cudnnConvolutionBackwardData,                                      \
      (accel_cudnn_handle, const void *, accel_cudnn_filter, const void *,                   \
       accel_cudnn_tensor, const void *, accel_cudnn_conv, accel_cudnn_bwd_data_algo,        \
       void *, size_t, const void *, accel_cudnn_tensor, void *))                                            \
    X(accel_cudnn_status, cudnnGetConvolutionBackwardFilterAlgorithm_v7,                     \
      (accel_cudnn_handle, accel_cudnn_tensor, accel_cudnn_tensor, accel_cudnn_conv,         \
       accel_cudnn_filter, int, int *, accel_cudnn_bwd_filter_perf *))                       \
    X(accel_cudnn_status, cudnnGetConvolutionBackwardFilterWorkspaceSize,                    \
      (accel_cudnn_handle, accel_cudnn_tensor, accel_cudnn_tensor, accel_cudnn_conv,         \
       accel_cudnn_filter, accel_cudnn_bwd_filter_algo, size_t *))                                                   \
    X(accel_cudnn_status, cudnnConvolutionBackwardFilter,                                    \
      (accel_cudnn_handle, const void *, accel_cudnn_tensor, const void *,                   \
       accel_cudnn_tensor, const void *, accel_cudnn_conv, accel_cudnn_bwd_filter_algo,      \
       void *, size_t, const void *, accel_cudnn_filter, void *))

typedef struct accel_cuda_cudnn_table {
    ACCEL_CUDA_CUDNN_BOOTSTRAP(ACCEL_DL_FIELD)
    ACCEL_CUDA_CUDNN_REQUIRED(ACCEL_DL_FIELD)
} accel_cuda_cudnn_table;

#endif
