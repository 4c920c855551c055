/* GEMM through cuBLASLt, planned once: the descriptors of cuda_lt_desc.c (row-major mapping,
 * epilogue split), then the heuristic's best algorithm for a 32 MiB workspace, all kept in the
 * plan; execute is one cublasLtMatmul, plus our erf-GELU kernel when asked for, since cuBLASLt's
 * GELU epilogue is the tanh approximation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_lt_desc.h"
#include "cuda_ops.h"

const char *accel_cuda_lt_tile_name(int id);   /* generated from cublasLt.h */
const char *accel_cuda_lt_stages_name(int id); /* generated from cublasLt.h */

#define ACCEL_CUDA_LT_WORKSPACE (32u << 20)
#define ACCEL_CUDA_LT_ALIGNMENT 16u

typedef struct lt_plan {
    accel_cuda_lt_desc desc;
    cublasLtMatmulAlgo_t algo;
    size_t workspace;
} lt_plan;

static accel_status lt_error(const accel_cuda_ctx *ctx, accel_status st, const char *what, cublasStatus_t s) {
    return ctx->host->set_error(st, "%s: %s (%d)", what, ctx->lt.cublasLtGetStatusName(s), (int)s);
}

static void lt_release(accel_cuda_plan *plan) {
    lt_plan *lp = plan->impl;
    if (!lp) return;
    accel_cuda_lt_desc_release(&plan->dev->ctx->lt, &lp->desc);
    free(lp);
    plan->impl = NULL;
}

static accel_status exec_lt(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                            accel_plugin_ref workspace) {
    lt_plan *lp = plan->impl;
    const accel_cuda_lt_desc *ld = &lp->desc;
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    const CUdeviceptr a = accel_cuda_ref_ptr(operands[ld->a_operand]), b = accel_cuda_ref_ptr(operands[ld->b_operand]);
    const CUdeviceptr d = accel_cuda_ref_ptr(operands[3]);
    const CUdeviceptr c = g->beta != 0.0 ? accel_cuda_ref_ptr(operands[2]) : d; /* not read when beta = 0 */
    const CUdeviceptr bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) ? accel_cuda_ref_ptr(operands[4]) : 0;
    if ((a | b | c | d) % ACCEL_CUDA_LT_ALIGNMENT)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "cublaslt plan: operand addresses must be %u-byte aligned (buffer offsets)",
                                    ACCEL_CUDA_LT_ALIGNMENT);
    if (lp->workspace && !workspace.buffer)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cublaslt plan needs a %zu-byte workspace", lp->workspace);
    if (ld->fused_bias || ld->fp8) {
        cublasStatus_t st = accel_cuda_lt_bind(&ctx->lt, ld, bias, accel_cuda_ref_ptr(operands[5]),
                                               accel_cuda_ref_ptr(operands[6]));
        if (st != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_INTERNAL, "cublasLtMatmulDescSetAttribute", st);
    }
    cublasStatus_t st = ctx->lt.cublasLtMatmul(
        dev->lt_handle, ld->op, &ld->alpha, (const void *)(uintptr_t)a, ld->a, (const void *)(uintptr_t)b, ld->b,
        &ld->beta, (const void *)(uintptr_t)c, ld->c, (void *)(uintptr_t)d, ld->d, &lp->algo,
        lp->workspace ? (void *)(uintptr_t)accel_cuda_ref_ptr(workspace) : NULL, lp->workspace,
        (cudaStream_t)s->stream);
    if (st != CUBLAS_STATUS_SUCCESS) {
        const accel_status mapped = st == CUBLAS_STATUS_EXECUTION_FAILED ? ACCEL_ERR_DEVICE
                                    : st == CUBLAS_STATUS_NOT_SUPPORTED  ? ACCEL_ERR_UNIMPLEMENTED
                                                                         : ACCEL_ERR_INTERNAL;
        return lt_error(ctx, mapped, "cublasLtMatmul", st);
    }
    if (plan->epilogue_fn) return accel_cuda_run_gemm_epilogue(plan, s, d, ld->fused_bias ? 0 : bias);
    return ACCEL_OK;
}

