/* GEMM through cuBLASLt, planned once: matmul descriptor, four layouts, the heuristic's best
 * algorithm for a 32 MiB workspace, all kept in the plan; execute is one cublasLtMatmul (plus our
 * erf-GELU kernel when asked for, since cuBLASLt's GELU epilogue is the tanh approximation).
 *
 * Row-major to column-major: a row-major X (ld) is the column-major X^T with the same ld, so
 * D = op(A) op(B) is computed as D^T = op(B)^T op(A)^T: cuBLASLt's "A" is our B, its "B" is our A,
 * m and n swap, and each operand keeps its own transpose flag. Bias (n values, one per column of
 * row-major D) is then one per row of column-major D^T, which is what CUBLASLT_EPILOGUE_BIAS adds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_ops.h"

const char *accel_cuda_lt_tile_name(int id);   /* generated from cublasLt.h */
const char *accel_cuda_lt_stages_name(int id); /* generated from cublasLt.h */

#define ACCEL_CUDA_LT_WORKSPACE (32u << 20)
#define ACCEL_CUDA_LT_ALIGNMENT 16u

typedef struct lt_plan {
    cublasLtMatmulDesc_t op;
    cublasLtMatrixLayout_t a, b, c, d; /* cuBLASLt's operands (a = our B, b = our A) */
    cublasLtMatmulAlgo_t algo;
    size_t workspace;
    int fused_bias;
    union {
        float f;
        double d;
        uint16_t h;
    } alpha, beta;
} lt_plan;

static accel_status lt_error(const accel_cuda_ctx *ctx, accel_status st, const char *what, cublasStatus_t s) {
    return ctx->host->set_error(st, "%s: %s (%d)", what, ctx->lt.cublasLtGetStatusName(s), (int)s);
}

static int lt_type(accel_dtype t, cudaDataType_t *out) {
    switch (t) {
    case ACCEL_DTYPE_F32: *out = CUDA_R_32F; return 1;
    case ACCEL_DTYPE_F16: *out = CUDA_R_16F; return 1;
    case ACCEL_DTYPE_BF16: *out = CUDA_R_16BF; return 1;
    case ACCEL_DTYPE_F64: *out = CUDA_R_64F; return 1;
    default: return 0;
    }
}

/* float -> IEEE half, round to nearest even (alpha/beta for fp16 accumulation). */
static uint16_t to_half(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const int32_t exp = (int32_t)((x >> 23) & 0xff) - 127 + 15;
    uint32_t mant = x & 0x7fffffu;
    if (((x >> 23) & 0xff) == 0xff) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0));
    if (exp >= 31) return (uint16_t)(sign | 0x7c00u);
    if (exp <= 0) {
        if (exp < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        const uint32_t shift = (uint32_t)(14 - exp);
        uint32_t h = mant >> shift;
        const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1))) ++h;
        return (uint16_t)(sign | h);
    }
    uint32_t h = sign | ((uint32_t)exp << 10) | (mant >> 13);
    const uint32_t rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h;
    return (uint16_t)h;
}

/* compute type + scale type for (storage, requested compute); 0 when cuBLASLt has no such mode. */
static int lt_compute(accel_dtype ab, accel_compute_type ct, cublasComputeType_t *compute, cudaDataType_t *scale) {
    *scale = CUDA_R_32F;
    switch (ab) {
    case ACCEL_DTYPE_F32:
        if (ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32) *compute = CUBLAS_COMPUTE_32F;
        else if (ct == ACCEL_COMPUTE_TF32) *compute = CUBLAS_COMPUTE_32F_FAST_TF32;
        else return 0;
        return 1;
    case ACCEL_DTYPE_F16:
        if (ct == ACCEL_COMPUTE_F16_ACC16) {
            *compute = CUBLAS_COMPUTE_16F;
            *scale = CUDA_R_16F;
            return 1;
        }
        if (ct != ACCEL_COMPUTE_DEFAULT && ct != ACCEL_COMPUTE_F16 && ct != ACCEL_COMPUTE_F32) return 0;
        *compute = CUBLAS_COMPUTE_32F; /* tensor cores, fp32 accumulation */
        return 1;
    case ACCEL_DTYPE_BF16:
        if (ct != ACCEL_COMPUTE_DEFAULT && ct != ACCEL_COMPUTE_BF16 && ct != ACCEL_COMPUTE_F32) return 0;
        *compute = CUBLAS_COMPUTE_32F;
        return 1;
    case ACCEL_DTYPE_F64:
        if (ct != ACCEL_COMPUTE_DEFAULT && ct != ACCEL_COMPUTE_F64) return 0;
        *compute = CUBLAS_COMPUTE_64F;
        *scale = CUDA_R_64F;
        return 1;
    default: return 0;
    }
}

