/* layernorm, rmsnorm and softmax: one row per iteration, rows spread over the threads, fp32 arithmetic
 * whatever the storage type. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_dtype.h"
#include "cpu_internal.h"
#include "cpu_row_stats.h"
#include "cpu_softmax_row.h"
#include "cpu_span.h"

static accel_status check_dtype(const accel_host_services *host, const char *op, accel_dtype t) {
    if (cpu_dtype_is_float(t)) return ACCEL_OK;
    return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                           "cpu %s: dtype %d not supported (f32, bf16, f16)", op, (int)t);
}

/* ---- layernorm ---- */

typedef struct layernorm_plan {
    cpu_plan base;
    accel_layernorm_desc d;
    int threads;
} layernorm_plan;

/* Row r of X (+ R) widened to fp32 in t: the three passes then read contiguous floats the compiler
 * vectorizes, instead of converting bf16/f16 elements three times through a type switch. */
static void layernorm_load_row(const accel_layernorm_desc *d, const void *X, const void *R,
                               int64_t base, float *t) {
    const int64_t cols = d->cols;
    if (d->dtype == ACCEL_DTYPE_BF16) {
        const uint16_t *x = (const uint16_t *)X + base, *r = R ? (const uint16_t *)R + base : NULL;
        for (int64_t j = 0; j < cols; j++)
            t[j] = cpu_bf16_to_f32(x[j]) + (r ? cpu_bf16_to_f32(r[j]) : 0.0f);
    } else if (d->dtype == ACCEL_DTYPE_F32) {
        const float *x = (const float *)X + base, *r = R ? (const float *)R + base : NULL;
        for (int64_t j = 0; j < cols; j++) t[j] = x[j] + (r ? r[j] : 0.0f);
    } else {
        for (int64_t j = 0; j < cols; j++)
            t[j] = cpu_load(d->dtype, X, base + j) + (R ? cpu_load(d->dtype, R, base + j) : 0.0f);
    }
}

/* One widened row t normalised into y (f32; may be t), and narrowed into y16 as bf16 when given;
 * cloned per ISA like the other row loops. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void layernorm_row(
    const float *t, float *y, uint16_t *y16, int64_t cols, float inv_cols, float eps, const float *g,
    const float *b) {
    float mean, rstd;
    cpu_row_mean_rstd(t, cols, inv_cols, eps, &mean, &rstd);
    if (y16) {
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) y16[j] = cpu_f32_to_bf16((t[j] - mean) * rstd * g[j] + b[j]);
    } else {
#pragma omp simd
        for (int64_t j = 0; j < cols; j++) y[j] = (t[j] - mean) * rstd * g[j] + b[j];
    }
}

/* workspace: gamma and beta as fp32, then one fp32 row per thread */
static accel_status layernorm_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const layernorm_plan *p = (const layernorm_plan *)plan;
    const accel_layernorm_desc d = p->d;
    const void *X = cpu_ref_ptr(ops[0]), *R = cpu_ref_ptr(ops[1]);
    const void *gamma = cpu_ref_ptr(ops[2]), *beta = cpu_ref_ptr(ops[3]);
    void *Y = cpu_ref_ptr(ops[4]);
    const void *res = d.has_residual ? R : NULL;
    const int64_t cols = d.cols;
    const float inv_cols = 1.0f / (float)cols;
    float *g = (float *)ws, *b = g + cols, *rows = b + cols;
    for (int64_t j = 0; j < cols; j++) {
        g[j] = cpu_load(d.dtype, gamma, j);
        b[j] = cpu_load(d.dtype, beta, j);
    }