static void describe_algo(const accel_cuda_ctx *ctx, const lt_plan *lp, const char *extra, char *out, size_t len) {
    int id = -1, tile = 0, stages = 0, splitk = 1;
    size_t w = 0;
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(&lp->algo, CUBLASLT_ALGO_CONFIG_ID, &id, sizeof id, &w);
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(&lp->algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile, &w);
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(&lp->algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages, sizeof stages, &w);
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(&lp->algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk, sizeof splitk, &w);
    snprintf(out, len, "algo %d tile %s stages %s splitk %d ws %zu%s", id, accel_cuda_lt_tile_name(tile),
             accel_cuda_lt_stages_name(stages), splitk, lp->workspace, extra);
}

accel_status accel_cuda_plan_gemm_cublaslt(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    lt_plan *lp = calloc(1, sizeof *lp);
    if (!lp) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    if (accel_dtype_is_fp8(plan->desc.u.gemm.a_type) && dev->sm < 89) {
        free(lp);
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cublaslt fp8 needs fp8 tensor cores (sm_89 or newer); "
                                    "this device is sm_%d", dev->sm);
    }
    char why[256];
    accel_status st = accel_cuda_lt_describe(&ctx->lt, &plan->desc.u.gemm, &lp->desc, why, sizeof why);
    if (st != ACCEL_OK) {
        free(lp);
        return ctx->host->set_error(st, "%s", why);
    }
    plan->impl = lp;
    plan->release = lt_release;
    accel_cuda_lt_desc *ld = &lp->desc;

    cublasLtMatmulPreference_t pref = NULL;
    cublasStatus_t s = ctx->lt.cublasLtMatmulPreferenceCreate(&pref);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_INTERNAL, "cublasLtMatmulPreferenceCreate", s);
    const uint64_t max_ws = ACCEL_CUDA_LT_WORKSPACE;
    const uint32_t align = ACCEL_CUDA_LT_ALIGNMENT;
    ctx->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &max_ws, sizeof max_ws);
    /* Operands may sit at any 16-byte-aligned offset inside a buffer (execute checks it). */
    ctx->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &align, sizeof align);
    ctx->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &align, sizeof align);
    ctx->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &align, sizeof align);
    ctx->lt.cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &align, sizeof align);
    cublasLtMatmulHeuristicResult_t result;
    memset(&result, 0, sizeof result);
    int returned = 0;
    s = ctx->lt.cublasLtMatmulAlgoGetHeuristic(dev->lt_handle, ld->op, ld->a, ld->b, ld->c, ld->d, pref, 1, &result,
                                               &returned);
    ctx->lt.cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic", s);
    if (returned < 1 || result.state != CUBLAS_STATUS_SUCCESS)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic: no algorithm for this GEMM");
    lp->algo = result.algo;
    lp->workspace = result.workspaceSize;

    if (ld->after_act) {
        const char *sfx = accel_cuda_dtype_suffix(plan->desc.u.gemm.d_type, 0);
        if (!sfx) return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "erf-GELU epilogue on this output type");
        if (!ctx->nvrtc_ok)
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "erf-GELU after cuBLASLt needs our kernel, and NVRTC: %s", ctx->nvrtc_reason);
        char entry[32];
        snprintf(entry, sizeof entry, "accel_bias_act_%s", sfx);
        st = accel_cuda_builtin_function(dev, "epilogue.cu", entry, &plan->epilogue_fn);
        if (st != ACCEL_OK) return st;
        plan->act = ld->after_act;
    }
    plan->execute = exec_lt;
    snprintf(info->library, sizeof info->library, "cublaslt");
    const char *extra = ld->after_act ? (ld->fused_bias ? " epilogue bias, then gelu_erf (accel kernel)"
                                                        : " then gelu_erf (accel kernel)")
                                      : "";
    char fp8_extra[96];
    if (ld->fp8) { /* the accumulation mode decides fp8 accuracy and speed: say which */
        snprintf(fp8_extra, sizeof fp8_extra, " fp8 TN, fp32 accumulate (fast accum off)%s", extra);
        extra = fp8_extra;
    }
    describe_algo(ctx, lp, extra, info->algorithm, sizeof info->algorithm);
    info->workspace_bytes = lp->workspace;
    return ACCEL_OK;
}
