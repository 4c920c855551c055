/* Op plans: one kernel (ours, or a CLBlast call) with its launch geometry fixed at plan time. */
#ifndef OCL_OPS_H
#define OCL_OPS_H

#include "ocl_internal.h"

typedef struct ocl_plan ocl_plan;
typedef accel_status (*ocl_plan_exec_fn)(ocl_plan *plan, ocl_stream *s,
                                         const accel_plugin_ref *operands);

struct ocl_plan {
    ocl_device *dev;
    accel_op_desc desc;
    cl_kernel kernel;
    size_t global[3], local[3];
    cl_kernel aux_kernel; /* a preparatory kernel (GEMM: packing a transposed B), or NULL */
    size_t aux_global[3], aux_local[3];
    accel_plugin_ref workspace; /* set for the duration of one execute */
    ocl_plan_exec_fn exec;
    pthread_mutex_t lock; /* kernel arguments are per kernel object: one execute at a time */
};

/* Per-family planners: fill plan->kernel/global/local/exec and info, or answer UNIMPLEMENTED. */
accel_status ocl_plan_gemm(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_gemm_clblast(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_conv2d(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_layernorm(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_softmax(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_eltwise(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_permute(ocl_plan *plan, accel_plugin_plan_info *info);
accel_status ocl_plan_attention(ocl_plan *plan, accel_plugin_plan_info *info);

/* Helpers shared by the planners (ocl_ops.c). */
/* Storage code used by the .cl files (0 f32, 1 f16, 2 bf16), or -1 with the error set. */
int ocl_storage_code(ocl_device *dev, accel_dtype t, const char *what);
/* Builds kernels/<file>.cl with options and creates the kernel. */
accel_status ocl_plan_kernel(ocl_plan *plan, const char *file, const char *options,
                             const char *kernel_name, const char **cache_state);
/* Runs the kernel once over one work-group with the arguments already set to an empty problem, so
 * drivers that compile per launch geometry (PoCL) do it now rather than inside a timed execute. */
accel_status ocl_plan_warm_up(ocl_plan *plan);
/* Binds (buffer, byte offset) as a cl_mem argument plus an element-offset argument. An absent
 * operand binds a dummy buffer. */
accel_status ocl_arg_ref(ocl_plan *plan, cl_uint index, accel_plugin_ref ref, size_t elem_size);
accel_status ocl_arg(ocl_plan *plan, cl_uint index, size_t size, const void *value);
accel_status ocl_plan_enqueue(ocl_plan *plan, ocl_stream *s);
/* Bytes per element of the storage types our kernels handle (0 for others). */
static inline size_t ocl_dtype_size(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32:
    case ACCEL_DTYPE_I32:
        return 4;
    case ACCEL_DTYPE_F16:
    case ACCEL_DTYPE_BF16:
        return 2;
    case ACCEL_DTYPE_F64:
        return 8;
    case ACCEL_DTYPE_I8:
    case ACCEL_DTYPE_F8_E4M3:
    case ACCEL_DTYPE_F8_E5M2:
        return 1;
    default:
        return 0;
    }
}
/* Largest power of two <= min(want, device and kernel limits). */
size_t ocl_pow2_group(ocl_device *dev, size_t want);

#endif
