/* Op plans: GEMM through hipBLASLt or rocBLAS, and our kernels through the .cu family's planner
 * (backends/gpu_common), whose launch recipe this plugin only packs into argument blocks. */
#ifndef ACCEL_HIP_OPS_H
#define ACCEL_HIP_OPS_H

#include "accel_cu_planner.h"
#include "hip_internal.h"

enum hip_plan_path { HIP_PATH_KERNEL = 0, HIP_PATH_ROCBLAS = 1, HIP_PATH_HIPBLASLT = 2 };

typedef struct hip_plan {
    hip_device *dev;
    accel_op_desc desc;
    enum hip_plan_path path;
    /* Our kernels: the whole op (path KERNEL), or what a library GEMM cannot fuse, afterwards. */
    accel_recipe recipe;
    hipFunction_t fn[ACCEL_RECIPE_MAX_LAUNCHES];
    int act;                   /* the op's activation (ACCEL_ACT_*) */
    int epilogue_act;          /* what the epilogue kernel applies after a library GEMM */
    int epilogue_bias;         /* the epilogue kernel adds the bias */
    accel_gemm_params gemm;    /* the GEMM's geometry, packed defaults resolved */
    hip_rocblas_handle rocblas;
    int rocblas_type, rocblas_compute;
    hip_blaslt_handle blaslt;
    hip_blaslt_desc blaslt_desc;
    hip_blaslt_layout blaslt_layout[4]; /* its A (our B), its B (our A), C, D */
    hip_blaslt_heuristic blaslt_algo[4]; /* one requested; room for a larger struct */
    int blaslt_bias_fused;
    size_t workspace_bytes;
} hip_plan;

/* GEMM planning (hip_op_gemm.c): fill plan and info or answer UNIMPLEMENTED. */
accel_status hip_plan_gemm(hip_plan *plan, accel_plugin_plan_info *info);
accel_status hip_exec_gemm(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                           accel_plugin_ref workspace);
void hip_plan_gemm_release(hip_plan *plan);

/* Our kernels (hip_op_kernels.c): the op through the .cu planner (library "accel"). */
accel_status hip_plan_accel(hip_plan *plan, accel_plugin_plan_info *info);
/* Compiles (through the cache) and looks up every kernel of plan->recipe. */
accel_status hip_recipe_load(hip_plan *plan);
/* Enqueues plan->recipe's launches on the operands. */
accel_status hip_recipe_launch(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                               accel_plugin_ref workspace);
/* The device as the .cu planner sees it. */
accel_cu_target hip_cu_target(const hip_device *dev);

/* GEMM helpers shared by hip_op_gemm.c and hip_op_blaslt.c. */
int hip_gemm_fits_int32(const accel_gemm_params *p);
/* The bias/activation kernel after a library GEMM (plan->epilogue_act, plan->epilogue_bias). */
accel_status hip_plan_epilogue_kernel(hip_plan *plan);
int hip_blaslt_supports(const hip_plan *plan, accel_compute_type compute);
accel_status hip_plan_blaslt(hip_plan *plan, const hip_blaslt *lt, accel_compute_type compute,
                             accel_plugin_plan_info *info);
accel_status hip_exec_blaslt(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                             accel_plugin_ref workspace);
void hip_blaslt_release(hip_plan *plan);

#endif