static void lt_release(accel_cuda_plan *plan) {
    lt_plan *lp = plan->impl;
    if (!lp) return;
    const accel_cuda_cublaslt_table *lt = &plan->dev->ctx->lt;
    if (lp->a) lt->cublasLtMatrixLayoutDestroy(lp->a);
    if (lp->b) lt->cublasLtMatrixLayoutDestroy(lp->b);
    if (lp->c) lt->cublasLtMatrixLayoutDestroy(lp->c);
    if (lp->d) lt->cublasLtMatrixLayoutDestroy(lp->d);
    if (lp->op) lt->cublasLtMatmulDescDestroy(lp->op);
    free(lp);
    plan->impl = NULL;
}

static cublasStatus_t make_layout(const accel_cuda_ctx *ctx, cublasLtMatrixLayout_t *out, cudaDataType_t t,
                                  int64_t rows, int64_t cols, int64_t ld, int64_t batch, int64_t stride) {
    cublasStatus_t s = ctx->lt.cublasLtMatrixLayoutCreate(out, t, (uint64_t)rows, (uint64_t)cols, ld);
    if (s != CUBLAS_STATUS_SUCCESS || batch <= 1) return s;
    int32_t count = (int32_t)batch;
    s = ctx->lt.cublasLtMatrixLayoutSetAttribute(*out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = ctx->lt.cublasLtMatrixLayoutSetAttribute(*out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride,
                                                     sizeof stride);
    return s;
}

static accel_status exec_lt(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                            accel_plugin_ref workspace) {
    lt_plan *lp = plan->impl;
    accel_cuda_device *dev = plan->dev;
    accel_cuda_ctx *ctx = dev->ctx;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    const CUdeviceptr a = accel_cuda_ref_ptr(operands[0]), b = accel_cuda_ref_ptr(operands[1]);
    const CUdeviceptr d = accel_cuda_ref_ptr(operands[3]);
    const CUdeviceptr c = g->beta != 0.0 ? accel_cuda_ref_ptr(operands[2]) : d; /* not read when beta = 0 */
    const CUdeviceptr bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) ? accel_cuda_ref_ptr(operands[4]) : 0;
    if ((a | b | c | d) % ACCEL_CUDA_LT_ALIGNMENT)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "cublaslt plan: operand addresses must be %u-byte aligned (buffer offsets)",
                                    ACCEL_CUDA_LT_ALIGNMENT);
    if (lp->workspace && (!workspace.buffer || ((const accel_cuda_buffer *)workspace.buffer)->bytes - workspace.offset < lp->workspace))
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cublaslt plan needs a %zu-byte workspace", lp->workspace);
    if (lp->fused_bias) {
        /* Host-side descriptor update (no device work), so execute still only enqueues. */
        cublasStatus_t st = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
                                                                   sizeof bias);
        if (st != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_INTERNAL, "cublasLtMatmulDescSetAttribute", st);
    }
    cublasStatus_t st = ctx->lt.cublasLtMatmul(
        dev->lt_handle, lp->op, &lp->alpha, (const void *)(uintptr_t)b, lp->a, (const void *)(uintptr_t)a, lp->b,
        &lp->beta, (const void *)(uintptr_t)c, lp->c, (void *)(uintptr_t)d, lp->d, &lp->algo,
        lp->workspace ? (void *)(uintptr_t)accel_cuda_ref_ptr(workspace) : NULL, lp->workspace,
        (cudaStream_t)s->stream);
    if (st != CUBLAS_STATUS_SUCCESS) {
        const accel_status mapped = st == CUBLAS_STATUS_EXECUTION_FAILED ? ACCEL_ERR_DEVICE
                                    : st == CUBLAS_STATUS_NOT_SUPPORTED  ? ACCEL_ERR_UNIMPLEMENTED
                                                                         : ACCEL_ERR_INTERNAL;
        return lt_error(ctx, mapped, "cublasLtMatmul", st);
    }
    if (plan->epilogue_fn) return accel_cuda_run_gemm_epilogue(plan, s, d, lp->fused_bias ? 0 : bias);
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
    accel_gemm_desc g;
    accel_cuda_gemm_resolve(&plan->desc.u.gemm, &g);

    if (g.a_type == ACCEL_DTYPE_F8_E4M3 || g.a_type == ACCEL_DTYPE_F8_E5M2)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "fp8 GEMM (cuBLASLt e4m3 with scale pointers, sm_90) is not implemented yet");
    cudaDataType_t ta, tc, tbias;
    cublasComputeType_t compute;
    cudaDataType_t scale;
    if (g.b_type != g.a_type || !lt_type(g.a_type, &ta) || !lt_type(g.d_type, &tc) || g.c_type != g.d_type ||
        !lt_type(g.bias_type, &tbias) || !lt_compute(g.a_type, g.compute, &compute, &scale))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "cublaslt: A %d, B %d, C %d, D %d with compute %d is not a cuBLASLt mode this "
                                    "backend maps", (int)g.a_type, (int)g.b_type, (int)g.c_type, (int)g.d_type,
                                    (int)g.compute);
    if (compute == CUBLAS_COMPUTE_16F && g.d_type != ACCEL_DTYPE_F16)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cublaslt: fp16 accumulation needs an f16 output");
    if (g.epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "GEMM has no residual epilogue (use C with beta)");

    /* Which epilogue cuBLASLt fuses, and what our kernel does after it. */
    const uint32_t e = g.epilogue;
    const int has_bias = (e & ACCEL_EPILOGUE_BIAS) != 0;
    cublasLtEpilogue_t lt_epi = has_bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    int after_act = 0;
    if (e & ACCEL_EPILOGUE_RELU) lt_epi = has_bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
    else if (e & ACCEL_EPILOGUE_GELU_TANH) lt_epi = has_bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU;
    else if (e & ACCEL_EPILOGUE_GELU_ERF) after_act = 2; /* ACCEL_ACT_GELU_ERF: ours, after the fused bias */

    lt_plan *lp = calloc(1, sizeof *lp);
    if (!lp) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    plan->impl = lp;
    plan->release = lt_release;
    lp->fused_bias = has_bias;
    if (scale == CUDA_R_64F) {
        lp->alpha.d = g.alpha;
        lp->beta.d = g.beta;
    } else if (scale == CUDA_R_16F) {
        lp->alpha.h = to_half((float)g.alpha);
        lp->beta.h = to_half((float)g.beta);
    } else {
        lp->alpha.f = (float)g.alpha;
        lp->beta.f = (float)g.beta;
    }

    cublasStatus_t s = ctx->lt.cublasLtMatmulDescCreate(&lp->op, compute, scale);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_INTERNAL, "cublasLtMatmulDescCreate", s);
    const cublasOperation_t op_lt_a = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_lt_b = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    s = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_TRANSA, &op_lt_a, sizeof op_lt_a);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_TRANSB, &op_lt_b, sizeof op_lt_b);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &lt_epi, sizeof lt_epi);
    if (s == CUBLAS_STATUS_SUCCESS && has_bias && g.bias_type != g.d_type)
        s = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &tbias, sizeof tbias);
    if (s == CUBLAS_STATUS_SUCCESS && has_bias && g.batch > 1) {
        const int64_t sb = g.stride_bias;
        s = ctx->lt.cublasLtMatmulDescSetAttribute(lp->op, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &sb, sizeof sb);
    }
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulDescSetAttribute", s);

    /* Column-major shapes of the stored matrices. Our B (k x n, or n x k when trans_b) is
     * cuBLASLt's A: column-major n x k (or k x n). Our A likewise becomes cuBLASLt's B. */
    s = make_layout(ctx, &lp->a, ta, g.trans_b ? g.k : g.n, g.trans_b ? g.n : g.k, g.ldb, g.batch, g.stride_b);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = make_layout(ctx, &lp->b, ta, g.trans_a ? g.m : g.k, g.trans_a ? g.k : g.m, g.lda, g.batch, g.stride_a);
    if (s == CUBLAS_STATUS_SUCCESS) s = make_layout(ctx, &lp->c, tc, g.n, g.m, g.ldc, g.batch, g.stride_c);
    if (s == CUBLAS_STATUS_SUCCESS) s = make_layout(ctx, &lp->d, tc, g.n, g.m, g.ldd, g.batch, g.stride_d);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatrixLayoutCreate", s);

    cublasLtMatmulPreference_t pref = NULL;
    s = ctx->lt.cublasLtMatmulPreferenceCreate(&pref);
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
    s = ctx->lt.cublasLtMatmulAlgoGetHeuristic(dev->lt_handle, lp->op, lp->a, lp->b, lp->c, lp->d, pref, 1, &result,
                                               &returned);
    ctx->lt.cublasLtMatmulPreferenceDestroy(pref);
    if (s != CUBLAS_STATUS_SUCCESS) return lt_error(ctx, ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic", s);
    if (returned < 1 || result.state != CUBLAS_STATUS_SUCCESS)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cublasLtMatmulAlgoGetHeuristic: no algorithm for this GEMM");
    lp->algo = result.algo;
    lp->workspace = result.workspaceSize;

    if (after_act) {
        const char *sfx = accel_cuda_dtype_suffix(g.d_type, 0);
        if (!sfx) return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "erf-GELU epilogue on this output type");
        if (!ctx->nvrtc_ok)
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "erf-GELU after cuBLASLt needs our kernel, and NVRTC: %s", ctx->nvrtc_reason);
        char entry[32];
        snprintf(entry, sizeof entry, "accel_bias_act_%s", sfx);
        accel_status st = accel_cuda_builtin_function(dev, "epilogue.cu", entry, &plan->epilogue_fn);
        if (st != ACCEL_OK) return st;
        plan->act = after_act;
    }
    plan->execute = exec_lt;
    snprintf(info->library, sizeof info->library, "cublaslt");
    describe_algo(ctx, lp, after_act ? (has_bias ? " epilogue bias + gelu_erf(accel kernel)" : " + gelu_erf(accel kernel)") : "",
                  info->algorithm, sizeof info->algorithm);
    info->workspace_bytes = lp->workspace;
    return ACCEL_OK;
}
