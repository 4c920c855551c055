/* GEMM through hipBLASLt: row-major by the operand swap (D^T = B^T A^T in column-major), bias and
 * ReLU / GELU(tanh) fused in its epilogue, GELU(erf) and per-batch bias by our epilogue kernel. */
#define _POSIX_C_SOURCE 200809L
#include "hip_ops.h"

#include <stdio.h>
#include <string.h>

/* Workspace offered to the heuristic; the plan reports what the chosen algorithm needs. */
#define BLASLT_MAX_WORKSPACE (32u << 20)

static int data_type(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return HIP_DATA_R_32F;
    case ACCEL_DTYPE_F16: return HIP_DATA_R_16F;
    case ACCEL_DTYPE_BF16: return HIP_DATA_R_16BF;
    default: return -1;
    }
}

int hip_blaslt_supports(const hip_plan *plan, accel_compute_type compute) {
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    if (data_type(g->a_type) < 0 || !hip_gemm_fits_int32(&plan->gemm))
        return 0;
    /* xf32 exists on MI300 (gfx94x) only. */
    if (compute == ACCEL_COMPUTE_TF32)
        return strncmp(plan->dev->arch, "gfx94", 5) == 0;
    return 1;
}

void hip_blaslt_release(hip_plan *plan) {
    const hip_blaslt *lt = &plan->dev->ctx->blas.blaslt;
    for (int i = 0; i < 4; ++i) {
        if (plan->blaslt_layout[i])
            (void)lt->hipblasLtMatrixLayoutDestroy(plan->blaslt_layout[i]);
        plan->blaslt_layout[i] = NULL;
    }
    if (plan->blaslt_desc)
        (void)lt->hipblasLtMatmulDescDestroy(plan->blaslt_desc);
    plan->blaslt_desc = NULL;
    if (plan->blaslt)
        (void)lt->hipblasLtDestroy(plan->blaslt);
    plan->blaslt = NULL;
}

static accel_status lt_fail(hip_plan *plan, const char *what, int rc) {
    return plan->dev->ctx->host->set_error(rc == 0 ? ACCEL_ERR_UNIMPLEMENTED : ACCEL_ERR_DEVICE,
                                           "%s: hipblasStatus %d", what, rc);
}

static int make_layout(const hip_blaslt *lt, hip_blaslt_layout *out, int type, int64_t rows,
                       int64_t cols, int64_t ld, int64_t batch, int64_t stride) {
    int rc = lt->hipblasLtMatrixLayoutCreate(out, type, (uint64_t)rows, (uint64_t)cols, ld);
    if (rc != HIP_BLAS_STATUS_SUCCESS || batch <= 1)
        return rc;
    int32_t b = (int32_t)batch;
    rc = lt->hipblasLtMatrixLayoutSetAttribute(*out, HIP_BLASLT_LAYOUT_BATCH_COUNT, &b, sizeof b);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatrixLayoutSetAttribute(*out, HIP_BLASLT_LAYOUT_STRIDED_BATCH_OFFSET,
                                                   &stride, sizeof stride);
    return rc;
}

/* What the library's epilogue does and what our kernel must do afterwards. */
static uint32_t choose_epilogue(hip_plan *plan) {
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    int bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    /* The library's bias is one vector for every batch. */
    plan->blaslt_bias_fused = bias && (g->batch == 1 || g->stride_bias == 0);
    plan->epilogue_bias = bias && !plan->blaslt_bias_fused;
    plan->epilogue_act = 0;
    int act = plan->act;
    if (plan->epilogue_bias) { /* bias must precede the activation: both go to our kernel */
        plan->epilogue_act = act;
        return HIP_BLASLT_EPILOGUE_DEFAULT;
    }
    int fused_bias = plan->blaslt_bias_fused;
    if (act == 1) /* ReLU */
        return fused_bias ? HIP_BLASLT_EPILOGUE_RELU_BIAS : HIP_BLASLT_EPILOGUE_RELU;
    if (act == 3) /* GELU tanh: what hipBLASLt's GELU computes */
        return fused_bias ? HIP_BLASLT_EPILOGUE_GELU_BIAS : HIP_BLASLT_EPILOGUE_GELU;
    plan->epilogue_act = act; /* GELU erf (or none) */
    return fused_bias ? HIP_BLASLT_EPILOGUE_BIAS : HIP_BLASLT_EPILOGUE_DEFAULT;
}

