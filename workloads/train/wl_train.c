#include "wl_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void wl_group_add(wl_param_group *g, const char *name, int64_t count, double lo, double hi) {
    if (g->ntensors >= WL_MAX_PARAM_TENSORS) return; /* callers stay within the limit */
    g->tensors[g->ntensors++] = (wl_param_tensor){name, g->count, count, lo, hi};
    g->count += count;
}

static accel_status alloc(wl_buffers *bufs, accel_device *dev, accel_dtype t, int64_t count, accel_buffer **out) {
    return wl_alloc(bufs, dev, (size_t)count * accel_dtype_size(t), ACCEL_MEMORY_DEVICE, out);
}

accel_status wl_group_init(wl_param_group *g, wl_buffers *bufs, accel_device *dev, accel_stream *stream,
                           accel_dtype model_type, accel_dtype grad_type, uint64_t seed) {
    g->model_type = model_type;
    g->grad_type = grad_type;
    const int64_t n = g->count;
    accel_status s;
    if ((s = alloc(bufs, dev, ACCEL_DTYPE_F32, n, &g->master)) != ACCEL_OK ||
        (s = alloc(bufs, dev, grad_type, n, &g->grad)) != ACCEL_OK ||
        (s = alloc(bufs, dev, ACCEL_DTYPE_F32, n, &g->m)) != ACCEL_OK ||
        (s = alloc(bufs, dev, ACCEL_DTYPE_F32, n, &g->v)) != ACCEL_OK)
        return s;
    if (model_type == ACCEL_DTYPE_F32) g->model = g->master;
    else if ((s = alloc(bufs, dev, model_type, n, &g->model)) != ACCEL_OK) return s;
    g->master0 = malloc(sizeof(float) * (size_t)n);
    g->m0 = malloc(sizeof(float) * (size_t)n);
    g->v0 = malloc(sizeof(float) * (size_t)n);
    g->model0 = malloc((size_t)n * accel_dtype_size(model_type));
    if (!g->master0 || !g->m0 || !g->v0 || !g->model0) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "training parameters");
    /* Values drawn in the model type, so the master holds exactly what the forward reads. */
    for (int i = 0; i < g->ntensors; i++) {
        const wl_param_tensor *t = &g->tensors[i];
        char *dst = (char *)g->model0 + (size_t)t->offset * accel_dtype_size(model_type);
        accel_ref_fill_random(model_type, dst, t->count, seed * 1009 + (uint64_t)i, t->lo, t->hi);
    }
    for (int64_t i = 0; i < n; i++) g->master0[i] = (float)accel_ref_load(model_type, g->model0, i);
    /* Moments as if in the middle of training: |m| well inside the gradients' range, v > 0. */
    accel_ref_fill_random(ACCEL_DTYPE_F32, g->m0, n, seed * 1013 + 1, -1e-3, 1e-3);
    accel_ref_fill_random(ACCEL_DTYPE_F32, g->v0, n, seed * 1013 + 2, 1e-7, 1e-5);
    return wl_train_restore(stream, (wl_param_group *const[]){g}, 1, NULL);
}

void wl_group_grad_ready(wl_param_group *g, int tensor, const wl_steps *steps) {
    g->grad_ready[tensor] = steps->count;
}

accel_buffer_ref wl_group_model(const wl_param_group *g, int tensor) {
    return wl_ref(g->model, (size_t)g->tensors[tensor].offset * accel_dtype_size(g->model_type));
}

accel_buffer_ref wl_group_grad(const wl_param_group *g, int tensor) {
    return wl_ref(g->grad, (size_t)g->tensors[tensor].offset * accel_dtype_size(g->grad_type));
}

void wl_group_free_host(wl_param_group *g) {
    free(g->master0), free(g->m0), free(g->v0), free(g->model0);
    g->master0 = g->m0 = g->v0 = NULL;
    g->model0 = NULL;
}

/* ---- loss scaling ---- */

typedef struct amp_words {
    float scale;
    int32_t tracker, found, skipped;
} amp_words;

