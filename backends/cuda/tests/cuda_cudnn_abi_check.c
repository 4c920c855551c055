/* Compile-time check of src/cuda_cudnn_abi.h against the real cudnn.h (built only where it is
 * found): the table is declared again with the header's own types, and each header prototype is
 * assigned to its slot inside sizeof(), under -Werror=incompatible-pointer-types, so a wrong name,
 * parameter order or type breaks the build; the enum values and the perf struct layout the plugin
 * relies on are asserted. The plugin itself declares handles as void * and enums as int, which
 * is ABI-identical. */
#include <stddef.h>

#include <cudnn.h>

/* The legacy convolution API is marked deprecated in cuDNN 9, and the enums compared below are of
 * different types: naming and comparing them is the point here. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#pragma GCC diagnostic ignored "-Wenum-compare"

#define ACCEL_CUDNN_REAL_TYPES 1
typedef cudnnHandle_t accel_cudnn_handle;
typedef cudnnTensorDescriptor_t accel_cudnn_tensor;
typedef cudnnFilterDescriptor_t accel_cudnn_filter;
typedef cudnnConvolutionDescriptor_t accel_cudnn_conv;
typedef cudaStream_t accel_cudnn_stream;
typedef cudnnStatus_t accel_cudnn_status;
typedef cudnnDataType_t accel_cudnn_dtype;
typedef cudnnTensorFormat_t accel_cudnn_format;
typedef cudnnConvolutionMode_t accel_cudnn_mode;
typedef cudnnMathType_t accel_cudnn_math;
typedef cudnnConvolutionBwdDataAlgo_t accel_cudnn_bwd_data_algo;
typedef cudnnConvolutionBwdFilterAlgo_t accel_cudnn_bwd_filter_algo;
typedef cudnnConvolutionBwdDataAlgoPerf_t accel_cudnn_bwd_data_perf;
typedef cudnnConvolutionBwdFilterAlgoPerf_t accel_cudnn_bwd_filter_perf;
#include "cuda_cudnn_abi.h"

_Static_assert(CUDNN_MAJOR == 9, "the plugin speaks cuDNN 9");
_Static_assert(sizeof(cudnnStatus_t) == sizeof(int) && sizeof(cudnnDataType_t) == sizeof(int) &&
                   sizeof(cudnnTensorFormat_t) == sizeof(int) && sizeof(cudnnMathType_t) == sizeof(int) &&
                   sizeof(cudnnConvolutionBwdDataAlgo_t) == sizeof(int) &&
                   sizeof(cudnnConvolutionBwdFilterAlgo_t) == sizeof(int),
               "enums are int-sized");
_Static_assert(CUDNN_STATUS_SUCCESS == ACCEL_CUDNN_STATUS_SUCCESS &&
                   CUDNN_STATUS_NOT_INITIALIZED == ACCEL_CUDNN_STATUS_NOT_INITIALIZED &&
                   CUDNN_STATUS_BAD_PARAM == ACCEL_CUDNN_STATUS_BAD_PARAM &&
                   CUDNN_STATUS_NOT_SUPPORTED == ACCEL_CUDNN_STATUS_NOT_SUPPORTED &&
                   CUDNN_STATUS_EXECUTION_FAILED == ACCEL_CUDNN_STATUS_EXECUTION_FAILED,
               "cudnnStatus_t values");
_Static_assert(CUDNN_DATA_FLOAT == ACCEL_CUDNN_DATA_FLOAT && CUDNN_DATA_HALF == ACCEL_CUDNN_DATA_HALF &&
                   CUDNN_DATA_BFLOAT16 == ACCEL_CUDNN_DATA_BFLOAT16,
               "cudnnDataType_t values");
_Static_assert(CUDNN_TENSOR_NCHW == ACCEL_CUDNN_TENSOR_NCHW && CUDNN_TENSOR_NHWC == ACCEL_CUDNN_TENSOR_NHWC,
               "cudnnTensorFormat_t values");
_Static_assert(CUDNN_CROSS_CORRELATION == ACCEL_CUDNN_CROSS_CORRELATION, "cudnnConvolutionMode_t value");
_Static_assert(CUDNN_DEFAULT_MATH == ACCEL_CUDNN_DEFAULT_MATH && CUDNN_TENSOR_OP_MATH == ACCEL_CUDNN_TENSOR_OP_MATH &&
                   CUDNN_FMA_MATH == ACCEL_CUDNN_FMA_MATH,
               "cudnnMathType_t values");
#define SAME_PERF(T)                                                                                        \
    _Static_assert(sizeof(T) == sizeof(accel_cudnn_algo_perf) &&                                            \
                       offsetof(T, algo) == offsetof(accel_cudnn_algo_perf, algo) &&                        \
                       offsetof(T, status) == offsetof(accel_cudnn_algo_perf, status) &&                    \
                       offsetof(T, memory) == offsetof(accel_cudnn_algo_perf, memory) &&                    \
                       offsetof(T, mathType) == offsetof(accel_cudnn_algo_perf, math_type),                 \
                   #T " layout")
SAME_PERF(cudnnConvolutionBwdDataAlgoPerf_t);
SAME_PERF(cudnnConvolutionBwdFilterAlgoPerf_t);

#define CHECK_DNN(ret, name, params) (void)sizeof(dnn.name = name);

int accel_cuda_cudnn_abi_check(void) {
    accel_cuda_cudnn_table dnn;
    ACCEL_CUDA_CUDNN_BOOTSTRAP(CHECK_DNN)
    ACCEL_CUDA_CUDNN_REQUIRED(CHECK_DNN)
    (void)dnn;
    return 0;
}
