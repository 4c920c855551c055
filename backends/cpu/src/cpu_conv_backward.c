/* conv2d backward on our GEMM engine ("accel" library), the forward's column matrix turned around:
 *   data:    dcol (pixels x CRS) = dY (pixels x K) W (K x CRS), then col2im onto dX;
 *   weights: dW (K x CRS) = sum over images of dY^T (K x pixels) col (pixels x CRS), fp32 until the
 *            last image, then rounded to w_type.
 * A 1x1 stride-1 unpadded convolution needs no columns: dX = dY W and dW = dY^T X directly. Images
 * are taken as many at a time as fit the 32 MiB column budget, as in the forward. */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_conv_cols.h"
#include "cpu_dtype.h"
#include "cpu_gemm_core.h"
#include "cpu_train.h"

#define CONV_COL_BUDGET ((int64_t)32 << 20)

typedef struct conv_bwd_plan {
    cpu_plan base;
    accel_conv2d_desc d;
    int weights; /* 0: data gradient, 1: weights gradient */
    int64_t p, q, crs, group;
    int direct;
    int threads;
    size_t col_bytes, acc_bytes; /* column buffer; fp32 dW accumulator */
    cpu_gemm_problem g;          /* per group (NHWC) or per image (NCHW) */
} conv_bwd_plan;

static char *align64(void *p) { return (char *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

static accel_status data_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const conv_bwd_plan *cp = (const conv_bwd_plan *)plan;
    const accel_conv2d_desc *d = &cp->d;
    const void *dY = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]);
    void *dX = cpu_ref_ptr(ops[2]);
    char *base = align64(ws);
    if (cp->direct) {
        cpu_gemm_run(&cp->g, dY, W, NULL, NULL, dX, base, cp->threads);
        return ACCEL_OK;
    }
    float *col = (float *)base;
    void *gemm_ws = base + cp->col_bytes;
    const int64_t pq = cp->p * cp->q;
    const size_t yb = accel_dtype_bytes(d->y_type);
    cpu_gemm_problem g = cp->g;
    for (int64_t img = 0; img < d->n; img += cp->group) {
        const int64_t cnt = d->n - img < cp->group ? d->n - img : cp->group;
        if (d->layout == ACCEL_LAYOUT_NHWC) g.m = cnt * pq;
        else g.batch = cnt;
        cpu_gemm_run(&g, (const char *)dY + (size_t)(img * pq * d->k) * yb, W, NULL, NULL, col, gemm_ws, cp->threads);
        cpu_conv_col2im(d, cp->p, cp->q, col, img, cnt, dX, cp->threads);
    }
    return ACCEL_OK;
}

static accel_status weights_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const conv_bwd_plan *cp = (const conv_bwd_plan *)plan;
    const accel_conv2d_desc *d = &cp->d;
    const void *X = cpu_ref_ptr(ops[0]), *dY = cpu_ref_ptr(ops[1]);
    void *dW = cpu_ref_ptr(ops[2]);
    char *base = align64(ws);
    float *acc = (float *)base, *col = (float *)(base + cp->acc_bytes);
    void *gemm_ws = base + cp->acc_bytes + cp->col_bytes;
    const int64_t pq = cp->p * cp->q;
    const size_t xb = accel_dtype_bytes(d->x_type), yb = accel_dtype_bytes(d->y_type);
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    cpu_gemm_problem g = cp->g;
    g.beta = 0.0f;
    for (int64_t img = 0; img < d->n; img += cp->group) {
        const int64_t cnt = d->n - img < cp->group ? d->n - img : cp->group;
        const void *b = col;
        if (cp->direct) b = (const char *)X + (size_t)(img * d->c * pq) * xb;
        else cpu_conv_im2col(d, cp->p, cp->q, X, img, cnt, col, cp->threads);
        /* NHWC: the group's pixels are one long inner dimension; NCHW: one GEMM per image. */
        const int64_t per = nhwc ? cnt : 1;
        for (int64_t i = 0; i < cnt; i += per) {
            if (nhwc) g.k = cnt * pq;
            const char *a = (const char *)dY + (size_t)((img + i) * pq * d->k) * yb;
            const char *bi = cp->direct ? (const char *)b + (size_t)(i * d->c * pq) * xb
                                        : (const char *)b + (size_t)(i * pq * cp->crs) * sizeof(float);
            cpu_gemm_run(&g, a, bi, g.beta != 0.0f ? acc : NULL, NULL, acc, gemm_ws, cp->threads);
            g.beta = 1.0f;
        }
    }
    const int64_t total = d->k * cp->crs;
#pragma omp parallel for num_threads(cp->threads) schedule(static) if (total >= 16384)
    for (int64_t i = 0; i < total; i++) cpu_store(d->w_type, dW, i, acc[i]);
    return ACCEL_OK;
}

