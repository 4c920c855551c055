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

typedef struct mock_blaslt_layout {
    int type;
    uint64_t rows, cols;
    int64_t ld, stride;
    int32_t batch;
} mock_blaslt_layout;

typedef struct mock_blaslt_matmul {
    int compute, scale_type;     /* given to hipblasLtMatmulDescCreate (the accepted call) */
    int32_t trans_a, trans_b;
    uint32_t epilogue;
    const void *bias;
    int32_t bias_type;
    mock_blaslt_layout a, b, c, d; /* the layouts given to hipblasLtMatmul, in its order */
    const void *pa, *pb, *pc;
    void *pd;
    float alpha, beta;
    void *workspace;
    size_t workspace_size;
    int count;
} mock_blaslt_matmul;

typedef const mock_hip_launch *(*mock_hip_last_launch_fn)(void);
typedef const mock_blaslt_matmul *(*mock_blaslt_last_matmul_fn)(void);
typedef const mock_rocblas_gemm *(*mock_rocblas_last_gemm_fn)(void);

#endif
