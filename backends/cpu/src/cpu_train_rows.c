/* Training ops over rows and channels: layernorm and softmax backward, and the channel reduce that
 * gives bias gradients. fp32 arithmetic whatever the storage type; rows spread over the threads,
 * per-thread partial sums (in the plan's workspace) where rows add into one vector. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
#include "cpu_internal.h"
#include "cpu_row_stats.h"
#include "cpu_span.h"
#include "cpu_train.h"

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* ---- layernorm backward ---- */

/* fp32 vectors of `cols` floats a thread keeps: dgamma, dbeta, gamma, x/xhat, dy, g/dx */
#define LNB_ROWS_PER_THREAD 6

typedef struct lnb_plan {
    cpu_plan base;
    accel_layernorm_backward_desc d;
    int threads;
} lnb_plan;

static accel_status lnb_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const lnb_plan *p = (const lnb_plan *)plan;
    const accel_layernorm_backward_desc d = p->d;
    const void *X = cpu_ref_ptr(ops[0]), *gamma = cpu_ref_ptr(ops[1]), *dY = cpu_ref_ptr(ops[2]);
    void *dX = cpu_ref_ptr(ops[3]);
    float *dgamma = cpu_ref_ptr(ops[4]), *dbeta = cpu_ref_ptr(ops[5]);
    const int64_t C = d.cols;
    const float inv_c = 1.0f / (float)C, eps = (float)d.eps;
    /* per thread: dgamma and dbeta partials, gamma in fp32, then its current row's x (becoming
     * xhat), dy and g = dy gamma (becoming dx), all fp32 so every loop below vectorises */
    float *part = ws;
    const size_t per_thread = (size_t)LNB_ROWS_PER_THREAD * (size_t)C;
    memset(part, 0, sizeof(float) * per_thread * (size_t)p->threads);
#pragma omp parallel num_threads(p->threads)
    {
        float *pg = part + (size_t)thread_id() * per_thread, *pb = pg + C, *gam = pb + C;
        float *xh = gam + C, *dy = xh + C, *g = dy + C;
        cpu_span_copy_in(d.dtype, gamma, 0, C, gam);
#pragma omp for schedule(static)
        for (int64_t r = 0; r < d.rows; r++) {
            const int64_t base = r * C;
            cpu_span_copy_in(d.dtype, X, base, C, xh);
            cpu_span_copy_in(d.dtype, dY, base, C, dy);
            float mean, rstd;
            cpu_row_mean_rstd(xh, C, inv_c, eps, &mean, &rstd);
            float mean_g = 0.0f, mean_gx = 0.0f;
#pragma omp simd reduction(+ : mean_g, mean_gx)
            for (int64_t j = 0; j < C; j++) {
                xh[j] = (xh[j] - mean) * rstd;
                g[j] = dy[j] * gam[j];
                mean_g += g[j];
                mean_gx += g[j] * xh[j];
                pg[j] += dy[j] * xh[j];
                pb[j] += dy[j];
            }
            mean_g *= inv_c;
            mean_gx *= inv_c;
#pragma omp simd
            for (int64_t j = 0; j < C; j++) g[j] = rstd * (g[j] - mean_g - xh[j] * mean_gx);
            cpu_span_copy_out(d.dtype, dX, base, C, g);
        }
    }
    for (int64_t j = 0; j < C; j++) {
        double sg = d.accumulate ? dgamma[j] : 0.0, sb = d.accumulate ? dbeta[j] : 0.0;
        for (int t = 0; t < p->threads; t++) {
            sg += part[(size_t)t * per_thread + (size_t)j];
            sb += part[(size_t)t * per_thread + (size_t)C + (size_t)j];
        }
        dgamma[j] = (float)sg;
        dbeta[j] = (float)sb;
    }
    return ACCEL_OK;
}

/* ---- softmax backward ---- */

typedef struct smb_plan {
    cpu_plan base;
    accel_softmax_desc d;
} smb_plan;

static accel_status smb_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const accel_softmax_desc d = ((const smb_plan *)plan)->d;
    const void *Y = cpu_ref_ptr(ops[0]), *dY = cpu_ref_ptr(ops[1]);
    void *dX = cpu_ref_ptr(ops[2]);
    const int64_t C = d.cols;
    const float scale = (float)d.scale;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < d.rows; r++) {
        float by[CPU_SPAN], bd[CPU_SPAN], bo[CPU_SPAN];
        const int64_t base = r * C, end = base + C;
        float dot = 0.0f;
        for (int64_t off = base; off < end; off += CPU_SPAN) {
            const int64_t len = cpu_span_len(off, end);
            const float *y = cpu_span_in(d.dtype, Y, off, len, by), *dy = cpu_span_in(d.dtype, dY, off, len, bd);
#pragma omp simd reduction(+ : dot)
            for (int64_t j = 0; j < len; j++) dot += dy[j] * y[j];
        }
        for (int64_t off = base; off < end; off += CPU_SPAN) {
            const int64_t len = cpu_span_len(off, end);
            const float *y = cpu_span_in(d.dtype, Y, off, len, by), *dy = cpu_span_in(d.dtype, dY, off, len, bd);
            float *o = cpu_span_dst(d.dtype, dX, off, bo);
#pragma omp simd
            for (int64_t j = 0; j < len; j++) o[j] = scale * y[j] * (dy[j] - dot);
            cpu_span_out(d.dtype, dX, off, len, o);
        }
    }
    return ACCEL_OK;
}

