/* Batch normalisation in training mode and its backward, per channel over n x h x w, fp32 sums.
 * NCHW: a channel's values are n runs of h w contiguous elements, channels spread over threads.
 * NHWC: channels are innermost, so pixels spread over threads, each summing blocks of pixels in
 * fp32 into its own double partial vector (the plan's workspace), added up at the end. Two passes
 * for the variance (sum of squared deviations), as the reference does: one pass of x^2 loses digits
 * in fp32. The backward gathers both of its sums in one pass; the normalisation and the input
 * gradient are one affine pass each with per-channel coefficients folded beforehand. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
#include "cpu_span.h"
#include "cpu_train.h"

typedef struct bn_plan {
    cpu_plan base;
    accel_batchnorm_desc d;
    int backward;
    int threads;
} bn_plan;

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* The per-channel sums a pass gathers: forward, sum x then sum (x - mean)^2 (two passes, as the
 * reference: one pass of x^2 loses digits in fp32); backward, sum dy and sum dy (x - mean) in one. */
typedef enum { SUM_X, SUM_DEV2, SUM_BACKWARD } bn_sum_kind;

/* Adds one run of fp32 values of a single channel (NCHW) into s1[0] (and s2[0]). */
static void run_sums_one_channel(bn_sum_kind k, const float *x, const float *dy, float mean, int64_t n,
                                 double *s1, double *s2) {
    float a = 0.0f, b = 0.0f;
    switch (k) {
    case SUM_X:
#pragma omp simd reduction(+ : a)
        for (int64_t i = 0; i < n; i++) a += x[i];
        break;
    case SUM_DEV2:
#pragma omp simd reduction(+ : a)
        for (int64_t i = 0; i < n; i++) a += (x[i] - mean) * (x[i] - mean);
        break;
    case SUM_BACKWARD:
#pragma omp simd reduction(+ : a, b)
        for (int64_t i = 0; i < n; i++) a += dy[i], b += dy[i] * (x[i] - mean);
        break;
    }
    *s1 += a;
    if (s2) *s2 += b;
}