static void plan_free(cpu_plan *plan) { free(plan); }

accel_status cpu_conv_backward_plan_accel(cpu_context *ctx, accel_op_kind kind, const accel_conv2d_desc *d,
                                          cpu_plan **out, accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    const char *name = kind == ACCEL_OP_CONV2D_BACKWARD_DATA ? "conv2d_backward_data" : "conv2d_backward_weights";
    if (d->groups > 1) return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/accel %s: groups > 1", name);
    if (!cpu_dtype_is_float(d->x_type) || !cpu_dtype_is_float(d->w_type) || !cpu_dtype_is_float(d->y_type))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/accel %s: storage types must be f32, bf16 or f16", name);
    if (!accel_compute_is_fp32_on(d->compute, d->x_type) || d->x_type != d->w_type)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/accel %s: compute type %d (the GEMM engine multiplies in fp32, fp32 accumulate)",
                               name, (int)d->compute);
    conv_bwd_plan *cp = calloc(1, sizeof *cp);
    if (!cp) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    cp->d = *d;
    cp->weights = kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS;
    cp->threads = ctx->threads;
    accel_conv2d_out_hw(d, &cp->p, &cp->q); /* libaccel validated the description */
    cp->crs = d->c * d->r * d->s;
    cp->direct = d->r == 1 && d->s == 1 && d->stride_h == 1 && d->stride_w == 1 && d->pad_h == 0 && d->pad_w == 0;
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const int64_t pq = cp->p * cp->q, K = d->k, CRS = cp->crs;
    cp->group = cp->direct ? d->n : CONV_COL_BUDGET / (pq * CRS * 4);
    if (cp->group < 1) cp->group = 1;
    if (cp->group > d->n) cp->group = d->n;
    cp->col_bytes = cp->direct ? 0 : (size_t)((cp->group * pq * CRS * 4 + 63) / 64 * 64);
    cpu_gemm_problem *g = &cp->g;
    g->alpha = 1.0f;
    if (!cp->weights) {
        /* dcol (or dX) = dY (pixels x K) W (K x CRS) */
        g->a_type = d->y_type;
        g->b_type = d->w_type;
        g->c_type = g->d_type = g->bias_type = cp->direct ? d->x_type : ACCEL_DTYPE_F32;
        g->n = CRS;
        g->k = K;
        g->b_rs = CRS, g->b_cs = 1, g->b_bs = 0;
        if (nhwc) {
            g->m = cp->direct ? d->n * pq : cp->group * pq;
            g->batch = 1;
            g->a_rs = K, g->a_cs = 1;
            g->d_rs = CRS, g->d_cs = 1;
        } else {
            g->m = pq;
            g->batch = cp->direct ? d->n : cp->group;
            g->a_rs = 1, g->a_cs = pq, g->a_bs = K * pq;
            if (cp->direct) g->d_rs = 1, g->d_cs = pq, g->d_bs = d->c * pq;
            else g->d_rs = CRS, g->d_cs = 1, g->d_bs = pq * CRS;
        }
        g->c_rs = g->d_rs, g->c_cs = g->d_cs, g->c_bs = g->d_bs;
    } else {
        /* dW (K x CRS) (+)= dY^T (K x pixels) cols (pixels x CRS) */
        g->a_type = d->y_type;
        g->b_type = cp->direct ? d->x_type : ACCEL_DTYPE_F32;
        g->c_type = g->d_type = g->bias_type = ACCEL_DTYPE_F32;
        g->m = K;
        g->n = CRS;
        g->k = pq; /* NHWC executes widen it to the group's pixels */
        g->batch = 1;
        g->a_rs = nhwc ? 1 : pq, g->a_cs = nhwc ? K : 1;
        if (cp->direct) g->b_rs = nhwc ? d->c : 1, g->b_cs = nhwc ? 1 : pq;
        else g->b_rs = CRS, g->b_cs = 1;
        g->c_rs = g->d_rs = CRS, g->c_cs = g->d_cs = 1;
        cp->acc_bytes = (size_t)((K * CRS * 4 + 63) / 64 * 64);
    }
    /* the engine's workspace for the largest problem the executes pose */
    cpu_gemm_problem sized = *g;
    if (cp->weights && nhwc) sized.k = cp->group * pq;
    cp->base.execute = cp->weights ? weights_execute : data_execute;
    cp->base.destroy = plan_free;
    cp->base.workspace_bytes = 64 + cp->acc_bytes + cp->col_bytes + cpu_gemm_workspace_bytes(&sized, cp->threads);
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "%s %s + packed GEMM %s, %d threads",
             cp->weights ? "weights:" : "data:", cp->direct ? "direct 1x1" : cp->weights ? "im2col" : "col2im",
             cpu_gemm_kernel_name(g), cp->threads);
    *out = &cp->base;
    return ACCEL_OK;
}