/* ---- reduce: Y[c] (+)= sum over outer and inner of X[o, c, i] ---- */

typedef struct reduce_plan {
    cpu_plan base;
    accel_reduce_desc d;
    int threads;
} reduce_plan;

static accel_status reduce_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const reduce_plan *p = (const reduce_plan *)plan;
    const accel_reduce_desc d = p->d;
    const void *X = cpu_ref_ptr(ops[0]);
    void *Y = cpu_ref_ptr(ops[1]);
    const int64_t C = d.channels;
    float *part = ws; /* threads x channels */
    memset(part, 0, sizeof(float) * (size_t)C * (size_t)p->threads);
#pragma omp parallel num_threads(p->threads)
    {
        float *acc = part + (size_t)thread_id() * (size_t)C;
        float bx[CPU_SPAN];
        if (d.inner == 1) { /* bias gradients: rows of C contiguous channels, added as vectors */
#pragma omp for schedule(static)
            for (int64_t o = 0; o < d.outer; o++)
                for (int64_t c0 = 0; c0 < C; c0 += CPU_SPAN) {
                    const int64_t len = cpu_span_len(c0, C);
                    const float *x = cpu_span_in(d.x_type, X, o * C + c0, len, bx);
                    float *a = acc + c0;
#pragma omp simd
                    for (int64_t j = 0; j < len; j++) a[j] += x[j];
                }
        } else
#pragma omp for schedule(static)
        for (int64_t o = 0; o < d.outer; o++)
            for (int64_t c = 0; c < C; c++) {
                const int64_t base = (o * C + c) * d.inner;
                float s = 0.0f;
                for (int64_t i = 0; i < d.inner; i++) s += cpu_load(d.x_type, X, base + i);
                acc[c] += s;
            }
    }
    for (int64_t c = 0; c < C; c++) {
        double s = d.accumulate ? cpu_load(d.y_type, Y, c) : 0.0;
        for (int t = 0; t < p->threads; t++) s += part[(size_t)t * (size_t)C + (size_t)c];
        cpu_store(d.y_type, Y, c, (float)s);
    }
    return ACCEL_OK;
}

static void plan_free(cpu_plan *plan) { free(plan); }

static accel_status float_only(const accel_host_services *host, const char *op, accel_dtype t) {
    if (cpu_dtype_is_float(t)) return ACCEL_OK;
    return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu %s: dtype %d not supported (f32, bf16, f16)", op, (int)t);
}

accel_status cpu_layernorm_backward_plan(cpu_context *ctx, const accel_layernorm_backward_desc *d, cpu_plan **out,
                                         accel_plugin_plan_info *info) {
    accel_status st = float_only(ctx->host, "layernorm_backward", d->dtype);
    if (st != ACCEL_OK) return st;
    lnb_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->threads = ctx->threads;
    p->base.execute = lnb_execute;
    p->base.destroy = plan_free;
    p->base.workspace_bytes = sizeof(float) * LNB_ROWS_PER_THREAD * (size_t)d->cols * (size_t)ctx->threads;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "layernorm backward, statistics recomputed, fp32 rows");
    *out = &p->base;
    return ACCEL_OK;
}

accel_status cpu_softmax_backward_plan(cpu_context *ctx, const accel_softmax_desc *d, cpu_plan **out,
                                       accel_plugin_plan_info *info) {
    accel_status st = float_only(ctx->host, "softmax_backward", d->dtype);
    if (st != ACCEL_OK) return st;
    smb_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->base.execute = smb_execute;
    p->base.destroy = plan_free;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "softmax backward fp32");
    *out = &p->base;
    return ACCEL_OK;
}

accel_status cpu_reduce_plan(cpu_context *ctx, const accel_reduce_desc *d, cpu_plan **out, accel_plugin_plan_info *info) {
    accel_status st = float_only(ctx->host, "reduce", d->x_type);
    if (st != ACCEL_OK) return st;
    reduce_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->threads = ctx->threads;
    p->base.execute = reduce_execute;
    p->base.destroy = plan_free;
    p->base.workspace_bytes = sizeof(float) * (size_t)d->channels * (size_t)ctx->threads;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "channel sum, per-thread fp32 partials");
    *out = &p->base;
    return ACCEL_OK;
}
