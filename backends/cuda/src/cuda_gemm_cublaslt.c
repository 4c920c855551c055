/* GEMM through cuBLASLt, planned once: the descriptors of cuda_lt_desc.c (row-major mapping,
 * epilogue split), then the heuristic's best algorithms for a 32 MiB workspace, all kept in the
 * plan; execute is one cublasLtMatmul, plus our erf-GELU kernel when asked for, since cuBLASLt's
 * GELU epilogue is the tanh approximation.
 *
 * The heuristic ranks algorithms that fit the descriptors, but one may still fail to run (a kernel
 * image this driver cannot load, a launch failure). So the plan keeps up to ACCEL_CUDA_LT_ALGOS
 * of them, sizes the workspace for the largest, and an execute whose algorithm fails moves to the
 * next one for good; the plan's algorithm string then says which runs and why the others did not.
 *
 * The bias and scale pointers live in the shared matmul descriptor and are rewritten at each
 * execute, and the fallback moves the plan's current algorithm: safe because the host never runs
 * two executes of one plan at once (plugin.h), and cublasLtMatmul reads the descriptor while
 * enqueuing, not later. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_lt_desc.h"
#include "cuda_ops.h"

const char *accel_cuda_lt_tile_name(int id);   /* generated from cublasLt.h */
const char *accel_cuda_lt_stages_name(int id); /* generated from cublasLt.h */

#define ACCEL_CUDA_LT_WORKSPACE (32u << 20)
#define ACCEL_CUDA_LT_ALIGNMENT 16u
#define ACCEL_CUDA_LT_ALGOS 8

