/* Row-major to column-major: a row-major X (ld) is the column-major X^T with the same ld, so
 * D = op(A) op(B) is computed as D^T = op(B)^T op(A)^T: cuBLASLt's "A" is our B, its "B" is our A,
 * m and n swap, and each operand keeps its own transpose flag. Bias (n values, one per column of
 * row-major D) is then one per row of column-major D^T, which is what CUBLASLT_EPILOGUE_BIAS adds. */
#include "cuda_lt_desc.h"

#include <stdio.h>
#include <string.h>

uint16_t accel_cuda_float_to_half(float f) {
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
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) ++h; /* a carry into the exponent is right */
    return (uint16_t)h;
}

static int lt_type(accel_dtype t, cudaDataType_t *out) {
    switch (t) {
    case ACCEL_DTYPE_F32: *out = CUDA_R_32F; return 1;
    case ACCEL_DTYPE_F16: *out = CUDA_R_16F; return 1;
    case ACCEL_DTYPE_BF16: *out = CUDA_R_16BF; return 1;
    case ACCEL_DTYPE_F64: *out = CUDA_R_64F; return 1;
    case ACCEL_DTYPE_F8_E4M3: *out = CUDA_R_8F_E4M3; return 1;
    case ACCEL_DTYPE_F8_E5M2: *out = CUDA_R_8F_E5M2; return 1;
    default: return 0;
    }
}

/* cuBLASLt's fp8 rules (cublasLtMatmul, "FP8"), checked here so a refusal names the rule rather
 * than a heuristic's NOT_SUPPORTED. The HAL has already made both inputs fp8 and D a wide float. */
static int fp8_refusal(const accel_gemm_desc *g, char *why, size_t len) {
    if (g->a_type == ACCEL_DTYPE_F8_E5M2 && g->b_type == ACCEL_DTYPE_F8_E5M2)
        return snprintf(why, len, "cublaslt fp8: e5m2 x e5m2 has no kernels (one input must be e4m3)"), 1;
    if (g->trans_a || !g->trans_b)
        return snprintf(why, len, "cublaslt fp8 runs the TN layout only: in row-major terms A stored m x k "
                                  "(trans_a 0) and B stored n x k (trans_b 1); got trans_a %d trans_b %d",
                        g->trans_a, g->trans_b), 1;
    if (g->c_type != g->d_type)
        return snprintf(why, len, "cublaslt fp8: C must have D's type"), 1;
    const accel_dtype want_bias = g->d_type == ACCEL_DTYPE_F16 ? ACCEL_DTYPE_F16 : ACCEL_DTYPE_BF16;
    if ((g->epilogue & ACCEL_EPILOGUE_BIAS) && g->bias_type != want_bias)
        return snprintf(why, len, "cublaslt fp8 with %s output takes a %s bias (bias_type)",
                        g->d_type == ACCEL_DTYPE_F32 ? "f32" : g->d_type == ACCEL_DTYPE_F16 ? "f16" : "bf16",
                        want_bias == ACCEL_DTYPE_F16 ? "f16" : "bf16"), 1;
    if (g->lda % 16 || g->ldb % 16) /* 16-byte aligned columns, as its tensor-core kernels load them */
        return snprintf(why, len, "cublaslt fp8 needs lda and ldb in multiples of 16 elements (got %lld, %lld)",
                        (long long)g->lda, (long long)g->ldb), 1;
    return 0;
}

/* compute + scale type for (storage, requested compute); 0 when cuBLASLt has no such mode. */
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

static cublasStatus_t make_layout(const accel_cuda_cublaslt_table *lt, cublasLtMatrixLayout_t *out, cudaDataType_t t,
                                  int64_t rows, int64_t cols, int64_t ld, int64_t batch, int64_t stride) {
    cublasStatus_t s = lt->cublasLtMatrixLayoutCreate(out, t, (uint64_t)rows, (uint64_t)cols, ld);
    if (s != CUBLAS_STATUS_SUCCESS || batch <= 1) return s;
    const int32_t count = (int32_t)batch;
    s = lt->cublasLtMatrixLayoutSetAttribute(*out, CUBLASLT_MATRIX_LAYOUT_BATCH_COUNT, &count, sizeof count);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = lt->cublasLtMatrixLayoutSetAttribute(*out, CUBLASLT_MATRIX_LAYOUT_STRIDED_BATCH_OFFSET, &stride, sizeof stride);
    return s;
}