#pragma omp parallel for num_threads(p->threads) schedule(static)
    for (int64_t r = 0; r < d.rows; r++) {
#ifdef _OPENMP
        float *t = rows + (int64_t)omp_get_thread_num() * cols;
#else
        float *t = rows;
#endif
        const int64_t base = r * cols;
        layernorm_load_row(&d, X, res, base, t);
        if (d.dtype == ACCEL_DTYPE_F32) {
            layernorm_row(t, (float *)Y + base, NULL, cols, inv_cols, (float)d.eps, g, b);
        } else if (d.dtype == ACCEL_DTYPE_BF16) {
            layernorm_row(t, t, (uint16_t *)Y + base, cols, inv_cols, (float)d.eps, g, b);
        } else {
            layernorm_row(t, t, NULL, cols, inv_cols, (float)d.eps, g, b);
            for (int64_t j = 0; j < cols; j++) cpu_store(d.dtype, Y, base + j, t[j]);
        }
    }
    return ACCEL_OK;
}

static void plan_free(cpu_plan *plan) { free(plan); }

static accel_status cpu_layernorm_plan(cpu_context *ctx, const accel_layernorm_desc *d, cpu_plan **out,
                                accel_plugin_plan_info *info) {
    accel_status st = check_dtype(ctx->host, "layernorm", d->dtype);
    if (st != ACCEL_OK) return st;
    layernorm_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->threads = ctx->threads;
    p->base.workspace_bytes = (size_t)(2 + p->threads) * (size_t)d->cols * sizeof(float);
    p->base.execute = layernorm_execute;
    p->base.destroy = plan_free;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "layernorm two-pass fp32%s",
             d->has_residual ? " + fused residual" : "");
    *out = &p->base;
    return ACCEL_OK;
}

/* ---- rmsnorm ---- */

typedef struct rmsnorm_plan {
    cpu_plan base;
    accel_rmsnorm_desc d;
} rmsnorm_plan;

static accel_status rmsnorm_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const accel_rmsnorm_desc d = ((rmsnorm_plan *)plan)->d;
    const void *X = cpu_ref_ptr(ops[0]), *gamma = cpu_ref_ptr(ops[1]);
    void *Y = cpu_ref_ptr(ops[2]);
    const int64_t cols = d.cols;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < d.rows; r++) {
        const int64_t base = r * cols;
        float sq = 0.0f;
        for (int64_t j = 0; j < cols; j++) {
            const float x = cpu_load(d.dtype, X, base + j);
            sq += x * x;
        }
        const float inv_rms = 1.0f / sqrtf(sq / (float)cols + (float)d.eps);
        for (int64_t j = 0; j < cols; j++)
            cpu_store(d.dtype, Y, base + j, cpu_load(d.dtype, X, base + j) * inv_rms * cpu_load(d.dtype, gamma, j));
    }
    return ACCEL_OK;
}

static accel_status cpu_rmsnorm_plan(cpu_context *ctx, const accel_rmsnorm_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info) {
    accel_status st = check_dtype(ctx->host, "rmsnorm", d->dtype);
    if (st != ACCEL_OK) return st;
    rmsnorm_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->base.execute = rmsnorm_execute;
    p->base.destroy = plan_free;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "rmsnorm fp32 sum of squares");
    *out = &p->base;
    return ACCEL_OK;
}

/* ---- softmax ---- */

typedef struct softmax_plan {
    cpu_plan base;
    accel_softmax_desc d;
    int threads;
} softmax_plan;

/* Row in: e = scale x (+ mask row), fp32 (x already fp32: the storage row itself, or widened). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void softmax_scale_mask(
    float *e, const float *x, float scale, const float *m, int64_t n) {
    if (m) {
#pragma omp simd
        for (int64_t j = 0; j < n; j++) e[j] = scale * x[j] + m[j];
    } else {
#pragma omp simd
        for (int64_t j = 0; j < n; j++) e[j] = scale * x[j];
    }
}

/* A bf16 row whole: widened, scaled and masked into e in one pass, its exponentials, and narrowed
 * into y in one more, inside one ISA clone, so that the conversions vectorise with the arithmetic
 * (through cpu_span.h they were separate scalar-ISA passes, and the bf16 softmax of BERT's
 * attention took 1.7x the fp32 one's time in `run --verbose`'s step times). Results below FLT_MIN
 * flushed to 0 as cpu_softmax_scale_row does. y may be x. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void softmax_row_bf16(
    const uint16_t *x, uint16_t *y, float *e, float scale, const float *m, int64_t n) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) e[j] = scale * cpu_bf16_to_f32(x[j]) + (m ? m[j] : 0.0f);
    const float inv = 1.0f / cpu_softmax_exp_row(e, n);
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        const float v = e[j] * inv;
        y[j] = cpu_f32_to_bf16(v < 1.17549435e-38f ? 0.0f : v);
    }
}

/* Each thread stages one row of exponentials in fp32 in the workspace: one exp per element whatever
 * the storage type, and Y may alias X. bf16/f16 rows are widened and narrowed through cpu_span.h. */
