/* The optimizer step and loss scaling: AdamW over a flat parameter buffer with its fp32 master and
 * compute-dtype model copy, scaling/unscaling with an inf/NaN flag, and the loss-scale update. All
 * of it reads its controls (the scale, the flag) from buffers, as a GPU would, never from the plan. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cpu_dtype.h"
#include "cpu_span.h"
#include "cpu_train.h"

typedef struct adamw_plan {
    cpu_plan base;
    accel_adamw_desc d;
    float c1, c2; /* bias corrections 1 - beta^step */
} adamw_plan;

typedef struct adamw_consts {
    float b1, b2, lr, wd, eps, c1, c2;
} adamw_consts;

/* Built with -fno-math-errno (CMakeLists.txt), so sqrtf widens to a vector sqrt. */
static void adamw_span(const adamw_consts *k, int64_t n, const float *g, float *m, float *v, float *param,
                       float *model) {
    const float b1 = k->b1, b2 = k->b2, lr = k->lr, wd = k->wd, eps = k->eps, c1 = k->c1, c2 = k->c2;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
        const float mi = b1 * m[i] + (1.0f - b1) * g[i], vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        const float pi = param[i] - lr * (wd * param[i] + (mi / c1) / (sqrtf(vi / c2) + eps));
        m[i] = mi;
        v[i] = vi;
        param[i] = pi;
    }
    if (model)
        for (int64_t i = 0; i < n; i++) model[i] = param[i];
}

static accel_status adamw_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const adamw_plan *p = (const adamw_plan *)plan;
    const accel_adamw_desc d = p->d;
    const int32_t *found_inf = cpu_ref_ptr(ops[5]);
    if (found_inf && *found_inf) return ACCEL_OK; /* an overflowing step is skipped */
    float *param = cpu_ref_ptr(ops[0]), *m = cpu_ref_ptr(ops[2]), *v = cpu_ref_ptr(ops[3]);
    const void *grad = cpu_ref_ptr(ops[1]);
    void *model = cpu_ref_ptr(ops[4]);
    const float b1 = (float)d.beta1, b2 = (float)d.beta2, lr = (float)d.lr, wd = (float)d.weight_decay;
    const float eps = (float)d.eps, c1 = p->c1, c2 = p->c2;
    const adamw_consts k = {b1, b2, lr, wd, eps, c1, c2};
    /* Spans of the gradient and the model copy go through fp32 so the update vectorises. */
#pragma omp parallel for schedule(static) if (d.count >= 16384)
    for (int64_t off = 0; off < d.count; off += CPU_SPAN) {
        float bg[CPU_SPAN], bm[CPU_SPAN];
        const int64_t len = cpu_span_len(off, d.count);
        const float *g = cpu_span_in(d.grad_type, grad, off, len, bg);
        adamw_span(&k, len, g, m + off, v + off, param + off, model ? bm : NULL);
        if (model) cpu_span_out(d.model_type, model, off, len, bm);
    }
    return ACCEL_OK;
}

typedef struct amp_scale_plan {
    cpu_plan base;
    accel_amp_scale_desc d;
} amp_scale_plan;

static accel_status amp_scale_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const accel_amp_scale_desc d = ((const amp_scale_plan *)plan)->d;
    void *X = cpu_ref_ptr(ops[0]);
    const float s = *(const float *)cpu_ref_ptr(ops[1]);
    int32_t *found_inf = cpu_ref_ptr(ops[2]);
    const float mul = d.invert ? 1.0f / s : s;
    int nonfinite = 0;
#pragma omp parallel for schedule(static) reduction(| : nonfinite) if (d.count >= 16384)
    for (int64_t i = 0; i < d.count; i++) {
        cpu_store(d.dtype, X, i, cpu_load(d.dtype, X, i) * mul);
        /* what the buffer now holds: an f16 overflow is an infinity there */
        nonfinite |= !isfinite(cpu_load(d.dtype, X, i));
    }
    if (found_inf && nonfinite) *found_inf = 1;
    return ACCEL_OK;
}

typedef struct amp_update_plan {
    cpu_plan base;
    accel_amp_update_desc d;
} amp_update_plan;

static accel_status amp_update_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    (void)ws;
    const accel_amp_update_desc d = ((const amp_update_plan *)plan)->d;
    float *scale = cpu_ref_ptr(ops[0]);
    int32_t *tracker = cpu_ref_ptr(ops[1]), *found_inf = cpu_ref_ptr(ops[2]), *skipped = cpu_ref_ptr(ops[3]);
    if (*found_inf) {
        *scale = (float)(*scale * d.backoff_factor);
        *tracker = 0;
        if (skipped) ++*skipped;
    } else if (++*tracker >= d.growth_interval) {
        *scale = (float)(*scale * d.growth_factor);
        *tracker = 0;
    }
    *found_inf = 0;
    return ACCEL_OK;
}

static void plan_free(cpu_plan *plan) { free(plan); }

static void *plan_alloc(cpu_context *ctx, size_t bytes, cpu_plan_execute_fn exec, accel_plugin_plan_info *info,
                        const char *algorithm) {
    cpu_plan *p = calloc(1, bytes);
    if (!p) {
        ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
        return NULL;
    }
    p->execute = exec;
    p->destroy = plan_free;
    snprintf(info->library, sizeof info->library, "accel");
    snprintf(info->algorithm, sizeof info->algorithm, "%s", algorithm);
    return p;
}

accel_status cpu_adamw_plan(cpu_context *ctx, const accel_adamw_desc *d, cpu_plan **out, accel_plugin_plan_info *info) {
    adamw_plan *p = plan_alloc(ctx, sizeof *p, adamw_execute, info, "adamw fp32 master, one pass");
    if (!p) return ACCEL_ERR_OUT_OF_MEMORY;
    p->d = *d;
    p->c1 = (float)(1.0 - pow(d->beta1, (double)d->step));
    p->c2 = (float)(1.0 - pow(d->beta2, (double)d->step));
    *out = &p->base;
    return ACCEL_OK;
}

accel_status cpu_amp_scale_plan(cpu_context *ctx, const accel_amp_scale_desc *d, cpu_plan **out,
                                accel_plugin_plan_info *info) {
    amp_scale_plan *p = plan_alloc(ctx, sizeof *p, amp_scale_execute, info,
                                   d->invert ? "unscale by 1/scale, inf/NaN check" : "scale");
    if (!p) return ACCEL_ERR_OUT_OF_MEMORY;
    p->d = *d;
    *out = &p->base;
    return ACCEL_OK;
}

accel_status cpu_amp_update_plan(cpu_context *ctx, const accel_amp_update_desc *d, cpu_plan **out,
                                 accel_plugin_plan_info *info) {
    amp_update_plan *p = plan_alloc(ctx, sizeof *p, amp_update_execute, info, "loss-scale update");
    if (!p) return ACCEL_ERR_OUT_OF_MEMORY;
    p->d = *d;
    *out = &p->base;
    return ACCEL_OK;
}