void accel_cuda_lt_desc_release(const accel_cuda_cublaslt_table *lt, accel_cuda_lt_desc *d) {
    if (d->a) lt->cublasLtMatrixLayoutDestroy(d->a);
    if (d->b) lt->cublasLtMatrixLayoutDestroy(d->b);
    if (d->c) lt->cublasLtMatrixLayoutDestroy(d->c);
    if (d->d) lt->cublasLtMatrixLayoutDestroy(d->d);
    if (d->op) lt->cublasLtMatmulDescDestroy(d->op);
    memset(d, 0, sizeof *d);
}

static accel_status fail(const accel_cuda_cublaslt_table *lt, accel_cuda_lt_desc *d, accel_status st, char *why,
                         size_t len, const char *what, cublasStatus_t s) {
    snprintf(why, len, "%s: %s (%d)", what, lt->cublasLtGetStatusName(s), (int)s);
    accel_cuda_lt_desc_release(lt, d);
    return st;
}

accel_status accel_cuda_lt_describe(const accel_cuda_cublaslt_table *lt, const accel_gemm_desc *desc,
                                    accel_cuda_lt_desc *out, char *why, size_t why_len) {
    memset(out, 0, sizeof *out);
    const accel_gemm_desc g = accel_gemm_resolved(desc);
    cudaDataType_t ta = CUDA_R_32F, tb = CUDA_R_32F, tc = CUDA_R_32F, tbias = CUDA_R_32F;
    cublasComputeType_t compute;
    out->fp8 = accel_dtype_is_fp8(g.a_type);
    if (out->fp8) {
        if (fp8_refusal(&g, why, why_len)) return ACCEL_ERR_UNIMPLEMENTED;
        compute = CUBLAS_COMPUTE_32F; /* fp32 accumulation, fp32 alpha/beta */
        out->scale_type = CUDA_R_32F;
        lt_type(g.a_type, &ta);
        lt_type(g.b_type, &tb);
        lt_type(g.d_type, &tc);
        lt_type(g.bias_type, &tbias);
    } else if (g.b_type != g.a_type || !lt_type(g.a_type, &ta) || !lt_type(g.d_type, &tc) || g.c_type != g.d_type ||
               !lt_type(g.bias_type, &tbias) || !lt_compute(g.a_type, g.compute, &compute, &out->scale_type)) {
        snprintf(why, why_len, "cublaslt: A %d, B %d, C %d, D %d with compute %d is not a cuBLASLt mode this backend maps",
                 (int)g.a_type, (int)g.b_type, (int)g.c_type, (int)g.d_type, (int)g.compute);
        return ACCEL_ERR_UNIMPLEMENTED;
    } else {
        tb = ta;
    }
    if (compute == CUBLAS_COMPUTE_16F && g.d_type != ACCEL_DTYPE_F16) {
        snprintf(why, why_len, "cublaslt: fp16 accumulation needs an f16 output");
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    if (g.epilogue & ACCEL_EPILOGUE_RESIDUAL) {
        snprintf(why, why_len, "GEMM has no residual epilogue (use C with beta)");
        return ACCEL_ERR_UNIMPLEMENTED;
    }

    /* What cuBLASLt fuses, and what our kernel does after it: cuBLASLt's GELU is the tanh form. */
    const uint32_t e = g.epilogue;
    const int has_bias = (e & ACCEL_EPILOGUE_BIAS) != 0;
    cublasLtEpilogue_t epi = has_bias ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_DEFAULT;
    if (e & ACCEL_EPILOGUE_RELU) epi = has_bias ? CUBLASLT_EPILOGUE_RELU_BIAS : CUBLASLT_EPILOGUE_RELU;
    else if (e & ACCEL_EPILOGUE_GELU_TANH) epi = has_bias ? CUBLASLT_EPILOGUE_GELU_BIAS : CUBLASLT_EPILOGUE_GELU;
    else if (e & ACCEL_EPILOGUE_GELU_ERF) out->after_act = 2; /* ACCEL_ACT_GELU_ERF */
    out->fused_bias = has_bias;
    out->a_operand = 1;
    out->b_operand = 0;
    if (out->scale_type == CUDA_R_64F) {
        out->alpha.d = g.alpha;
        out->beta.d = g.beta;
    } else if (out->scale_type == CUDA_R_16F) {
        out->alpha.h = accel_cuda_float_to_half((float)g.alpha);
        out->beta.h = accel_cuda_float_to_half((float)g.beta);
    } else {
        out->alpha.f = (float)g.alpha;
        out->beta.f = (float)g.beta;
    }

    cublasStatus_t s = lt->cublasLtMatmulDescCreate(&out->op, compute, out->scale_type);
    if (s != CUBLAS_STATUS_SUCCESS) return fail(lt, out, ACCEL_ERR_INTERNAL, why, why_len, "cublasLtMatmulDescCreate", s);
    const cublasOperation_t op_a = g.trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t op_b = g.trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
    s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_TRANSA, &op_a, sizeof op_a);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_TRANSB, &op_b, sizeof op_b);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi);
    if (s == CUBLAS_STATUS_SUCCESS && out->fp8) {
        /* Hopper's fp8 MMA accumulates in reduced precision; "fast accum" never promotes it to fp32.
         * Off (the default, set anyway) is what a verified benchmark row needs. */
        const int8_t fast = 0;
        s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_FAST_ACCUM, &fast, sizeof fast);
    }
    if (s == CUBLAS_STATUS_SUCCESS && has_bias && g.bias_type != g.d_type)
        s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &tbias, sizeof tbias);
    if (s == CUBLAS_STATUS_SUCCESS && has_bias && g.batch > 1) {
        const int64_t sb = g.stride_bias;
        s = lt->cublasLtMatmulDescSetAttribute(out->op, CUBLASLT_MATMUL_DESC_BIAS_BATCH_STRIDE, &sb, sizeof sb);
    }
    if (s != CUBLAS_STATUS_SUCCESS)
        return fail(lt, out, ACCEL_ERR_UNIMPLEMENTED, why, why_len, "cublasLtMatmulDescSetAttribute", s);

    /* Column-major shapes of the stored matrices: our B (k x n, or n x k when trans_b) read
     * column-major is n x k (or k x n); likewise our A is k x m (or m x k). */
    s = make_layout(lt, &out->a, tb, g.trans_b ? g.k : g.n, g.trans_b ? g.n : g.k, g.ldb, g.batch, g.stride_b);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = make_layout(lt, &out->b, ta, g.trans_a ? g.m : g.k, g.trans_a ? g.k : g.m, g.lda, g.batch, g.stride_a);
    if (s == CUBLAS_STATUS_SUCCESS) s = make_layout(lt, &out->c, tc, g.n, g.m, g.ldc, g.batch, g.stride_c);
    if (s == CUBLAS_STATUS_SUCCESS) s = make_layout(lt, &out->d, tc, g.n, g.m, g.ldd, g.batch, g.stride_d);
    if (s != CUBLAS_STATUS_SUCCESS)
        return fail(lt, out, ACCEL_ERR_UNIMPLEMENTED, why, why_len, "cublasLtMatrixLayoutCreate", s);
    return ACCEL_OK;
}

