/* Vendor GEMM libraries, dlopen()ed when present, so no header of theirs is needed to build:
 * - hipBLASLt (libhipblaslt.so.1 / .so.0): the preferred path, with fused bias/ReLU/GELU-tanh
 *   epilogues and xf32 (HIPBLAS_COMPUTE_32F_FAST_TF32) on MI300;
 * - rocBLAS (librocblas.so.4 on ROCm 6, .so.3 on 5.x) through rocblas_gemm_strided_batched_ex.
 * The few types needed are declared here with the values of the public headers (rocblas-types.h,
 * hipblaslt.h, hipblas-common.h, hip library_types.h). */
#ifndef ACCEL_HIP_BLAS_H
#define ACCEL_HIP_BLAS_H

#include "hip_api.h"
#include <stdint.h>

typedef void *hip_rocblas_handle;
enum {
    HIP_ROCBLAS_STATUS_SUCCESS = 0,
    HIP_ROCBLAS_OP_N = 111,
    HIP_ROCBLAS_OP_T = 112,
    HIP_ROCBLAS_F16 = 150,
    HIP_ROCBLAS_F32 = 151,
    HIP_ROCBLAS_F64 = 152,
    HIP_ROCBLAS_BF16 = 168,
    HIP_ROCBLAS_POINTER_MODE_HOST = 0,
    HIP_ROCBLAS_GEMM_ALGO_STANDARD = 0
};

#define ACCEL_ROCBLAS_SYMBOLS(X)                                                                 \
    X(int, rocblas_create_handle, (hip_rocblas_handle * handle))                                 \
    X(int, rocblas_destroy_handle, (hip_rocblas_handle handle))                                  \
    X(int, rocblas_set_stream, (hip_rocblas_handle handle, hipStream_t stream))                  \
    X(int, rocblas_set_pointer_mode, (hip_rocblas_handle handle, int mode))                      \
    X(const char *, rocblas_status_to_string, (int status))                                     \
    X(int, rocblas_gemm_strided_batched_ex,                                                      \
      (hip_rocblas_handle handle, int trans_a, int trans_b, int32_t m, int32_t n, int32_t k,     \
       const void *alpha, const void *a, int a_type, int32_t lda, int64_t stride_a,             \
       const void *b, int b_type, int32_t ldb, int64_t stride_b, const void *beta,              \
       const void *c, int c_type, int32_t ldc, int64_t stride_c, void *d, int d_type,           \
       int32_t ldd, int64_t stride_d, int32_t batch, int compute_type, int algo,                \
       int32_t solution_index, uint32_t flags))

typedef struct hip_rocblas {
    void *lib;
    char lib_name[32];
    ACCEL_ROCBLAS_SYMBOLS(ACCEL_DL_FIELD)
} hip_rocblas;

/* hipBLASLt. hipblasComputeType_t values are those of hipblas-common.h (ROCm >= 6.0.2); ROCm 6.0's
 * hipBLASLt took its own hipblasLtComputeType_t (F32 = 300, F32_FAST_XF32 = 301), tried second. */
typedef void *hip_blaslt_handle;
typedef void *hip_blaslt_desc;
typedef void *hip_blaslt_layout;
typedef void *hip_blaslt_pref;
enum {
    HIP_BLAS_STATUS_SUCCESS = 0,
    HIP_BLAS_OP_N = 111,
    HIP_BLAS_OP_T = 112,
    HIP_DATA_R_32F = 0,
    HIP_DATA_R_64F = 1,
    HIP_DATA_R_16F = 2,
    HIP_DATA_R_16BF = 14,
    HIP_BLAS_COMPUTE_32F = 2,
    HIP_BLAS_COMPUTE_32F_FAST_TF32 = 6,
    HIP_BLASLT_COMPUTE_F32_ROCM60 = 300,
    HIP_BLASLT_COMPUTE_F32_FAST_XF32_ROCM60 = 301,
    HIP_BLASLT_EPILOGUE_DEFAULT = 1,
    HIP_BLASLT_EPILOGUE_RELU = 2,
    HIP_BLASLT_EPILOGUE_BIAS = 4,
    HIP_BLASLT_EPILOGUE_RELU_BIAS = 6,
    HIP_BLASLT_EPILOGUE_GELU = 32, /* the tanh approximation */
    HIP_BLASLT_EPILOGUE_GELU_BIAS = 36,
    HIP_BLASLT_LAYOUT_BATCH_COUNT = 0,          /* int32_t */
    HIP_BLASLT_LAYOUT_STRIDED_BATCH_OFFSET = 1, /* int64_t */
    HIP_BLASLT_DESC_TRANSA = 0,                 /* int32_t */
    HIP_BLASLT_DESC_TRANSB = 1,                 /* int32_t */
    HIP_BLASLT_DESC_EPILOGUE = 2,               /* uint32_t */
    HIP_BLASLT_DESC_BIAS_POINTER = 3,           /* const void * */
    HIP_BLASLT_DESC_BIAS_DATA_TYPE = 4,         /* int32_t hipDataType */
    HIP_BLASLT_PREF_MAX_WORKSPACE_BYTES = 1     /* uint64_t */
};

