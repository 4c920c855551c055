/* GEMM: rocBLAS (row-major by the operand swap) with our bias/activation epilogue kernel, or the
 * shared tiled GEMM kernel (library "accel"). */
#define _POSIX_C_SOURCE 200809L
#include "hip_ops.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The compute type our kernels and rocBLAS give for this storage type, or -1. */
static accel_compute_type effective_compute(const accel_gemm_desc *g) {
    accel_compute_type c = g->compute;
    switch (g->a_type) {
    case ACCEL_DTYPE_F32:
        return c == ACCEL_COMPUTE_DEFAULT ? ACCEL_COMPUTE_F32 : c;
    case ACCEL_DTYPE_F16:
        return c == ACCEL_COMPUTE_DEFAULT ? ACCEL_COMPUTE_F16 : c;
    case ACCEL_DTYPE_BF16:
        return c == ACCEL_COMPUTE_DEFAULT ? ACCEL_COMPUTE_BF16 : c;
    case ACCEL_DTYPE_F64:
        return c == ACCEL_COMPUTE_DEFAULT ? ACCEL_COMPUTE_F64 : c;
    default:
        return (accel_compute_type)-1;
    }
}

static int compute_supported(accel_dtype t, accel_compute_type c) {
    switch (t) {
    case ACCEL_DTYPE_F32: return c == ACCEL_COMPUTE_F32 || c == ACCEL_COMPUTE_TF32;
    case ACCEL_DTYPE_F16: return c == ACCEL_COMPUTE_F16 || c == ACCEL_COMPUTE_F32;
    case ACCEL_DTYPE_BF16: return c == ACCEL_COMPUTE_BF16 || c == ACCEL_COMPUTE_F32;
    case ACCEL_DTYPE_F64: return c == ACCEL_COMPUTE_F64;
    default: return 0;
    }
}

static int rocblas_type(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return HIP_ROCBLAS_F32;
    case ACCEL_DTYPE_F16: return HIP_ROCBLAS_F16;
    case ACCEL_DTYPE_BF16: return HIP_ROCBLAS_BF16;
    case ACCEL_DTYPE_F64: return HIP_ROCBLAS_F64;
    default: return -1;
    }
}

int hip_gemm_fits_int32(const accel_gemm_params *p) {
    const int64_t v[] = {p->m, p->n, p->k, p->lda, p->ldb, p->ldc, p->ldd, p->batch};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; ++i)
        if (v[i] > INT32_MAX)
            return 0;
    return 1;
}

accel_status hip_plan_epilogue_kernel(hip_plan *plan) {
    const accel_cu_target t = hip_cu_target(plan->dev);
    char why[256];
    accel_status st = accel_cu_plan_gemm_epilogue(&plan->desc.u.gemm, plan->epilogue_act, plan->epilogue_bias, &t,
                                                  &plan->recipe, why, sizeof why);
    if (st != ACCEL_OK)
        return plan->dev->ctx->host->set_error(st, "%s", why);
    return hip_recipe_load(plan);
}

