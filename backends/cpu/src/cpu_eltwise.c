/* Elementwise ops, fp32 arithmetic, flat parallel loops the compiler vectorises: fp32 STREAM kinds
 * straight on the data, the rest span by span through fp32 (cpu_span.h). */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_activation.h"
#include "cpu_dtype.h"
#include "cpu_internal.h"
#include "cpu_span.h"

typedef struct eltwise_plan {
    cpu_plan base;
    accel_eltwise_desc d;
} eltwise_plan;

/* STREAM's copy, scale and add/triad in fp32 with plain pointers, so they vectorise without the
 * per-element dtype dispatch; returns 0 for the kinds it does not cover. */
#if defined(__GNUC__) && !defined(__clang__)
/* Keep GCC from turning the copy loop into a memcpy call: glibc's large-copy path (rep movsb) runs
 * at a third of the vector loop's bandwidth on this AMD guest. */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static int f32_stream_kernel(const accel_eltwise_desc *d, const void *vx, const void *vz, void *vy,
                             int parallel) {
    const float *restrict x = vx;
    const float *restrict z = vz;
    float *restrict y = vy;
    const float alpha = (float)d->alpha, beta = (float)d->beta;
    const int64_t n = d->count;
    if (x == y || (z && z == y)) return 0; /* in place: restrict would be a lie */
    switch (d->kind) {
    case ACCEL_ELTWISE_COPY:
#pragma omp parallel for simd schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) y[i] = x[i];
        return 1;
    case ACCEL_ELTWISE_SCALE:
#pragma omp parallel for simd schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i];
        return 1;
    case ACCEL_ELTWISE_ADD:
#pragma omp parallel for simd schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i] + beta * z[i];
        return 1;
    default:
        return 0;
    }
}

/* One span of the general path: x, z, y are fp32 (y may be x or z: every element depends only on
 * its own inputs, so `omp simd` is safe where the compiler's alias check would keep it scalar).
 * Cloned per ISA: the activations' polynomials are worth the wider vectors. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void eltwise_span(
    accel_eltwise_kind kind, float alpha, float beta, const float *x, const float *z, float *y, int64_t n) {
    switch (kind) {
    case ACCEL_ELTWISE_COPY:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = x[i];
        break;
    case ACCEL_ELTWISE_SCALE:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i];
        break;
    case ACCEL_ELTWISE_ADD:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i] + beta * z[i];
        break;
    case ACCEL_ELTWISE_BIAS_ADD: /* z: the bias already repeated along the span; no scales */
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = x[i] + z[i];
        break;
    case ACCEL_ELTWISE_MUL:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = alpha * x[i] * z[i];
        break;
    case ACCEL_ELTWISE_RELU:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = cpu_relu(x[i]);
        break;
    case ACCEL_ELTWISE_GELU_ERF:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = cpu_gelu_erf_v(x[i]);
        break;
    case ACCEL_ELTWISE_GELU_TANH:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = cpu_gelu_tanh_v(x[i]);
        break;
    case ACCEL_ELTWISE_RELU_BACKWARD:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? z[i] : 0.0f;
        break;
    case ACCEL_ELTWISE_GELU_ERF_BACKWARD:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = z[i] * cpu_gelu_erf_grad_v(x[i]);
        break;
    case ACCEL_ELTWISE_GELU_TANH_BACKWARD:
#pragma omp simd
        for (int64_t i = 0; i < n; i++) y[i] = z[i] * cpu_gelu_tanh_grad_v(x[i]);
        break;
    }
}

static int eltwise_reads_z(accel_eltwise_kind k) {
    return k == ACCEL_ELTWISE_ADD || k == ACCEL_ELTWISE_MUL || k == ACCEL_ELTWISE_BIAS_ADD ||
           k == ACCEL_ELTWISE_RELU_BACKWARD || k == ACCEL_ELTWISE_GELU_ERF_BACKWARD ||
           k == ACCEL_ELTWISE_GELU_TANH_BACKWARD;
}

static accel_status eltwise_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const accel_eltwise_desc d = ((eltwise_plan *)plan)->d;
    const void *X = cpu_ref_ptr(ops[0]), *Z = cpu_ref_ptr(ops[1]);
    void *Y = cpu_ref_ptr(ops[2]);
    const accel_dtype t = d.dtype;
    const float alpha = (float)d.alpha, beta = (float)d.beta;
    const int64_t n = d.count, cols = d.cols > 0 ? d.cols : 1;
    /* Waking the thread team costs microseconds: not worth it for a few cache lines. */
    const int parallel = n >= 16384;
    if (t == ACCEL_DTYPE_F32 && f32_stream_kernel(&d, X, Z, Y, parallel)) return ACCEL_OK;
    const int reads_z = eltwise_reads_z(d.kind), bias = d.kind == ACCEL_ELTWISE_BIAS_ADD;
    /* Spans in the storage type are converted to fp32 on the way in and out (fp32 in place). */
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t off = 0; off < n; off += CPU_SPAN) {
        float bx[CPU_SPAN], bz[CPU_SPAN], by[CPU_SPAN];
        const int64_t len = cpu_span_len(off, n);
        const float *x = cpu_span_in(t, X, off, len, bx), *z = NULL;
        if (bias) {
            for (int64_t i = 0; i < len; i++) bz[i] = cpu_load(t, Z, (off + i) % cols);
            z = bz;
        } else if (reads_z) {
            z = cpu_span_in(t, Z, off, len, bz);
        }
        float *y = cpu_span_dst(t, Y, off, by);
        eltwise_span(d.kind, alpha, beta, x, z, y, len);
        cpu_span_out(t, Y, off, len, y);
    }
    return ACCEL_OK;
}

static void eltwise_destroy(cpu_plan *plan) { free(plan); }

accel_status cpu_eltwise_plan(cpu_context *ctx, const accel_eltwise_desc *d, cpu_plan **out,
                              accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    if (!cpu_dtype_is_float(d->dtype))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu eltwise: dtype %d not supported (f32, bf16, f16)", (int)d->dtype);
    if (d->kind < ACCEL_ELTWISE_COPY || d->kind > ACCEL_ELTWISE_GELU_TANH_BACKWARD)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu eltwise: unknown kind %d",
                               (int)d->kind);
    if (d->kind == ACCEL_ELTWISE_BIAS_ADD && (d->cols <= 0 || d->count % d->cols != 0))
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                               "cpu eltwise bias_add: count %lld is not a multiple of cols %lld",
                               (long long)d->count, (long long)d->cols);
    eltwise_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    p->base.execute = eltwise_execute;
    p->base.destroy = eltwise_destroy;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "eltwise kind %d fp32, vectorised spans", (int)d->kind);
    *out = &p->base;
    return ACCEL_OK;
}
