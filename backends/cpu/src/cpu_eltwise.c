/* Elementwise ops, fp32 arithmetic, flat parallel loops the compiler vectorises. */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_activation.h"
#include "cpu_dtype.h"
#include "cpu_internal.h"

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
    switch (d.kind) {
    case ACCEL_ELTWISE_COPY:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_load(t, X, i));
        break;
    case ACCEL_ELTWISE_SCALE:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, alpha * cpu_load(t, X, i));
        break;
    case ACCEL_ELTWISE_ADD:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++)
            cpu_store(t, Y, i, alpha * cpu_load(t, X, i) + beta * cpu_load(t, Z, i));
        break;
    case ACCEL_ELTWISE_MUL:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++)
            cpu_store(t, Y, i, alpha * cpu_load(t, X, i) * cpu_load(t, Z, i));
        break;
    case ACCEL_ELTWISE_RELU:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_relu(cpu_load(t, X, i)));
        break;
    case ACCEL_ELTWISE_GELU_ERF:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_gelu_erf(cpu_load(t, X, i)));
        break;
    case ACCEL_ELTWISE_GELU_TANH:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_gelu_tanh(cpu_load(t, X, i)));
        break;
    case ACCEL_ELTWISE_BIAS_ADD: {
        const int64_t rows = n / cols;
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t r = 0; r < rows; r++)
            for (int64_t j = 0; j < cols; j++)
                cpu_store(t, Y, r * cols + j, cpu_load(t, X, r * cols + j) + cpu_load(t, Z, j));
        break;
    }
    case ACCEL_ELTWISE_RELU_BACKWARD:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_load(t, X, i) > 0.0f ? cpu_load(t, Z, i) : 0.0f);
        break;
    case ACCEL_ELTWISE_GELU_ERF_BACKWARD:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_load(t, Z, i) * cpu_gelu_erf_grad(cpu_load(t, X, i)));
        break;
    case ACCEL_ELTWISE_GELU_TANH_BACKWARD:
#pragma omp parallel for schedule(static) if (parallel)
        for (int64_t i = 0; i < n; i++) cpu_store(t, Y, i, cpu_load(t, Z, i) * cpu_gelu_tanh_grad(cpu_load(t, X, i)));
        break;
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
    snprintf(info->algorithm, sizeof info->algorithm, "eltwise kind %d fp32", (int)d->kind);
    *out = &p->base;
    return ACCEL_OK;
}
