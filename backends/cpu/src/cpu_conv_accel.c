/* conv2d on our GEMM engine. Output pixels are GEMM rows and output channels GEMM columns in both
 * layouts (NCHW just stores D transposed through strides), K = c*r*s, images are the GEMM batch
 * sharing one packed copy of the weights. A 1x1 stride-1 unpadded conv reads X directly as A;
 * anything else goes through im2col, for as many images at a time as fit a 32 MiB column buffer
 * (few parallel regions: each one is a barrier the slowest thread sets the pace of). */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_dtype.h"
#include "cpu_conv_cols.h"
#include "cpu_gemm_core.h"
#include "cpu_internal.h"

typedef struct conv_accel_plan {
    cpu_plan base;
    accel_conv2d_desc d;
    int64_t p, q, dil_h, dil_w;
    int direct; /* 1x1, stride 1, no padding: X is already the A matrix */
    cpu_gemm_problem g;
    size_t col_bytes;
    int64_t group; /* images per im2col pass */
    int threads;
} conv_accel_plan;

#define CONV_COL_BUDGET ((int64_t)32 << 20)

static accel_status conv_accel_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_accel_plan *cp = (conv_accel_plan *)plan;
    const void *X = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]), *bias = cpu_ref_ptr(ops[2]);
    const void *res = cpu_ref_ptr(ops[3]);
    void *Y = cpu_ref_ptr(ops[4]);
    char *aligned = (char *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    if (cp->direct) {
        cpu_gemm_run(&cp->g, X, W, res, bias, Y, aligned, cp->threads);
        return ACCEL_OK;
    }
    float *col = (float *)aligned;
    void *gemm_ws = aligned + cp->col_bytes;
    const int64_t out_img = cp->d.k * cp->p * cp->q;
    const size_t ybytes = accel_dtype_bytes(cp->d.y_type);
    cpu_gemm_problem g = cp->g;
    for (int64_t img = 0; img < cp->d.n; img += cp->group) {
        g.batch = cp->d.n - img < cp->group ? cp->d.n - img : cp->group;
        cpu_conv_im2col(&cp->d, cp->p, cp->q, X, img, g.batch, col, cp->threads);
        const void *r = res ? (const char *)res + img * out_img * (int64_t)ybytes : NULL;
        cpu_gemm_run(&g, col, W, r, bias, (char *)Y + img * out_img * (int64_t)ybytes, gemm_ws,
                     cp->threads);
    }
    return ACCEL_OK;
}

static void conv_accel_destroy(cpu_plan *plan) { free(plan); }

accel_status cpu_conv_plan_accel(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    if (d->groups > 1)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/accel conv2d: groups > 1");
    if (!cpu_dtype_is_float(d->x_type) || !cpu_dtype_is_float(d->w_type) ||
        !cpu_dtype_is_float(d->y_type))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/accel conv2d: storage types must be f32, bf16 or f16");
    accel_compute_type ct = d->compute;
    if (ct == ACCEL_COMPUTE_TF32)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/accel conv2d: no tf32 hardware on CPU");
    if (!(ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32 ||
          (ct == ACCEL_COMPUTE_BF16 && d->x_type == ACCEL_DTYPE_BF16 &&
           d->w_type == ACCEL_DTYPE_BF16) ||
          (ct == ACCEL_COMPUTE_F16 && d->x_type == ACCEL_DTYPE_F16 && d->w_type == ACCEL_DTYPE_F16)))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/accel conv2d: compute type %d with these storage types", (int)ct);
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/accel conv2d: epilogue 0x%x",
                               d->epilogue);
    conv_accel_plan *cp = calloc(1, sizeof *cp);
    if (!cp) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    cp->d = *d;
    cp->dil_h = d->dil_h > 0 ? d->dil_h : 1;
    cp->dil_w = d->dil_w > 0 ? d->dil_w : 1;
    accel_conv2d_out_hw(d, &cp->p, &cp->q);
    cp->direct = d->r == 1 && d->s == 1 && d->stride_h == 1 && d->stride_w == 1 &&
                 d->pad_h == 0 && d->pad_w == 0;
    cp->threads = ctx->threads;
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const int64_t K = d->c * d->r * d->s, pq = cp->p * cp->q;
    cpu_gemm_problem *g = &cp->g;
    g->a_type = cp->direct ? d->x_type : ACCEL_DTYPE_F32;
    g->b_type = d->w_type;
    g->c_type = g->d_type = g->bias_type = d->y_type;
    g->n = d->k;
    g->k = K;
    g->b_rs = 1; /* B(kk, j) = W[j][kk] for KRSC and KCRS alike */
    g->b_cs = K;
    g->alpha = 1.0f;
    g->beta = (d->epilogue & ACCEL_EPILOGUE_RESIDUAL) ? 1.0f : 0.0f;
    g->epilogue = d->epilogue & (ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU);
    g->b_bs = 0; /* every image uses the same weights: packed once */
    if (nhwc) {
        g->m = cp->direct ? d->n * pq : pq; /* NHWC 1x1: every image's pixels are one long M */
        g->batch = 1;
        g->a_rs = K;
        g->a_cs = 1;
        g->a_bs = pq * K; /* im2col rows of consecutive images */
        g->c_rs = g->d_rs = d->k;
        g->c_cs = g->d_cs = 1;
        g->c_bs = g->d_bs = pq * d->k;
    } else {
        g->m = pq;
        g->batch = cp->direct ? d->n : 1;
        g->a_rs = cp->direct ? 1 : K;
        g->a_cs = cp->direct ? pq : 1;
        g->a_bs = cp->direct ? d->c * pq : pq * K;
        g->c_rs = g->d_rs = 1;
        g->c_cs = g->d_cs = pq;
        g->c_bs = g->d_bs = d->k * pq;
    }
    cp->group = 1;
    if (!cp->direct) {
        const int64_t per_image = pq * K * 4;
        cp->group = CONV_COL_BUDGET / per_image;
        if (cp->group < 1) cp->group = 1;
        if (cp->group > d->n) cp->group = d->n;
    }
    cp->col_bytes = cp->direct ? 0 : (size_t)((cp->group * pq * K * 4 + 63) / 64 * 64);
    cp->base.execute = conv_accel_execute;
    cp->base.destroy = conv_accel_destroy;
    cp->base.workspace_bytes = 64 + cp->col_bytes + cpu_gemm_workspace_bytes(g, cp->threads);
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "%s + packed GEMM %s, %d threads",
             cp->direct ? "direct 1x1" : "im2col", cpu_gemm_kernel_name(g), cp->threads);
    *out = &cp->base;
    return ACCEL_OK;
}