static accel_status softmax_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    const softmax_plan *sp = (const softmax_plan *)plan;
    const accel_softmax_desc d = sp->d;
    const void *X = cpu_ref_ptr(ops[0]);
    const float *mask = cpu_ref_ptr(ops[1]);
    void *Y = cpu_ref_ptr(ops[2]);
    const int64_t cols = d.cols, rpm = d.rows_per_mask_row > 0 ? d.rows_per_mask_row : 1;
    const int64_t stride = (cols + 15) / 16 * 16;
    float *scratch = (float *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    const float scale = (float)d.scale;
#pragma omp parallel num_threads(sp->threads)
    {
        int tid = 0;
#ifdef _OPENMP
        tid = omp_get_thread_num();
#endif
        float *e = scratch + (int64_t)tid * stride;
#pragma omp for schedule(static)
        for (int64_t r = 0; r < d.rows; r++) {
            const int64_t base = r * cols;
            const float *m = mask ? mask + (r / rpm) * cols : NULL;
            if (d.dtype == ACCEL_DTYPE_BF16) {
                softmax_row_bf16((const uint16_t *)X + base, (uint16_t *)Y + base, e, scale, m, cols);
                continue;
            }
            if (d.dtype == ACCEL_DTYPE_F32) {
                softmax_scale_mask(e, (const float *)X + base, scale, m, cols);
            } else {
                cpu_span_copy_in(d.dtype, X, base, cols, e);
                softmax_scale_mask(e, e, scale, m, cols);
            }
            const float inv = 1.0f / cpu_softmax_exp_row(e, cols);
            if (d.dtype == ACCEL_DTYPE_F32) {
                cpu_softmax_scale_row((float *)Y + base, e, inv, cols);
            } else {
                cpu_softmax_scale_row(e, e, inv, cols);
                cpu_span_copy_out(d.dtype, Y, base, cols, e);
            }
        }
    }
    return ACCEL_OK;
}

static accel_status cpu_softmax_plan(cpu_context *ctx, const accel_softmax_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info) {
    accel_status st = check_dtype(ctx->host, "softmax", d->dtype);
    if (st != ACCEL_OK) return st;
    softmax_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->threads = ctx->threads;
    p->base.execute = softmax_execute;
    p->base.destroy = plan_free;
    p->base.workspace_bytes = 64 + (size_t)p->threads * (size_t)((d->cols + 15) / 16 * 16) * 4;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "softmax rowwise fp32");
    *out = &p->base;
    return ACCEL_OK;
}

accel_status cpu_rowwise_plan(cpu_context *ctx, const accel_op_desc *desc, cpu_plan **out,
                              accel_plugin_plan_info *info) {
    switch (desc->kind) {
    case ACCEL_OP_LAYERNORM: return cpu_layernorm_plan(ctx, &desc->u.layernorm, out, info);
    case ACCEL_OP_RMSNORM: return cpu_rmsnorm_plan(ctx, &desc->u.rmsnorm, out, info);
    case ACCEL_OP_SOFTMAX: return cpu_softmax_plan(ctx, &desc->u.softmax, out, info);
    default:
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu: %s is not a row-wise op here",
                                    accel_op_kind_label(desc->kind));
    }
}
