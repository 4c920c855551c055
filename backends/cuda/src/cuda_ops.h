/* Op plans: cuBLASLt for GEMM (cuda_gemm_cublaslt.c), cuDNN for conv backward (cuda_conv_cudnn.c),
 * or our kernels through the .cu family's
 * planner (backends/gpu_common), whose launch recipe this plugin only turns into cuLaunchKernel. */
#ifndef ACCEL_CUDA_OPS_H
#define ACCEL_CUDA_OPS_H

#include "accel_cu_planner.h"
#include "cuda_internal.h"
#include "cuda_lt_desc.h"

typedef struct accel_cuda_plan accel_cuda_plan;
typedef accel_status (*accel_cuda_plan_exec_fn)(accel_cuda_plan *plan, accel_cuda_stream *stream,
                                                const accel_plugin_ref *operands,
                                                accel_plugin_ref workspace);

struct accel_cuda_plan {
    accel_cuda_device *dev;
    accel_op_desc desc;
    accel_cuda_plan_exec_fn execute;
    void (*release)(accel_cuda_plan *plan); /* frees impl; may be NULL */
    void *impl;                             /* cuBLASLt or cuDNN descriptors */
    /* Our kernels: the whole op (library "accel"), or what runs after a library GEMM. */
    accel_recipe recipe;
    CUfunction fn[ACCEL_RECIPE_MAX_LAUNCHES];
};

/* The device as the .cu planner sees it. */
accel_cu_target accel_cuda_cu_target(const accel_cuda_device *dev);
/* Compiles (through the cache) and looks up every kernel of plan->recipe. */
accel_status accel_cuda_recipe_load(accel_cuda_plan *plan);
/* Enqueues plan->recipe's launches on the operands. */
accel_status accel_cuda_recipe_launch(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                      accel_plugin_ref workspace);

/* Our kernels (library "accel"). */
accel_status accel_cuda_plan_accel(accel_cuda_plan *plan, accel_plugin_plan_info *info);
/* cuBLASLt GEMM (library "cublaslt"). */
accel_status accel_cuda_plan_gemm_cublaslt(accel_cuda_plan *plan, accel_plugin_plan_info *info);
/* cuDNN conv2d backward data/weights (library "cudnn"; loads cuDNN on first use).
 * UNIMPLEMENTED when cuDNN is absent or refuses the case; every failure's message is also written
 * to reason, for the fallback to name. */
accel_status accel_cuda_plan_conv_cudnn(accel_cuda_plan *plan, accel_plugin_plan_info *info, char *reason,
                                        size_t reason_len);

#endif