accel_status wl_amp_init(wl_amp *amp, int enabled, wl_buffers *bufs, accel_device *dev, accel_stream *stream) {
    amp->enabled = enabled;
    if (!enabled) return ACCEL_OK;
    accel_status s = wl_alloc(bufs, dev, sizeof(amp_words), ACCEL_MEMORY_DEVICE, &amp->state);
    if (s != ACCEL_OK) return s;
    const amp_words w = {(float)WL_TRAIN_INIT_SCALE, 0, 0, 0};
    return wl_upload(stream, amp->state, 0, &w, sizeof w);
}

accel_status wl_amp_set_scale(accel_stream *stream, const wl_amp *amp, double scale) {
    if (!amp->enabled) return ACCEL_OK;
    const float f = (float)scale;
    return wl_upload(stream, amp->state, offsetof(amp_words, scale), &f, sizeof f);
}

accel_buffer_ref wl_amp_scale(const wl_amp *amp) { return wl_ref(amp->state, offsetof(amp_words, scale)); }
accel_buffer_ref wl_amp_found(const wl_amp *amp) {
    return amp->enabled ? wl_ref(amp->state, offsetof(amp_words, found)) : (accel_buffer_ref){NULL, 0};
}

static accel_status add_op(wl_steps *steps, accel_device *dev, const char *lib, accel_op_desc *op,
                           const accel_buffer_ref *ops, size_t n) {
    snprintf(op->library, sizeof op->library, "%s", lib);
    return wl_steps_add(steps, dev, op, ops, n);
}

accel_status wl_amp_add_scaled_copy(wl_steps *steps, accel_device *dev, const char *lib, const wl_amp *amp,
                                    accel_dtype t, int64_t count, accel_buffer_ref src, accel_buffer_ref dst) {
    accel_op_desc op = {.kind = ACCEL_OP_ELTWISE};
    op.u.eltwise = (accel_eltwise_desc){.kind = ACCEL_ELTWISE_COPY, .dtype = t, .count = count, .alpha = 1, .beta = 1};
    const accel_buffer_ref none = {NULL, 0};
    accel_buffer_ref cp[3] = {src, none, dst};
    accel_status s = add_op(steps, dev, lib, &op, cp, 3);
    if (s != ACCEL_OK) return s;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_AMP_SCALE;
    op.u.amp_scale = (accel_amp_scale_desc){t, count, 0};
    accel_buffer_ref sc[3] = {dst, wl_amp_scale(amp), none};
    return add_op(steps, dev, lib, &op, sc, 3);
}

accel_status wl_train_add_optimizer(wl_steps *steps, accel_device *dev, const char *lib, const wl_amp *amp,
                                    wl_param_group *const *groups, int ngroups) {
    accel_status s = ACCEL_OK;
    accel_op_desc op;
    const accel_buffer_ref none = {NULL, 0};
    for (int i = 0; amp->enabled && i < ngroups && s == ACCEL_OK; i++) {
        memset(&op, 0, sizeof op);
        op.kind = ACCEL_OP_AMP_SCALE;
        op.u.amp_scale = (accel_amp_scale_desc){groups[i]->grad_type, groups[i]->count, 1};
        accel_buffer_ref ops[3] = {wl_ref(groups[i]->grad, 0), wl_amp_scale(amp), wl_amp_found(amp)};
        s = add_op(steps, dev, lib, &op, ops, 3);
    }
    for (int i = 0; i < ngroups && s == ACCEL_OK; i++) {
        const wl_param_group *g = groups[i];
        const int copy = g->model_type != ACCEL_DTYPE_F32;
        memset(&op, 0, sizeof op);
        op.kind = ACCEL_OP_ADAMW;
        op.u.adamw = (accel_adamw_desc){g->grad_type, copy ? g->model_type : ACCEL_DTYPE_INVALID, g->count, WL_TRAIN_LR,
                                        WL_TRAIN_BETA1, WL_TRAIN_BETA2, WL_TRAIN_EPS, WL_TRAIN_WEIGHT_DECAY, WL_TRAIN_STEP};
        accel_buffer_ref ops[6] = {wl_ref(g->master, 0), wl_ref(g->grad, 0), wl_ref(g->m, 0), wl_ref(g->v, 0),
                                   copy ? wl_ref(g->model, 0) : none, wl_amp_found(amp)};
        s = add_op(steps, dev, lib, &op, ops, 6);
    }
    if (s == ACCEL_OK && amp->enabled) {
        memset(&op, 0, sizeof op);
        op.kind = ACCEL_OP_AMP_UPDATE_SCALE;
        op.u.amp_update = (accel_amp_update_desc){2.0, 0.5, WL_TRAIN_GROWTH_INTERVAL};
        accel_buffer_ref ops[4] = {wl_amp_scale(amp), wl_ref(amp->state, offsetof(amp_words, tracker)),
                                   wl_amp_found(amp), wl_ref(amp->state, offsetof(amp_words, skipped))};
        s = add_op(steps, dev, lib, &op, ops, 4);
    }
    return s;
}