/* Adds one run of channels c0..c0+n-1 of a pixel (NHWC) into a1[j] (and a2[j]). */
static void run_sums_channels(bn_sum_kind k, const float *x, const float *dy, const float *mean, int64_t n,
                              float *a1, float *a2) {
    switch (k) {
    case SUM_X:
#pragma omp simd
        for (int64_t j = 0; j < n; j++) a1[j] += x[j];
        break;
    case SUM_DEV2:
#pragma omp simd
        for (int64_t j = 0; j < n; j++) a1[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
        break;
    case SUM_BACKWARD:
#pragma omp simd
        for (int64_t j = 0; j < n; j++) a1[j] += dy[j], a2[j] += dy[j] * (x[j] - mean[j]);
        break;
    }
}

/* Pixels an NHWC thread sums in fp32 before adding them into its double partials. */
#define BN_PIXEL_BLOCK 64

/* out1[c] (and out2[c] for SUM_BACKWARD) = the channel's sums over n, h, w. Workspace: per thread
 * 2C doubles (partials) and 2C floats (the current pixel block). */
static void channel_sums(const bn_plan *p, bn_sum_kind k, const void *X, const void *dY, const float *mean,
                         void *ws, double *out1, double *out2) {
    const accel_batchnorm_desc *d = &p->d;
    const accel_dtype t = d->dtype;
    const int64_t C = d->c, HW = d->h * d->w, pixels = d->n * HW;
    if (d->layout == ACCEL_LAYOUT_NCHW) {
#pragma omp parallel for num_threads(p->threads) schedule(static)
        for (int64_t c = 0; c < C; c++) {
            float bx[CPU_SPAN], bd[CPU_SPAN];
            double s1 = 0.0, s2 = 0.0;
            for (int64_t n = 0; n < d->n; n++) {
                const int64_t base = (n * C + c) * HW;
                for (int64_t off = base; off < base + HW; off += CPU_SPAN) {
                    const int64_t len = cpu_span_len(off, base + HW);
                    const float *x = cpu_span_in(t, X, off, len, bx);
                    const float *dy = k == SUM_BACKWARD ? cpu_span_in(t, dY, off, len, bd) : NULL;
                    run_sums_one_channel(k, x, dy, mean ? mean[c] : 0.0f, len, &s1, &s2);
                }
            }
            out1[c] = s1;
            if (out2) out2[c] = s2;
        }
        return;
    }
    double *part = ws;
    float *blocks = (float *)(part + (size_t)2 * (size_t)C * (size_t)p->threads);
    memset(part, 0, sizeof(double) * 2 * (size_t)C * (size_t)p->threads);
    const int64_t nblocks = (pixels + BN_PIXEL_BLOCK - 1) / BN_PIXEL_BLOCK;
#pragma omp parallel num_threads(p->threads)
    {
        const size_t me = (size_t)thread_id();
        double *p1 = part + me * 2 * (size_t)C, *p2 = p1 + C;
        float *a1 = blocks + me * 2 * (size_t)C, *a2 = a1 + C;
        float bx[CPU_SPAN], bd[CPU_SPAN];
#pragma omp for schedule(static)
        for (int64_t blk = 0; blk < nblocks; blk++) {
            memset(a1, 0, sizeof(float) * 2 * (size_t)C);
            const int64_t end = (blk + 1) * BN_PIXEL_BLOCK < pixels ? (blk + 1) * BN_PIXEL_BLOCK : pixels;
            for (int64_t px = blk * BN_PIXEL_BLOCK; px < end; px++)
                for (int64_t c0 = 0; c0 < C; c0 += CPU_SPAN) {
                    const int64_t len = cpu_span_len(c0, C);
                    const float *x = cpu_span_in(t, X, px * C + c0, len, bx);
                    const float *dy = k == SUM_BACKWARD ? cpu_span_in(t, dY, px * C + c0, len, bd) : NULL;
                    run_sums_channels(k, x, dy, mean ? mean + c0 : NULL, len, a1 + c0, a2 + c0);
                }
            for (int64_t c = 0; c < C; c++) p1[c] += a1[c], p2[c] += a2[c];
        }
    }
    for (int64_t c = 0; c < C; c++) {
        double s1 = 0.0, s2 = 0.0;
        for (int th = 0; th < p->threads; th++) {
            s1 += part[(size_t)th * 2 * (size_t)C + (size_t)c];
            s2 += part[(size_t)th * 2 * (size_t)C + (size_t)C + (size_t)c];
        }
        out1[c] = s1;
        if (out2) out2[c] = s2;
    }
}

/* out = k1[c] in + k0[c] (forward: in = x) or k1[c] in + k2[c] x + k0[c] (backward: in = dy), with
 * per-channel coefficients folded beforehand, spans in fp32. */
static void apply_affine(const bn_plan *p, const void *In, const void *X, const float *k1, const float *k2,
                         const float *k0, void *Out) {
    const accel_batchnorm_desc *d = &p->d;
    const accel_dtype t = d->dtype;
    const int64_t C = d->c, HW = d->h * d->w;
    const int nchw = d->layout == ACCEL_LAYOUT_NCHW;
    /* NCHW: rows of HW values of one channel; NHWC: rows of C channels of one pixel */
    const int64_t rows = nchw ? d->n * C : d->n * HW, cols = nchw ? HW : C;
#pragma omp parallel for num_threads(p->threads) schedule(static)
    for (int64_t r = 0; r < rows; r++) {
        float bi[CPU_SPAN], bx[CPU_SPAN], bo[CPU_SPAN];
        for (int64_t j0 = 0; j0 < cols; j0 += CPU_SPAN) {
            const int64_t len = cpu_span_len(j0, cols), off = r * cols + j0;
            const float *in = cpu_span_in(t, In, off, len, bi);
            const float *x = k2 ? cpu_span_in(t, X, off, len, bx) : NULL;
            float *o = cpu_span_dst(t, Out, off, bo);
            if (nchw) {
                const int64_t c = r % C;
                const float a = k1[c], b = k2 ? k2[c] : 0.0f, z = k0[c];
                if (k2) {
#pragma omp simd
                    for (int64_t j = 0; j < len; j++) o[j] = a * in[j] + b * x[j] + z;
                } else {
#pragma omp simd
                    for (int64_t j = 0; j < len; j++) o[j] = a * in[j] + z;
                }
            } else {
                const float *a = k1 + j0, *z = k0 + j0;
                if (k2) {
                    const float *b = k2 + j0;
#pragma omp simd
                    for (int64_t j = 0; j < len; j++) o[j] = a[j] * in[j] + b[j] * x[j] + z[j];
                } else {
#pragma omp simd
                    for (int64_t j = 0; j < len; j++) o[j] = a[j] * in[j] + z[j];
                }
            }
            cpu_span_out(t, Out, off, len, o);
        }
    }
}

/* Workspace: per-channel sums (2C doubles), coefficients (3C floats), then channel_sums' part. */
static size_t bn_workspace_bytes(int64_t C, int threads) {
    return sizeof(double) * 2 * (size_t)C + sizeof(float) * 3 * (size_t)C +
           (sizeof(double) + sizeof(float)) * 2 * (size_t)C * (size_t)threads + 64;
}

static accel_status bn_forward(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const bn_plan *p = (const bn_plan *)plan;
    const accel_batchnorm_desc *d = &p->d;
    const void *X = cpu_ref_ptr(ops[0]);
    const float *gamma = cpu_ref_ptr(ops[1]), *beta = cpu_ref_ptr(ops[2]);
    void *Y = cpu_ref_ptr(ops[3]);
    float *run_mean = cpu_ref_ptr(ops[4]), *run_var = cpu_ref_ptr(ops[5]);
    float *save_mean = cpu_ref_ptr(ops[6]), *save_invstd = cpu_ref_ptr(ops[7]);
    const int64_t C = d->c, m = d->n * d->h * d->w;
    double *sums = ws;
    float *k1 = (float *)(sums + 2 * C), *k0 = k1 + C;
    void *part = (void *)(((uintptr_t)(k0 + 2 * C) + 7) & ~(uintptr_t)7);
    channel_sums(p, SUM_X, X, NULL, NULL, part, sums, NULL);
    for (int64_t c = 0; c < C; c++) save_mean[c] = (float)(sums[c] / (double)m);
    channel_sums(p, SUM_DEV2, X, NULL, save_mean, part, sums, NULL);
    for (int64_t c = 0; c < C; c++) {
        const double var = sums[c] / (double)m;
        save_invstd[c] = (float)(1.0 / sqrt(var + d->eps));
        run_mean[c] = (float)((1.0 - d->momentum) * run_mean[c] + d->momentum * save_mean[c]);
        run_var[c] = (float)((1.0 - d->momentum) * run_var[c] + d->momentum * var * (double)m / (double)(m - 1));
        /* y = (x - mean) invstd gamma + beta = k1 x + k0 */
        k1[c] = save_invstd[c] * gamma[c];
        k0[c] = beta[c] - save_mean[c] * k1[c];
    }
    apply_affine(p, X, NULL, k1, NULL, k0, Y);
    return ACCEL_OK;
}

static accel_status bn_backward(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const bn_plan *p = (const bn_plan *)plan;
    const accel_batchnorm_desc *d = &p->d;
    const void *X = cpu_ref_ptr(ops[0]), *dY = cpu_ref_ptr(ops[2]);
    const float *gamma = cpu_ref_ptr(ops[1]), *mean = cpu_ref_ptr(ops[3]), *invstd = cpu_ref_ptr(ops[4]);
    void *dX = cpu_ref_ptr(ops[5]);
    float *dgamma = cpu_ref_ptr(ops[6]), *dbeta = cpu_ref_ptr(ops[7]);
    const int64_t C = d->c;
    const double inv_m = 1.0 / (double)(d->n * d->h * d->w);
    double *sum_dy = ws, *sum_dyx = sum_dy + C;
    float *k1 = (float *)(sum_dyx + C), *k2 = k1 + C, *k0 = k2 + C;
    void *part = (void *)(((uintptr_t)(k0 + C) + 7) & ~(uintptr_t)7);
    channel_sums(p, SUM_BACKWARD, X, dY, mean, part, sum_dy, sum_dyx);
    for (int64_t c = 0; c < C; c++) {
        const double is = invstd[c], g = gamma[c], db = sum_dy[c], dg = sum_dyx[c] * is;
        dbeta[c] = (float)db;
        dgamma[c] = (float)dg;
        /* dx = g is (dy - db/m - xhat dg/m), xhat = (x - mean) is: k1 dy + k2 x + k0 */
        k1[c] = (float)(g * is);
        k2[c] = (float)(-g * is * is * dg * inv_m);
        k0[c] = (float)(-g * is * db * inv_m + g * is * is * dg * inv_m * mean[c]);
    }
    apply_affine(p, dY, X, k1, k2, k0, dX);
    return ACCEL_OK;
}

static void plan_free(cpu_plan *plan) { free(plan); }

accel_status cpu_batchnorm_plan(cpu_context *ctx, const accel_batchnorm_desc *d, int backward, cpu_plan **out,
                                accel_plugin_plan_info *info) {
    if (!cpu_dtype_is_float(d->dtype))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu batchnorm: dtype %d not supported (f32, bf16, f16)",
                                    (int)d->dtype);
    bn_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->backward = backward;
    p->threads = ctx->threads;
    p->base.execute = backward ? bn_backward : bn_forward;
    p->base.destroy = plan_free;
    p->base.workspace_bytes = bn_workspace_bytes(d->c, ctx->threads);
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "batchnorm %s, %s, two-pass statistics, vectorised fp32 spans",
             backward ? "backward" : "training forward", d->layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw");
    *out = &p->base;
    return ACCEL_OK;
}