typedef struct hip_blaslt_algo {
    uint8_t data[16];
    size_t max_workspace_bytes;
} hip_blaslt_algo;

typedef struct hip_blaslt_heuristic {
    hip_blaslt_algo algo;
    size_t workspace_size;
    int state;
    float waves_count;
    int reserved[4];
} hip_blaslt_heuristic;

#define ACCEL_HIPBLASLT_SYMBOLS(X)                                                               \
    X(int, hipblasLtCreate, (hip_blaslt_handle * handle))                                        \
    X(int, hipblasLtDestroy, (hip_blaslt_handle handle))                                         \
    X(int, hipblasLtMatmulDescCreate, (hip_blaslt_desc * desc, int compute, int scale_type))     \
    X(int, hipblasLtMatmulDescDestroy, (hip_blaslt_desc desc))                                   \
    X(int, hipblasLtMatmulDescSetAttribute,                                                      \
      (hip_blaslt_desc desc, int attr, const void *buf, size_t size))                            \
    X(int, hipblasLtMatrixLayoutCreate,                                                          \
      (hip_blaslt_layout * layout, int type, uint64_t rows, uint64_t cols, int64_t ld))          \
    X(int, hipblasLtMatrixLayoutDestroy, (hip_blaslt_layout layout))                             \
    X(int, hipblasLtMatrixLayoutSetAttribute,                                                    \
      (hip_blaslt_layout layout, int attr, const void *buf, size_t size))                        \
    X(int, hipblasLtMatmulPreferenceCreate, (hip_blaslt_pref * pref))                            \
    X(int, hipblasLtMatmulPreferenceDestroy, (hip_blaslt_pref pref))                             \
    X(int, hipblasLtMatmulPreferenceSetAttribute,                                                \
      (hip_blaslt_pref pref, int attr, const void *buf, size_t size))                            \
    X(int, hipblasLtMatmulAlgoGetHeuristic,                                                      \
      (hip_blaslt_handle handle, hip_blaslt_desc desc, hip_blaslt_layout a, hip_blaslt_layout b, \
       hip_blaslt_layout c, hip_blaslt_layout d, hip_blaslt_pref pref, int requested,            \
       hip_blaslt_heuristic *results, int *returned))                                            \
    X(int, hipblasLtMatmul,                                                                      \
      (hip_blaslt_handle handle, hip_blaslt_desc desc, const void *alpha, const void *a,         \
       hip_blaslt_layout a_layout, const void *b, hip_blaslt_layout b_layout, const void *beta,  \
       const void *c, hip_blaslt_layout c_layout, void *d, hip_blaslt_layout d_layout,           \
       const hip_blaslt_algo *algo, void *workspace, size_t workspace_size, hipStream_t stream))

typedef struct hip_blaslt {
    void *lib;
    char lib_name[32];
    ACCEL_HIPBLASLT_SYMBOLS(ACCEL_DL_FIELD)
} hip_blaslt;

typedef struct hip_blas {
    hip_rocblas rocblas;
    hip_blaslt blaslt;
    char reason[256];        /* why rocBLAS is not there */
    char blaslt_reason[256]; /* why hipBLASLt is not there */
} hip_blas;

/* Loads what is there; each absent library leaves its reason. Each dlopen is traced through log. */
void hip_blas_open(hip_blas *blas, const accel_dl_log *log);
void hip_blas_close(hip_blas *blas);
const char *hip_rocblas_status_name(const hip_rocblas *r, int status);

#endif