static accel_status plan_rocblas(hip_plan *plan, const hip_rocblas *rb, accel_compute_type compute,
                                 accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    if (compute == ACCEL_COMPUTE_TF32)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip rocblas: no tf32/xf32 compute type in rocblas_gemm_ex "
                                    "(use library accel, or hipBLASLt when wired)");
    if (!hip_gemm_fits_int32(&plan->gemm))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip rocblas: a dimension exceeds rocblas_int (int32)");
    plan->epilogue_act = plan->act;
    plan->epilogue_bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    if (plan->epilogue_act || plan->epilogue_bias) {
        accel_status st = hip_plan_epilogue_kernel(plan);
        if (st != ACCEL_OK)
            return st;
    }
    int rc = rb->rocblas_create_handle(&plan->rocblas);
    if (rc != HIP_ROCBLAS_STATUS_SUCCESS) {
        plan->rocblas = NULL;
        return ctx->host->set_error(ACCEL_ERR_DEVICE, "rocblas_create_handle: %s (%d)",
                                    hip_rocblas_status_name(rb, rc), rc);
    }
    (void)rb->rocblas_set_pointer_mode(plan->rocblas, HIP_ROCBLAS_POINTER_MODE_HOST);
    plan->path = HIP_PATH_ROCBLAS;
    plan->rocblas_type = rocblas_type(g->a_type);
    plan->rocblas_compute = g->a_type == ACCEL_DTYPE_F64 ? HIP_ROCBLAS_F64 : HIP_ROCBLAS_F32;
    snprintf(info->library, sizeof info->library, "rocblas");
    snprintf(info->algorithm, sizeof info->algorithm,
             "%s gemm_strided_batched_ex %s compute f%d%s", rb->lib_name,
             accel_cu_dtype_suffix(g->a_type, 1), g->a_type == ACCEL_DTYPE_F64 ? 64 : 32,
             plan->recipe.nlaunches ? " + accel bias/act kernel" : "");
    return ACCEL_OK;
}

accel_status hip_plan_gemm(hip_plan *plan, accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    const char *lib = plan->desc.library;
    accel_dtype bias_type = g->bias_type == ACCEL_DTYPE_INVALID ? g->d_type : g->bias_type;
    if (accel_dtype_is_fp8(g->a_type))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip gemm: fp8 is not wired yet (hipBLASLt runs it on gfx94x with "
                                    "scale pointers, as the cuda backend does through cuBLASLt)");
    if (g->b_type != g->a_type || g->c_type != g->a_type || g->d_type != g->a_type ||
        bias_type != g->a_type || !accel_cu_dtype_suffix(g->a_type, 1))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip gemm: storage types must all be one of f32/f16/bf16/f64 "
                                    "(got A %d, B %d, C %d, D %d, bias %d)",
                                    (int)g->a_type, (int)g->b_type, (int)g->c_type,
                                    (int)g->d_type, (int)bias_type);
    accel_compute_type compute = effective_compute(g);
    if (!compute_supported(g->a_type, compute))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip gemm: compute type %d with %s storage is not supported",
                                    (int)compute, accel_cu_dtype_suffix(g->a_type, 1));
    if (g->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip gemm: residual epilogue is conv-only");
    accel_cu_gemm_params_of(g, &plan->gemm);
    plan->act = accel_cu_act_of(g->epilogue);

    const hip_blas *blas = hip_ctx_blas(ctx);
    int want_blaslt = strcmp(lib, "hipblaslt") == 0;
    int want_rocblas = strcmp(lib, "rocblas") == 0;
    int want_accel = strcmp(lib, "accel") == 0;
    if (!want_blaslt && !want_rocblas && !want_accel && lib[0] != '\0')
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip gemm: library '%s' not available (this device offers "
                                    "%s%saccel)",
                                    lib, blas->blaslt.lib ? "hipblaslt," : "",
                                    blas->rocblas.lib ? "rocblas," : "");
    if (want_blaslt && !blas->blaslt.lib)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip gemm: hipblaslt: %s",
                                    blas->blaslt_reason);
    if (want_rocblas && !blas->rocblas.lib)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip gemm: rocblas: %s", blas->reason);
    if (want_blaslt)
        return hip_plan_blaslt(plan, &blas->blaslt, compute, info);
    if (want_rocblas)
        return plan_rocblas(plan, &blas->rocblas, compute, info);
    if (want_accel)
        return hip_plan_accel(plan, info);
    /* Default: hipBLASLt, then rocBLAS, then our kernel; the first that takes the problem. The
     * plan's library names the one chosen, so the row says which ran. */
    if (blas->blaslt.lib && hip_blaslt_supports(plan, compute) &&
        hip_plan_blaslt(plan, &blas->blaslt, compute, info) == ACCEL_OK)
        return ACCEL_OK;
    hip_plan_gemm_release(plan);
    if (blas->rocblas.lib && compute != ACCEL_COMPUTE_TF32 && hip_gemm_fits_int32(&plan->gemm) &&
        plan_rocblas(plan, &blas->rocblas, compute, info) == ACCEL_OK)
        return ACCEL_OK;
    hip_plan_gemm_release(plan);
    return hip_plan_accel(plan, info);
}

