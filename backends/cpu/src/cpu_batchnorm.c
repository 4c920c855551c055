/* Batch normalisation in training mode and its backward, per channel over n x h x w, fp32 sums.
 * NCHW: a channel's values are n runs of h w contiguous elements, channels spread over threads.
 * NHWC: channels are innermost, so pixels spread over threads, each summing every channel into
 * its own partial vector (the plan's workspace), added up at the end. Two passes for the variance
 * (sum of squared deviations), as the reference does: one pass of x^2 loses digits in fp32. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
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

/* out[c] = sum over n, h, w of f(c, i) for i the element index, accumulated in fp32 per thread and
 * in double across threads. f reads what it needs from ctx. */
typedef float (*bn_term_fn)(const void *ctx, int64_t c, int64_t i);

static void channel_sums(const bn_plan *p, bn_term_fn f, const void *ctx, float *part, double *out) {
    const accel_batchnorm_desc *d = &p->d;
    const int64_t C = d->c, HW = d->h * d->w;
    if (d->layout == ACCEL_LAYOUT_NCHW) {
#pragma omp parallel for num_threads(p->threads) schedule(static)
        for (int64_t c = 0; c < C; c++) {
            double s = 0.0;
            for (int64_t n = 0; n < d->n; n++) {
                float t = 0.0f;
                const int64_t base = (n * C + c) * HW;
                for (int64_t i = 0; i < HW; i++) t += f(ctx, c, base + i);
                s += t;
            }
            out[c] = s;
        }
        return;
    }
    memset(part, 0, sizeof(float) * (size_t)C * (size_t)p->threads);
#pragma omp parallel num_threads(p->threads)
    {
        float *acc = part + (size_t)thread_id() * (size_t)C;
#pragma omp for schedule(static)
        for (int64_t px = 0; px < d->n * HW; px++)
            for (int64_t c = 0; c < C; c++) acc[c] += f(ctx, c, px * C + c);
    }
    for (int64_t c = 0; c < C; c++) {
        double s = 0.0;
        for (int t = 0; t < p->threads; t++) s += part[(size_t)t * (size_t)C + (size_t)c];
        out[c] = s;
    }
}

typedef struct term_ctx {
    accel_dtype t;
    const void *x, *dy;
    const float *mean, *invstd;
} term_ctx;

static float term_x(const void *p, int64_t c, int64_t i) {
    (void)c;
    const term_ctx *t = p;
    return cpu_load(t->t, t->x, i);
}
static float term_dev2(const void *p, int64_t c, int64_t i) {
    const term_ctx *t = p;
    const float v = cpu_load(t->t, t->x, i) - t->mean[c];
    return v * v;
}
static float term_dy(const void *p, int64_t c, int64_t i) {
    (void)c;
    const term_ctx *t = p;
    return cpu_load(t->t, t->dy, i);
}
static float term_dy_xhat(const void *p, int64_t c, int64_t i) {
    const term_ctx *t = p;
    return cpu_load(t->t, t->dy, i) * (cpu_load(t->t, t->x, i) - t->mean[c]) * t->invstd[c];
}

/* Applies y = f(c, i) to every element, channel by channel (NCHW) or pixel by pixel (NHWC). */
#define BN_FOR_EACH(p, STMT)                                                                       \
    do {                                                                                           \
        const int64_t C_ = (p)->d.c, HW_ = (p)->d.h * (p)->d.w;                                    \
        if ((p)->d.layout == ACCEL_LAYOUT_NCHW) {                                                  \
            _Pragma("omp parallel for num_threads((p)->threads) schedule(static)")                 \
            for (int64_t nc = 0; nc < (p)->d.n * C_; nc++) {                                       \
                const int64_t c = nc % C_;                                                         \
                for (int64_t i = nc * HW_; i < (nc + 1) * HW_; i++) { STMT; }                      \
            }                                                                                      \
        } else {                                                                                   \
            _Pragma("omp parallel for num_threads((p)->threads) schedule(static)")                 \
            for (int64_t px = 0; px < (p)->d.n * HW_; px++)                                        \
                for (int64_t c = 0; c < C_; c++) {                                                 \
                    const int64_t i = px * C_ + c;                                                 \
                    STMT;                                                                          \
                }                                                                                  \
        }                                                                                          \
    } while (0)

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
    float *part = (float *)(sums + C);
    term_ctx t = {d->dtype, X, NULL, save_mean, save_invstd};
    channel_sums(p, term_x, &t, part, sums);
    for (int64_t c = 0; c < C; c++) save_mean[c] = (float)(sums[c] / (double)m);
    channel_sums(p, term_dev2, &t, part, sums);
    for (int64_t c = 0; c < C; c++) {
        const double var = sums[c] / (double)m;
        save_invstd[c] = (float)(1.0 / sqrt(var + d->eps));
        run_mean[c] = (float)((1.0 - d->momentum) * run_mean[c] + d->momentum * save_mean[c]);
        run_var[c] = (float)((1.0 - d->momentum) * run_var[c] + d->momentum * var * (double)m / (double)(m - 1));
    }
    const accel_dtype dt = d->dtype;
    BN_FOR_EACH(p, cpu_store(dt, Y, i, (cpu_load(dt, X, i) - save_mean[c]) * save_invstd[c] * gamma[c] + beta[c]));
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
    const float inv_m = 1.0f / (float)(d->n * d->h * d->w);
    double *sums = ws;
    float *part = (float *)(sums + C);
    term_ctx t = {d->dtype, X, dY, mean, invstd};
    channel_sums(p, term_dy, &t, part, sums);
    for (int64_t c = 0; c < C; c++) dbeta[c] = (float)sums[c];
    channel_sums(p, term_dy_xhat, &t, part, sums);
    for (int64_t c = 0; c < C; c++) dgamma[c] = (float)sums[c];
    const accel_dtype dt = d->dtype;
    BN_FOR_EACH(p, {
        const float xhat = (cpu_load(dt, X, i) - mean[c]) * invstd[c];
        cpu_store(dt, dX, i, gamma[c] * invstd[c] * (cpu_load(dt, dY, i) - dbeta[c] * inv_m - xhat * dgamma[c] * inv_m));
    });
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
    p->base.workspace_bytes = sizeof(double) * (size_t)d->c + sizeof(float) * (size_t)d->c * (size_t)ctx->threads;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "batchnorm %s, %s, two-pass fp32 statistics",
             backward ? "backward" : "training forward", d->layout == ACCEL_LAYOUT_NHWC ? "nhwc" : "nchw");
    *out = &p->base;
    return ACCEL_OK;
}