accel_status hip_plan_blaslt(hip_plan *plan, const hip_blaslt *lt, accel_compute_type compute,
                             accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    const accel_gemm_params *p = &plan->gemm;
    if (!hip_blaslt_supports(plan, compute))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip hipblaslt: %s storage%s is not supported here (f32/xf32 "
                                    "on gfx94x, f16, bf16; dimensions < 2^31)",
                                    accel_cu_dtype_suffix(g->a_type, 1),
                                    compute == ACCEL_COMPUTE_TF32 ? " with tf32 compute" : "");
    int type = data_type(g->a_type);
    int rc = lt->hipblasLtCreate(&plan->blaslt);
    if (rc != HIP_BLAS_STATUS_SUCCESS) {
        plan->blaslt = NULL;
        return lt_fail(plan, "hipblasLtCreate", rc);
    }
    int tf32 = compute == ACCEL_COMPUTE_TF32;
    const char *compute_name = tf32 ? "HIPBLAS_COMPUTE_32F_FAST_TF32" : "HIPBLAS_COMPUTE_32F";
    rc = lt->hipblasLtMatmulDescCreate(&plan->blaslt_desc,
                                       tf32 ? HIP_BLAS_COMPUTE_32F_FAST_TF32 : HIP_BLAS_COMPUTE_32F,
                                       HIP_DATA_R_32F);
    if (rc != HIP_BLAS_STATUS_SUCCESS) { /* ROCm 6.0's own enum */
        plan->blaslt_desc = NULL;
        compute_name = tf32 ? "HIPBLASLT_COMPUTE_F32_FAST_XF32" : "HIPBLASLT_COMPUTE_F32";
        rc = lt->hipblasLtMatmulDescCreate(&plan->blaslt_desc,
                                           tf32 ? HIP_BLASLT_COMPUTE_F32_FAST_XF32_ROCM60
                                                : HIP_BLASLT_COMPUTE_F32_ROCM60,
                                           HIP_DATA_R_32F);
    }
    if (rc != HIP_BLAS_STATUS_SUCCESS) {
        plan->blaslt_desc = NULL;
        return lt_fail(plan, "hipblasLtMatmulDescCreate", rc);
    }
    /* Column-major view: its A is our B, its B is our A, and C/D are n x m. */
    int32_t op_a = p->trans_b ? HIP_BLAS_OP_T : HIP_BLAS_OP_N;
    int32_t op_b = p->trans_a ? HIP_BLAS_OP_T : HIP_BLAS_OP_N;
    uint32_t epilogue = choose_epilogue(plan);
    int32_t bias_type = type;
    rc = lt->hipblasLtMatmulDescSetAttribute(plan->blaslt_desc, HIP_BLASLT_DESC_TRANSA, &op_a, sizeof op_a);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatmulDescSetAttribute(plan->blaslt_desc, HIP_BLASLT_DESC_TRANSB, &op_b,
                                                 sizeof op_b);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatmulDescSetAttribute(plan->blaslt_desc, HIP_BLASLT_DESC_EPILOGUE,
                                                 &epilogue, sizeof epilogue);
    if (rc == HIP_BLAS_STATUS_SUCCESS && plan->blaslt_bias_fused)
        rc = lt->hipblasLtMatmulDescSetAttribute(plan->blaslt_desc, HIP_BLASLT_DESC_BIAS_DATA_TYPE,
                                                 &bias_type, sizeof bias_type);
    if (rc != HIP_BLAS_STATUS_SUCCESS)
        return lt_fail(plan, "hipblasLtMatmulDescSetAttribute", rc);

    int64_t ca_rows = p->trans_b ? p->k : p->n, ca_cols = p->trans_b ? p->n : p->k;
    int64_t cb_rows = p->trans_a ? p->m : p->k, cb_cols = p->trans_a ? p->k : p->m;
    int c_is_d = p->beta == 0.0; /* C not read: describe it like D, execute passes D */
    rc = make_layout(lt, &plan->blaslt_layout[0], type, ca_rows, ca_cols, p->ldb, p->batch, p->stride_b);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = make_layout(lt, &plan->blaslt_layout[1], type, cb_rows, cb_cols, p->lda, p->batch,
                         p->stride_a);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = make_layout(lt, &plan->blaslt_layout[2], type, p->n, p->m, c_is_d ? p->ldd : p->ldc,
                         p->batch, c_is_d ? p->stride_d : p->stride_c);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = make_layout(lt, &plan->blaslt_layout[3], type, p->n, p->m, p->ldd, p->batch, p->stride_d);
    if (rc != HIP_BLAS_STATUS_SUCCESS)
        return lt_fail(plan, "hipblasLtMatrixLayoutCreate", rc);

    hip_blaslt_pref pref = NULL;
    uint64_t max_ws = BLASLT_MAX_WORKSPACE;
    int returned = 0;
    rc = lt->hipblasLtMatmulPreferenceCreate(&pref);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatmulPreferenceSetAttribute(pref, HIP_BLASLT_PREF_MAX_WORKSPACE_BYTES,
                                                       &max_ws, sizeof max_ws);
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatmulAlgoGetHeuristic(
            plan->blaslt, plan->blaslt_desc, plan->blaslt_layout[0], plan->blaslt_layout[1],
            plan->blaslt_layout[2], plan->blaslt_layout[3], pref, 1, plan->blaslt_algo, &returned);
    if (pref)
        (void)lt->hipblasLtMatmulPreferenceDestroy(pref);
    if (rc != HIP_BLAS_STATUS_SUCCESS)
        return lt_fail(plan, "hipblasLtMatmulAlgoGetHeuristic", rc);
    if (returned < 1 || plan->blaslt_algo[0].state != HIP_BLAS_STATUS_SUCCESS)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hipblasLtMatmulAlgoGetHeuristic: no algorithm for this problem");
    plan->workspace_bytes = plan->blaslt_algo[0].workspace_size;
    if (plan->workspace_bytes > BLASLT_MAX_WORKSPACE)
        return ctx->host->set_error(ACCEL_ERR_INTERNAL,
                                    "hipblaslt: algorithm wants %zu workspace bytes, over the %u offered",
                                    plan->workspace_bytes, BLASLT_MAX_WORKSPACE);
    if (plan->epilogue_act || plan->epilogue_bias) {
        accel_status st = hip_plan_epilogue_kernel(plan);
        if (st != ACCEL_OK)
            return st;
    }
    plan->path = HIP_PATH_HIPBLASLT;
    info->workspace_bytes = plan->workspace_bytes;
    snprintf(info->library, sizeof info->library, "hipblaslt");
    snprintf(info->algorithm, sizeof info->algorithm, "%s %s %s epilogue %u%s, workspace %zu",
             lt->lib_name, accel_cu_dtype_suffix(g->a_type, 1), compute_name, epilogue,
             plan->recipe.nlaunches ? " + accel bias/act kernel" : "", plan->workspace_bytes);
    return ACCEL_OK;
}