void hip_plan_gemm_release(hip_plan *plan) {
    hip_blaslt_release(plan);
    plan->recipe.nlaunches = 0; /* a library path tried and left: its epilogue kernel goes with it */
    if (plan->rocblas) {
        const hip_blas *blas = &plan->dev->ctx->blas;
        (void)blas->rocblas.rocblas_destroy_handle(plan->rocblas);
        plan->rocblas = NULL;
    }
}

static accel_status exec_rocblas(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops) {
    hip_ctx *ctx = plan->dev->ctx;
    const hip_rocblas *rb = &ctx->blas.rocblas;
    const accel_gemm_params *p = &plan->gemm;
    const void *a = hip_ref_ptr(ops[0]), *b = hip_ref_ptr(ops[1]);
    void *d = hip_ref_ptr(ops[3]);
    const void *c = p->beta != 0.0 ? hip_ref_ptr(ops[2]) : NULL;
    int64_t ldc = p->ldc, stride_c = p->stride_c;
    if (!c) { /* beta == 0: C is not read; rocBLAS still wants a valid matrix description */
        c = d;
        ldc = p->ldd;
        stride_c = p->stride_d;
    }
    double alpha64 = p->alpha, beta64 = p->beta;
    float alpha32 = (float)p->alpha, beta32 = (float)p->beta;
    const void *alpha = plan->rocblas_compute == HIP_ROCBLAS_F64 ? (const void *)&alpha64 : &alpha32;
    const void *beta = plan->rocblas_compute == HIP_ROCBLAS_F64 ? (const void *)&beta64 : &beta32;
    int rc = rb->rocblas_set_stream(plan->rocblas, s->stream);
    if (rc == HIP_ROCBLAS_STATUS_SUCCESS)
        /* Row-major D = A B is column-major D^T = B^T A^T: swap the operands and m/n. */
        rc = rb->rocblas_gemm_strided_batched_ex(
            plan->rocblas, p->trans_b ? HIP_ROCBLAS_OP_T : HIP_ROCBLAS_OP_N,
            p->trans_a ? HIP_ROCBLAS_OP_T : HIP_ROCBLAS_OP_N, (int32_t)p->n, (int32_t)p->m,
            (int32_t)p->k, alpha, b, plan->rocblas_type, (int32_t)p->ldb, p->stride_b, a,
            plan->rocblas_type, (int32_t)p->lda, p->stride_a, beta, c, plan->rocblas_type,
            (int32_t)ldc, stride_c, d, plan->rocblas_type, (int32_t)p->ldd, p->stride_d,
            (int32_t)p->batch, plan->rocblas_compute, HIP_ROCBLAS_GEMM_ALGO_STANDARD, 0, 0);
    if (rc != HIP_ROCBLAS_STATUS_SUCCESS)
        return ctx->host->set_error(ACCEL_ERR_DEVICE, "rocblas_gemm_strided_batched_ex: %s (%d)",
                                    hip_rocblas_status_name(rb, rc), rc);
    if (plan->recipe.nlaunches)
        return hip_recipe_launch(plan, s, ops, (accel_plugin_ref){NULL, 0});
    return ACCEL_OK;
}

accel_status hip_exec_gemm(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                           accel_plugin_ref workspace) {
    if (plan->path == HIP_PATH_ROCBLAS)
        return exec_rocblas(plan, s, ops);
    if (plan->path == HIP_PATH_HIPBLASLT)
        return hip_exec_blaslt(plan, s, ops, workspace);
    return hip_recipe_launch(plan, s, ops, workspace);
}
