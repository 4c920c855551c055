/* Op plans: our kernels from the shared sources, and rocBLAS for GEMM. */
#ifndef ACCEL_HIP_OPS_H
#define ACCEL_HIP_OPS_H

#include "hip_internal.h"

/* Mirrors of the parameter structs of backends/gpu_common/kernels (passed by value): field for
 * field the same order and types, so the packed argument block matches the kernel's layout. */
typedef struct hip_gemm_params {
    int64_t m, n, k, lda, ldb, ldc, ldd;
    int64_t stride_a, stride_b, stride_c, stride_d, stride_bias, batch;
    double alpha, beta;
    int32_t trans_a, trans_b, act, round_tf32;
} hip_gemm_params;

typedef struct hip_conv2d_params {
    int64_t n, c, h, w, k, r, s, p, q;
    int64_t stride_h, stride_w, pad_h, pad_w, dil_h, dil_w;
    int32_t nhwc, relu;
} hip_conv2d_params;

typedef struct hip_permute_params {
    int64_t total;
    int64_t out_dims[6];
    int64_t in_strides[6];
    int32_t ndims;
    int32_t pad_;
} hip_permute_params;

enum hip_plan_path { HIP_PATH_KERNEL = 0, HIP_PATH_ROCBLAS = 1 };

typedef struct hip_plan {
    hip_device *dev;
    accel_op_desc desc;
    enum hip_plan_path path;
    hipFunction_t fn;
    hipFunction_t epilogue_fn; /* rocBLAS GEMM: bias + activation afterwards */
    uint32_t grid[3], block[3];
    uint32_t epilogue_grid[3];
    int act;
    hip_gemm_params gemm;
    hip_conv2d_params conv;
    hip_permute_params permute;
    hip_rocblas_handle rocblas;
    int rocblas_type, rocblas_compute;
} hip_plan;

/* Per-op planning (hip_op_gemm.c, hip_op_kernels.c): fill plan and info or answer UNIMPLEMENTED. */
accel_status hip_plan_gemm(hip_plan *plan, accel_plugin_plan_info *info);
accel_status hip_exec_gemm(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops);
void hip_plan_gemm_release(hip_plan *plan);
accel_status hip_plan_kernel_op(hip_plan *plan, accel_plugin_plan_info *info);
accel_status hip_exec_kernel_op(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops);

/* "f32", "f16", "bf16", "f64" kernel suffix; NULL for types our kernels lack. */
const char *hip_dtype_suffix(accel_dtype t);
/* Grid for a grid-stride kernel over count elements with 256-thread groups. */
uint32_t hip_stride_grid(int64_t count);

#endif
