/* Op plan slots: GEMM to its library choice (hip_op_gemm.c), every other op to our kernels. */
#define _POSIX_C_SOURCE 200809L
#include "hip_ops.h"

#include <stdlib.h>
#include <string.h>

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
    if (st == ACCEL_OK && desc->kind != ACCEL_OP_GEMM && desc->library[0] && strcmp(desc->library, "accel") != 0)
        st = dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                       "hip: library '%s' is not available for this op (only accel; the BLAS "
                                       "libraries run GEMM)", desc->library);
    else if (st == ACCEL_OK)
        st = desc->kind == ACCEL_OP_GEMM ? hip_plan_gemm(plan, info) : hip_plan_accel(plan, info);
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
    /* Plans index every operand slot of their kind; an older host passes fewer (plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++)
        all[i] = operands[i];
    return plan->desc.kind == ACCEL_OP_GEMM ? hip_exec_gemm(plan, stream, all, workspace)
                                            : hip_recipe_launch(plan, stream, all, workspace);
}
