/* Op plan dispatch: pick the library (cuBLASLt for GEMM by default, our kernels otherwise), build
 * the plan once, and only enqueue at execute. */
#include <stdlib.h>
#include <string.h>

#include "cuda_ops.h"

accel_status accel_cuda_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                       accel_plugin_plan_info *info) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;

    const char *lib = desc->library;
    const int want_lt = strcmp(lib, "cublaslt") == 0 || (!lib[0] && desc->kind == ACCEL_OP_GEMM && dev->lt_handle);
    const int want_ours = strcmp(lib, "accel") == 0 || (!lib[0] && !want_lt);
    if (!want_lt && !want_ours)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cuda has no op library '%s' (it has: cublaslt, accel)", lib);
    if (want_lt && desc->kind != ACCEL_OP_GEMM)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt runs GEMM only");
    if (want_lt && !dev->lt_handle)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt: %s",
                                    ctx->lt_ok ? "cublasLtCreate failed on this device" : ctx->lt_reason);
    if (want_ours && !ctx->nvrtc_ok)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library accel needs NVRTC: %s", ctx->nvrtc_reason);

    accel_cuda_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    plan->dev = dev;
    plan->desc = *desc;
    memset(info, 0, sizeof *info);
    st = want_lt ? accel_cuda_plan_gemm_cublaslt(plan, info) : accel_cuda_plan_accel(plan, info);
    if (st != ACCEL_OK) {
        if (plan->release) plan->release(plan);
        free(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void accel_cuda_op_plan_destroy(void *p) {
    accel_cuda_plan *plan = p;
    if (plan->release && accel_cuda_make_current(plan->dev) == ACCEL_OK) plan->release(plan);
    free(plan);
}

accel_status accel_cuda_op_plan_execute(void *p, void *s, const accel_plugin_ref *operands,
                                        size_t noperands, accel_plugin_ref workspace) {
    accel_cuda_plan *plan = p;
    accel_cuda_stream *stream = s;
    accel_status st = accel_cuda_make_current(stream->dev);
    if (st != ACCEL_OK) return st;
    /* Plans index every operand slot of their kind; an older host passes fewer (see plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++) all[i] = operands[i];
    return plan->execute(plan, stream, all, workspace);
}
