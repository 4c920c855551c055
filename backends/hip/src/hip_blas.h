/* Vendor GEMM libraries, dlopen()ed when present. rocBLAS (librocblas.so.4 on ROCm 6, .so.3 on 5.x)
 * through rocblas_gemm_strided_batched_ex. The few rocBLAS types needed are declared here with the
 * values of rocblas-types.h (stable since rocBLAS 2), so no rocBLAS header is needed to build.
 * hipBLASLt is not wired yet (see docs/backend-hip.md). */
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
    ACCEL_ROCBLAS_SYMBOLS(ACCEL_HIP_DECLARE_POINTER)
} hip_rocblas;

typedef struct hip_blas {
    hip_rocblas rocblas;
    char reason[256]; /* why rocBLAS is not there */
} hip_blas;

void hip_blas_open(hip_blas *blas, int debug);
void hip_blas_close(hip_blas *blas);
const char *hip_rocblas_status_name(const hip_rocblas *r, int status);

#endif