accel_status wl_train_restore(accel_stream *stream, wl_param_group *const *groups, int ngroups, const wl_amp *amp) {
    accel_status s = ACCEL_OK;
    for (int i = 0; i < ngroups && s == ACCEL_OK; i++) {
        const wl_param_group *g = groups[i];
        const size_t n = (size_t)g->count;
        s = wl_upload(stream, g->master, 0, g->master0, n * sizeof(float));
        if (s == ACCEL_OK && g->model != g->master)
            s = wl_upload(stream, g->model, 0, g->model0, n * accel_dtype_size(g->model_type));
        if (s == ACCEL_OK) s = wl_upload(stream, g->m, 0, g->m0, n * sizeof(float));
        if (s == ACCEL_OK) s = wl_upload(stream, g->v, 0, g->v0, n * sizeof(float));
    }
    if (s == ACCEL_OK && amp && amp->enabled) {
        const amp_words w = {(float)WL_TRAIN_VERIFY_SCALE, 0, 0, 0};
        s = wl_upload(stream, amp->state, 0, &w, sizeof w);
    }
    return s;
}

accel_status wl_amp_read(accel_stream *stream, const wl_amp *amp, int32_t *skipped, float *scale) {
    *skipped = 0;
    *scale = 1.0f;
    if (!amp->enabled) return ACCEL_OK;
    amp_words *w = NULL;
    accel_status s = wl_download(stream, amp->state, 0, sizeof *w, (void **)&w);
    if (s != ACCEL_OK) return s;
    *skipped = w->skipped;
    *scale = w->scale;
    free(w);
    return ACCEL_OK;
}

accel_status wl_train_check_grad(accel_stream *stream, const wl_param_group *g, int tensor, const double *ref,
                                 double tol, awl_verify_result *out) {
    const wl_param_tensor *t = &g->tensors[tensor];
    const size_t es = accel_dtype_size(g->grad_type);
    void *got = NULL;
    accel_status s = wl_download(stream, g->grad, (size_t)t->offset * es, (size_t)t->count * es, &got);
    if (s != ACCEL_OK) return s;
    char what[64];
    snprintf(what, sizeof what, "gradient of %s", t->name);
    wl_verify_normwise(g->grad_type, got, ref, t->count, tol, what, out);
    free(got);
    return ACCEL_OK;
}