typedef struct lt_plan {
    accel_cuda_lt_desc desc;
    cublasLtMatmulAlgo_t algos[ACCEL_CUDA_LT_ALGOS]; /* heuristic order */
    size_t algo_workspace[ACCEL_CUDA_LT_ALGOS];
    int nalgos;
    int current;          /* the algorithm executes use; earlier ones failed to run */
    size_t workspace;     /* the largest any kept algorithm needs: what the caller provides */
    char extra[128];      /* epilogue/fp8 remarks for the algorithm string */
    char failed[160];     /* "algo 21: CUBLAS_STATUS_EXECUTION_FAILED; ..." */
    accel_plugin_plan_info *info; /* the host's, valid until destroy: updated when current moves */
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

static void describe_algo(const accel_cuda_ctx *ctx, const lt_plan *lp, char *out, size_t len);

static int algo_id(const accel_cuda_ctx *ctx, const cublasLtMatmulAlgo_t *algo) {
    int id = -1;
    size_t w = 0;
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(algo, CUBLASLT_ALGO_CONFIG_ID, &id, sizeof id, &w);
    return id;
}

/* cublasLtMatmul with the current algorithm, moving on to the next kept one while it fails to run. */
static cublasStatus_t matmul_with_fallback(lt_plan *lp, accel_cuda_device *dev, const void *a, const void *b,
                                           const void *c, void *d, void *ws, cudaStream_t stream) {
    accel_cuda_ctx *ctx = dev->ctx;
    const accel_cuda_lt_desc *ld = &lp->desc;
    cublasStatus_t first = CUBLAS_STATUS_SUCCESS;
    for (;;) {
        const int i = lp->current;
        cublasStatus_t st = ctx->lt.cublasLtMatmul(dev->lt_handle, ld->op, &ld->alpha, a, ld->a, b, ld->b, &ld->beta, c,
                                                   ld->c, d, ld->d, &lp->algos[i], lp->algo_workspace[i] ? ws : NULL,
                                                   lp->algo_workspace[i], stream);
        if (st == CUBLAS_STATUS_SUCCESS || st == CUBLAS_STATUS_INVALID_VALUE) return st; /* INVALID_VALUE: ours */
        if (first == CUBLAS_STATUS_SUCCESS) first = st;
        char one[64];
        snprintf(one, sizeof one, "%salgo %d: %s", lp->failed[0] ? "; " : "", algo_id(ctx, &lp->algos[i]),
                 ctx->lt.cublasLtGetStatusName(st));
        if (strlen(lp->failed) + strlen(one) < sizeof lp->failed) strcat(lp->failed, one);
        if (i + 1 >= lp->nalgos) return first; /* stays on the last: a later execute reports the same */
        lp->current = i + 1;
        describe_algo(ctx, lp, lp->info->algorithm, sizeof lp->info->algorithm);
        char msg[320];
        snprintf(msg, sizeof msg, "cublaslt: %s; now %s", lp->failed, lp->info->algorithm);
        if (ctx->host->log) ctx->host->log(ACCEL_LOG_WARN, "cuda", msg);
    }
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
    cublasStatus_t st = CUBLAS_STATUS_SUCCESS;
    if (ld->fused_bias || ld->fp8)
        st = accel_cuda_lt_bind(&ctx->lt, ld, bias, accel_cuda_ref_ptr(operands[5]), accel_cuda_ref_ptr(operands[6]));
    if (st != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_INTERNAL, "cublasLtMatmulDescSetAttribute", st);
    st = matmul_with_fallback(lp, dev, (const void *)(uintptr_t)a, (const void *)(uintptr_t)b,
                              (const void *)(uintptr_t)c, (void *)(uintptr_t)d,
                              lp->workspace ? (void *)(uintptr_t)accel_cuda_ref_ptr(workspace) : NULL,
                              (cudaStream_t)s->stream);
    if (st != CUBLAS_STATUS_SUCCESS) {
        const accel_status mapped = st == CUBLAS_STATUS_EXECUTION_FAILED ? ACCEL_ERR_DEVICE
                                    : st == CUBLAS_STATUS_NOT_SUPPORTED  ? ACCEL_ERR_UNIMPLEMENTED
                                                                         : ACCEL_ERR_INTERNAL;
        if (lp->failed[0])
            return ctx->host->set_error(mapped, "cublasLtMatmul: every algorithm the heuristic offered failed (%s)",
                                        lp->failed);
        return lt_error(ctx, mapped, "cublasLtMatmul", st);
    }
    if (plan->recipe.nlaunches) return accel_cuda_recipe_launch(plan, s, operands, workspace);
    return ACCEL_OK;
}

/* "algo 21 tile 256x128 stages 64x4 splitk 1 ws 4194304 (2nd of 8 offered; algo 6:
 * CUBLAS_STATUS_EXECUTION_FAILED)": the algorithm executes use, and why earlier ones were left. */
static void describe_algo(const accel_cuda_ctx *ctx, const lt_plan *lp, char *out, size_t len) {
    const cublasLtMatmulAlgo_t *algo = &lp->algos[lp->current];
    int tile = 0, stages = 0, splitk = 1;
    size_t w = 0;
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &tile, sizeof tile, &w);
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(algo, CUBLASLT_ALGO_CONFIG_STAGES_ID, &stages, sizeof stages, &w);
    ctx->lt.cublasLtMatmulAlgoConfigGetAttribute(algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &splitk, sizeof splitk, &w);
    char rank[200] = "";
    if (lp->current > 0)
        snprintf(rank, sizeof rank, " (choice %d of %d offered; %s)", lp->current + 1, lp->nalgos, lp->failed);
    snprintf(out, len, "algo %d tile %s stages %s splitk %d ws %zu%s%s", algo_id(ctx, algo), accel_cuda_lt_tile_name(tile),
             accel_cuda_lt_stages_name(stages), splitk, lp->algo_workspace[lp->current], lp->extra, rank);
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
    lp->info = info;
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
    cublasLtMatmulHeuristicResult_t results[ACCEL_CUDA_LT_ALGOS];
    memset(results, 0, sizeof results);
    int returned = 0;
    s = ctx->lt.cublasLtMatmulAlgoGetHeuristic(dev->lt_handle, ld->op, ld->a, ld->b, ld->c, ld->d, pref,
                                               ACCEL_CUDA_LT_ALGOS, results, &returned);
    ctx->lt.cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic", s);
    for (int i = 0; i < returned && i < ACCEL_CUDA_LT_ALGOS; ++i) {
        if (results[i].state != CUBLAS_STATUS_SUCCESS) continue;
        lp->algos[lp->nalgos] = results[i].algo;
        lp->algo_workspace[lp->nalgos++] = results[i].workspaceSize;
        if (results[i].workspaceSize > lp->workspace) lp->workspace = results[i].workspaceSize;
    }
    if (lp->nalgos < 1)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic: no algorithm for this GEMM");

    if (ld->after_act) {
        /* our epilogue kernel over D afterwards, adding the bias the library did not fuse */
        if (!ctx->nvrtc_ok)
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "erf-GELU after cuBLASLt needs our kernel, and NVRTC: %s", ctx->nvrtc_reason);
        const accel_gemm_desc *g = &plan->desc.u.gemm;
        const accel_cu_target t = accel_cuda_cu_target(dev);
        st = accel_cu_plan_gemm_epilogue(g, ld->after_act, (g->epilogue & ACCEL_EPILOGUE_BIAS) && !ld->fused_bias, &t,
                                         &plan->recipe, why, sizeof why);
        if (st != ACCEL_OK) return ctx->host->set_error(st, "%s", why);
        st = accel_cuda_recipe_load(plan);
        if (st != ACCEL_OK) return st;
    }
    plan->execute = exec_lt;
    snprintf(info->library, sizeof info->library, "cublaslt");
    const char *extra = ld->after_act ? (ld->fused_bias ? " epilogue bias, then gelu_erf (accel kernel)"
                                                        : " then gelu_erf (accel kernel)")
                                      : "";
    /* the accumulation mode decides fp8 accuracy and speed: say which */
    snprintf(lp->extra, sizeof lp->extra, "%s%s", ld->fp8 ? " fp8 TN, fp32 accumulate (fast accum off)" : "", extra);
    describe_algo(ctx, lp, info->algorithm, sizeof info->algorithm);
    info->workspace_bytes = lp->workspace;
    return ACCEL_OK;
}
