/* Op plan slots: dispatch by kind to the GEMM planner or the shared-kernel planner. */
#define _POSIX_C_SOURCE 200809L
#include "hip_ops.h"

#include <stdlib.h>
#include <string.h>

const char *hip_dtype_suffix(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return "f32";
    case ACCEL_DTYPE_F16: return "f16";
    case ACCEL_DTYPE_BF16: return "bf16";
    case ACCEL_DTYPE_F64: return "f64";
    default: return NULL;
    }
}

uint32_t hip_stride_grid(int64_t count) {
    int64_t groups = (count + 255) / 256;
    /* The kernels loop over the remainder; enough groups to fill an MI300X many times over. */
    return (uint32_t)(groups < 65535 ? (groups > 0 ? groups : 1) : 65535);
}

accel_status hip_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                accel_plugin_plan_info *info) {
    hip_device *dev = p;
    hip_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return dev->ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    plan->dev = dev;
    plan->desc = *desc;
    info->workspace_bytes = 0;
    accel_status st = hip_device_bind(dev);
    if (st == ACCEL_OK)
        st = desc->kind == ACCEL_OP_GEMM ? hip_plan_gemm(plan, info) : hip_plan_kernel_op(plan, info);
    if (st != ACCEL_OK) {
        hip_plan_gemm_release(plan);
        free(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void hip_op_plan_destroy(void *p) {
    hip_plan *plan = p;
    hip_plan_gemm_release(plan);
    free(plan);
}

accel_status hip_op_plan_execute(void *p, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace) {
    hip_plan *plan = p;
    (void)noperands;
    return plan->desc.kind == ACCEL_OP_GEMM ? hip_exec_gemm(plan, stream, operands, workspace)
                                            : hip_exec_kernel_op(plan, stream, operands);
}