accel_status wl_train_check_update(accel_stream *stream, const wl_param_group *g, double tol, awl_verify_result *out) {
    /* The reference update starts from the device's own gradients: they were checked against fp64
     * on their own, and the optimizer's sign-like m/sqrt(v) would otherwise amplify their rounding
     * into errors that say nothing about the optimizer. */
    float *p = NULL;
    void *grads = NULL;
    accel_status s = wl_download(stream, g->master, 0, sizeof(float) * (size_t)g->count, (void **)&p);
    if (s == ACCEL_OK) s = wl_download(stream, g->grad, 0, accel_dtype_size(g->grad_type) * (size_t)g->count, &grads);
    if (s != ACCEL_OK) {
        free(p);
        return s;
    }
    for (int i = 0; i < g->ntensors; i++) {
        const wl_param_tensor *t = &g->tensors[i];
        double *np = malloc(sizeof(double) * (size_t)t->count), *nm = malloc(sizeof(double) * (size_t)t->count);
        double *nv = malloc(sizeof(double) * (size_t)t->count), *ref = malloc(sizeof(double) * (size_t)t->count);
        double *gd = malloc(sizeof(double) * (size_t)t->count);
        float *got = malloc(sizeof(float) * (size_t)t->count);
        if (!np || !nm || !nv || !ref || !gd || !got) {
            free(np), free(nm), free(nv), free(ref), free(gd), free(got), free(p), free(grads);
            return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "verifying the update");
        }
        for (int64_t k = 0; k < t->count; k++) gd[k] = accel_ref_load(g->grad_type, grads, t->offset + k);
        const accel_adamw_desc d = {ACCEL_DTYPE_F64, ACCEL_DTYPE_INVALID, t->count, WL_TRAIN_LR, WL_TRAIN_BETA1,
                                    WL_TRAIN_BETA2, WL_TRAIN_EPS, WL_TRAIN_WEIGHT_DECAY, WL_TRAIN_STEP};
        accel_ref_adamw(&d, g->master0 + t->offset, gd, g->m0 + t->offset, g->v0 + t->offset, 0, np, nm, nv);
        /* The update itself: master - master0 is what the step changed. An fp32 master holds it
         * no more precisely than its own rounding (two roundings at |p|: decay, then step), which
         * for a layernorm gain near 1 and lr 1e-4 is ~1e-3 of the update: the bound adds that. */
        double pp = 0, uu = 0;
        for (int64_t k = 0; k < t->count; k++) {
            ref[k] = np[k] - g->master0[t->offset + k];
            got[k] = p[t->offset + k] - g->master0[t->offset + k];
            pp += np[k] * np[k];
            uu += ref[k] * ref[k];
        }
        const double u32 = 0x1p-24;
        const double bound = tol + (uu > 0 ? 3 * u32 * sqrt(pp / uu) : 0);
        char what[64];
        snprintf(what, sizeof what, "AdamW update of %s", t->name);
        wl_verify_normwise(ACCEL_DTYPE_F32, got, ref, t->count, bound, what, out);
        free(np), free(nm), free(nv), free(ref), free(gd), free(got);
    }
    free(p), free(grads);
    return ACCEL_OK;
}

double wl_train_tolerance(awl_dtype d) {
    /* Measured on the cpu backend for base-s128-b1-train (docs/workloads.md): fp32 gradients
     * 8e-7, bf16 5e-3. The thresholds leave 10x and more for longer sequences and other summation
     * orders; tf32 and fp16 sit between, by their unit roundoff (2^-11). A wrong kernel errs by
     * O(1) and fails any of them. */
    switch (d) {
    case AWL_FP32: return 1e-4;
    case AWL_TF32: return 2e-2;
    case AWL_FP16: return 1e-2;
    case AWL_BF16: return 5e-2;
    default: return 5e-2;
    }
}

void wl_train_describe(wl_steps *steps, wl_buffers *bufs, awl_dtype dtype, const awl_options *opt, const char *what,
                       double flop, double samples, awl_setup_info *info) {
    info->flop = flop;
    info->bytes = 0;
    info->items = samples;
    info->item = "sample";
    char lead[160];
    snprintf(lead, sizeof lead, "training step: %s%s", what,
             dtype == AWL_FP16 ? ", dynamic loss scaling" : dtype == AWL_BF16 ? ", bf16 with fp32 masters" : "");
    wl_steps_describe(steps, bufs, dtype, opt, lead, info);
}

double wl_amp_input_grad_factor(const wl_amp *amp) { return amp->enabled ? WL_TRAIN_VERIFY_SCALE : 1.0; }
