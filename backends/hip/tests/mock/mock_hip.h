/* What the mock HIP runtime (mock_hip.c) and the mock rocBLAS (mock_rocblas.c) record. */
#ifndef ACCEL_MOCK_HIP_H
#define ACCEL_MOCK_HIP_H

#ifndef __HIP_PLATFORM_AMD__
#define __HIP_PLATFORM_AMD__ 1
#endif
#include <hip/hip_runtime_api.h>
#include <hip/hiprtc.h>
#include <stdint.h>

typedef struct mock_hip_launch {
    char kernel[64];
    unsigned char args[1024];
    size_t args_size;
    unsigned grid[3], block[3], shared_bytes;
    int count;
    int compiles; /* hiprtcCompileProgram calls that succeeded */
} mock_hip_launch;

typedef struct mock_rocblas_gemm {
    int trans_a, trans_b;
    int32_t m, n, k, lda, ldb, ldc, ldd, batch;
    int64_t stride_a, stride_b, stride_c, stride_d;
    const void *a, *b, *c;
    void *d;
    int a_type, compute_type;
    float alpha, beta;
    int count;
} mock_rocblas_gemm;

typedef const mock_hip_launch *(*mock_hip_last_launch_fn)(void);
typedef const mock_rocblas_gemm *(*mock_rocblas_last_gemm_fn)(void);

#endif
