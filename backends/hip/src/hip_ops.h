/* Op plans: our kernels from the shared sources, and rocBLAS for GEMM. */
#ifndef ACCEL_HIP_OPS_H
#define ACCEL_HIP_OPS_H

#include "hip_internal.h"
#include "hip_kernel_params.h"

enum hip_plan_path { HIP_PATH_KERNEL = 0, HIP_PATH_ROCBLAS = 1, HIP_PATH_HIPBLASLT = 2 };

typedef struct hip_plan {
    hip_device *dev;
    accel_op_desc desc;
    enum hip_plan_path path;
    hipFunction_t fn;
    hipFunction_t epilogue_fn; /* library GEMM: what it cannot fuse, afterwards */
    uint32_t grid[3], block[3];
    uint32_t epilogue_grid[3];
    int act;                   /* the op's activation (ACCEL_ACT_*) */
    int epilogue_act;          /* what epilogue_fn applies */
    int epilogue_bias;         /* epilogue_fn adds the bias */
    hip_gemm_params gemm;
    hip_conv2d_params conv;
    hip_permute_params permute;
    hip_attention_params attention;
    hip_rocblas_handle rocblas;
    int rocblas_type, rocblas_compute;
    hip_blaslt_handle blaslt;
    hip_blaslt_desc blaslt_desc;
    hip_blaslt_layout blaslt_layout[4]; /* its A (our B), its B (our A), C, D */
    hip_blaslt_heuristic blaslt_algo[4]; /* one requested; room for a larger struct */
    int blaslt_bias_fused;
    size_t workspace_bytes;
} hip_plan;

/* Per-op planning (hip_op_gemm.c, hip_op_kernels.c): fill plan and info or answer UNIMPLEMENTED. */
accel_status hip_plan_gemm(hip_plan *plan, accel_plugin_plan_info *info);
accel_status hip_exec_gemm(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                           accel_plugin_ref workspace);
void hip_plan_gemm_release(hip_plan *plan);
accel_status hip_plan_kernel_op(hip_plan *plan, accel_plugin_plan_info *info);
accel_status hip_exec_kernel_op(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops);

/* GEMM helpers shared by hip_op_gemm.c and hip_op_blaslt.c. */
int hip_epilogue_act(uint32_t epilogue);             /* ACCEL_ACT_* of the epilogue flags */
int hip_gemm_fits_int32(const hip_gemm_params *p);
accel_status hip_plan_epilogue_kernel(hip_plan *plan, const char *dtype_suffix);
accel_status hip_exec_epilogue(hip_plan *plan, hip_stream *s, void *d, const void *bias);
int hip_blaslt_supports(const hip_plan *plan, accel_compute_type compute);
accel_status hip_plan_blaslt(hip_plan *plan, const hip_blaslt *lt, accel_compute_type compute,
                             accel_plugin_plan_info *info);
accel_status hip_exec_blaslt(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                             accel_plugin_ref workspace);
void hip_blaslt_release(hip_plan *plan);

/* "f32", "f16", "bf16", "f64" kernel suffix; NULL for types our kernels lack. */
const char *hip_dtype_suffix(accel_dtype t);
/* Grid for a grid-stride kernel over count elements with 256-thread groups. */
uint32_t hip_stride_grid(int64_t count);

#endif
