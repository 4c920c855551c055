/* Op plan dispatch: pick the library (cuBLASLt for GEMM and cuDNN for conv backward by default,
 * our kernels otherwise), build the plan once, and only enqueue at execute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_ops.h"

static int is_conv_backward(const accel_op_desc *desc) {
    return desc->kind == ACCEL_OP_CONV2D_BACKWARD_DATA || desc->kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS;
}

/* ACCEL_CUDA_CONV: "kernels" keeps conv backward on our kernels (for comparing with cuDNN),
 * "cudnn" makes cuDNN's absence an error instead of a fallback; unset or "auto" tries cuDNN and
 * falls back. Anything else is refused, so a typo does not silently measure the wrong library. */
static accel_status conv_policy(const accel_cuda_ctx *ctx, int *policy) {
    const char *v = getenv("ACCEL_CUDA_CONV");
    if (!v || !v[0] || strcmp(v, "auto") == 0) *policy = 0;
    else if (strcmp(v, "kernels") == 0) *policy = 1;
    else if (strcmp(v, "cudnn") == 0) *policy = 2;
    else
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "ACCEL_CUDA_CONV=%s: expected auto, kernels or cudnn", v);
    return ACCEL_OK;
}

/* Conv backward on the default path: cuDNN where it loads and takes the case, else our kernels
 * with the reason cuDNN was passed over in the algorithm string (and so in the CSV row). */
static accel_status plan_conv_backward_default(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    accel_cuda_ctx *ctx = plan->dev->ctx;
    int policy = 0;
    accel_status st = conv_policy(ctx, &policy);
    if (st != ACCEL_OK) return st;
    char why[224] = "ACCEL_CUDA_CONV=kernels";
    if (policy != 1) {
        st = accel_cuda_plan_conv_cudnn(plan, info, why, sizeof why);
        if (st == ACCEL_OK || policy == 2 || st == ACCEL_ERR_INVALID_ARGUMENT || st == ACCEL_ERR_OUT_OF_MEMORY)
            return st;
        if (plan->release) plan->release(plan);
        plan->release = NULL;
        plan->impl = NULL;
        memset(info, 0, sizeof *info);
    }
    if (!ctx->nvrtc_ok)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "conv backward: cuDNN not used (%s), and library accel "
                                    "needs NVRTC: %s", why, ctx->nvrtc_reason);
    st = accel_cuda_plan_accel(plan, info);
    if (st == ACCEL_OK) {
        const size_t used = strlen(info->algorithm);
        snprintf(info->algorithm + used, sizeof info->algorithm - used, " (cuDNN not used: %s)", why);
    }
    return st;
}

accel_status accel_cuda_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                       accel_plugin_plan_info *info) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;

    const char *lib = desc->library;
    const int want_lt = strcmp(lib, "cublaslt") == 0 || (!lib[0] && desc->kind == ACCEL_OP_GEMM && dev->lt_handle);
    const int want_dnn = strcmp(lib, "cudnn") == 0;
    const int conv_default = !lib[0] && is_conv_backward(desc);
    const int want_ours = strcmp(lib, "accel") == 0 || (!lib[0] && !want_lt && !conv_default);
    if (!want_lt && !want_ours && !want_dnn && !conv_default)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "cuda has no op library '%s' (it has: cublaslt, cudnn, accel)", lib);
    if (want_lt && desc->kind != ACCEL_OP_GEMM)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt runs GEMM only");
    if (want_lt && !dev->lt_handle)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library cublaslt: %s",
                                    ctx->lt_ok ? "cublasLtCreate failed on this device" : ctx->lt_reason);
    if (want_ours && !ctx->nvrtc_ok)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "library accel needs NVRTC: %s", ctx->nvrtc_reason);

    char why[224];
    accel_cuda_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    plan->dev = dev;
    plan->desc = *desc;
    memset(info, 0, sizeof *info);
    st = want_lt          ? accel_cuda_plan_gemm_cublaslt(plan, info)
         : want_dnn       ? accel_cuda_plan_conv_cudnn(plan, info, why, sizeof why)
         : conv_default   ? plan_conv_backward_default(plan, info)
                          : accel_cuda_plan_accel(plan, info);
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
