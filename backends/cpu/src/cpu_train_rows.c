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
    /* per thread: dgamma and dbeta partials, then xhat and g for its current row */
    float *part = ws;
    const size_t per_thread = (size_t)4 * (size_t)C;
    memset(part, 0, sizeof(float) * per_thread * (size_t)p->threads);
#pragma omp parallel num_threads(p->threads)
    {
        float *pg = part + (size_t)thread_id() * per_thread, *pb = pg + C, *xhat = pb + C, *g = xhat + C;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < d.rows; r++) {
            const int64_t base = r * C;
            float sum = 0.0f;
            for (int64_t j = 0; j < C; j++) sum += cpu_load(d.dtype, X, base + j);
            const float mean = sum * inv_c;
            float sq = 0.0f;
            for (int64_t j = 0; j < C; j++) {
                const float t = cpu_load(d.dtype, X, base + j) - mean;
                sq += t * t;
            }
            const float rstd = 1.0f / sqrtf(sq * inv_c + eps);
            float mean_g = 0.0f, mean_gx = 0.0f;
            for (int64_t j = 0; j < C; j++) {
                const float dy = cpu_load(d.dtype, dY, base + j);
                xhat[j] = (cpu_load(d.dtype, X, base + j) - mean) * rstd;
                g[j] = dy * cpu_load(d.dtype, gamma, j);
                mean_g += g[j];
                mean_gx += g[j] * xhat[j];
                pg[j] += dy * xhat[j];
                pb[j] += dy;
            }
            mean_g *= inv_c;
            mean_gx *= inv_c;
            for (int64_t j = 0; j < C; j++) cpu_store(d.dtype, dX, base + j, rstd * (g[j] - mean_g - xhat[j] * mean_gx));
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
        const int64_t base = r * C;
        float dot = 0.0f;
        for (int64_t j = 0; j < C; j++) dot += cpu_load(d.dtype, dY, base + j) * cpu_load(d.dtype, Y, base + j);
        for (int64_t j = 0; j < C; j++)
            cpu_store(d.dtype, dX, base + j, scale * cpu_load(d.dtype, Y, base + j) * (cpu_load(d.dtype, dY, base + j) - dot));
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
    p->base.workspace_bytes = sizeof(float) * 4 * (size_t)d->cols * (size_t)ctx->threads;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "layernorm backward, statistics recomputed, fp32");
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