accel_status hip_exec_blaslt(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                             accel_plugin_ref workspace) {
    hip_ctx *ctx = plan->dev->ctx;
    const hip_blaslt *lt = &ctx->blas.blaslt;
    const accel_gemm_params *p = &plan->gemm;
    void *d = hip_ref_ptr(ops[3]);
    const void *c = p->beta != 0.0 ? hip_ref_ptr(ops[2]) : d;
    float alpha = (float)p->alpha, beta = (float)p->beta;
    int rc = HIP_BLAS_STATUS_SUCCESS;
    if (plan->blaslt_bias_fused) {
        /* The bias operand may move between executions: set it now (host-side only). */
        const void *bias = hip_ref_ptr(ops[4]);
        rc = lt->hipblasLtMatmulDescSetAttribute(plan->blaslt_desc, HIP_BLASLT_DESC_BIAS_POINTER,
                                                 &bias, sizeof bias);
    }
    if (rc == HIP_BLAS_STATUS_SUCCESS)
        rc = lt->hipblasLtMatmul(plan->blaslt, plan->blaslt_desc, &alpha, hip_ref_ptr(ops[1]),
                                 plan->blaslt_layout[0], hip_ref_ptr(ops[0]), plan->blaslt_layout[1],
                                 &beta, c, plan->blaslt_layout[2], d, plan->blaslt_layout[3],
                                 &plan->blaslt_algo[0].algo,
                                 plan->workspace_bytes ? hip_ref_ptr(workspace) : NULL,
                                 plan->workspace_bytes, s->stream);
    if (rc != HIP_BLAS_STATUS_SUCCESS)
        return ctx->host->set_error(ACCEL_ERR_DEVICE, "hipblasLtMatmul: hipblasStatus %d", rc);
    if (plan->recipe.nlaunches)
        return hip_recipe_launch(plan, s, ops, (accel_plugin_ref){NULL, 0});
    return ACCEL_OK;
}