cublasStatus_t accel_cuda_lt_bind(const accel_cuda_cublaslt_table *lt, const accel_cuda_lt_desc *d,
                                  CUdeviceptr bias, CUdeviceptr a_scale, CUdeviceptr b_scale) {
    cublasStatus_t s = CUBLAS_STATUS_SUCCESS;
    if (d->fused_bias)
        s = lt->cublasLtMatmulDescSetAttribute(d->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof bias);
    if (s != CUBLAS_STATUS_SUCCESS || !d->fp8) return s;
    /* written every time: a NULL from this execute must replace the previous execute's pointer */
    const void *lt_a_scale = (const void *)(uintptr_t)(d->a_operand == 0 ? a_scale : b_scale);
    const void *lt_b_scale = (const void *)(uintptr_t)(d->b_operand == 0 ? a_scale : b_scale);
    s = lt->cublasLtMatmulDescSetAttribute(d->op, CUBLASLT_MATMUL_DESC_A_SCALE_POINTER, &lt_a_scale, sizeof lt_a_scale);
    if (s == CUBLAS_STATUS_SUCCESS)
        s = lt->cublasLtMatmulDescSetAttribute(d->op, CUBLASLT_MATMUL_DESC_B_SCALE_POINTER, &lt_b_scale,
                                               sizeof lt_b_scale);
    return s;
}
