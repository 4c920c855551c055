/* Planned op sequences and the unfused-epilogue fallback. */
#include "wl_steps.h"

#include <stdio.h>
#include <string.h>

accel_status wl_steps_add(wl_steps *steps, accel_device *dev, const accel_op_desc *desc,
                          const accel_buffer_ref *ops, size_t nops) {
    if (steps->count >= WL_MAX_STEPS)
        return wl_fail(ACCEL_ERR_INTERNAL, "too many ops in one workload (%d)", WL_MAX_STEPS);
    wl_step *s = &steps->items[steps->count];
    accel_status st = wl_plan(dev, desc, &s->plan, &steps->workspace_bytes);
    if (st != ACCEL_OK)
        return st;
    if (nops > WL_ARRAY_LEN(s->ops))
        return wl_fail(ACCEL_ERR_INTERNAL, "%zu operands for one op (at most %zu)", nops, WL_ARRAY_LEN(s->ops));
    s->nops = nops;
    memcpy(s->ops, ops, nops * sizeof *ops);
    s->kind = desc->kind;
    s->name[0] = '\0';
    wl_note_plan(steps->library, sizeof steps->library, s->plan);
    steps->count++;
    return ACCEL_OK;
}

accel_status wl_steps_run(wl_steps *steps, accel_stream *stream) {
    return wl_steps_run_range(steps, stream, 0, steps->count);
}

accel_status wl_steps_run_range(wl_steps *steps, accel_stream *stream, int from, int to) {
    accel_buffer_ref ws = {steps->workspace, 0};
    for (int i = from < 0 ? 0 : from; i < to && i < steps->count; i++) {
        accel_status st = accel_op_plan_execute(steps->items[i].plan, stream, steps->items[i].ops,
                                                steps->items[i].nops, ws);
        if (st != ACCEL_OK)
            return wl_fail_hal(st, "executing a layer op");
    }
    return ACCEL_OK;
}

accel_status wl_steps_profile(wl_steps *steps, accel_stream *stream, double *step_ms, size_t cap, size_t *count) {
    *count = 0;
    size_t n = (size_t)steps->count < cap ? (size_t)steps->count : cap;
    accel_timer *timers[WL_MAX_STEPS] = {0};
    accel_device *dev = accel_stream_device(stream);
    accel_status st = ACCEL_OK;
    size_t made = 0;
    /* Timers are made before the run, so that making one never falls between two steps. */
    for (; made < n && st == ACCEL_OK; made++)
        if ((st = accel_timer_create(dev, &timers[made])) != ACCEL_OK)
            wl_fail_hal(st, "creating a step timer");
    for (size_t i = 0; i < n && st == ACCEL_OK; i++) {
        if ((st = accel_timer_begin(timers[i], stream)) != ACCEL_OK) {
            wl_fail_hal(st, "beginning a step timer");
            break;
        }
        if ((st = wl_steps_run_range(steps, stream, (int)i, (int)i + 1)) != ACCEL_OK)
            break;
        if ((st = accel_timer_end(timers[i], stream)) != ACCEL_OK)
            wl_fail_hal(st, "ending a step timer");
    }
    /* The rest of the layer too, when cap cut the timed steps short: the run stays whole. */
    if (st == ACCEL_OK && n < (size_t)steps->count)
        st = wl_steps_run_range(steps, stream, (int)n, steps->count);
    if (st == ACCEL_OK && (st = accel_stream_synchronize(stream)) != ACCEL_OK)
        wl_fail_hal(st, "synchronizing the profiled run");
    for (size_t i = 0; i < n && st == ACCEL_OK; i++)
        if ((st = accel_timer_elapsed_ms(timers[i], &step_ms[i])) != ACCEL_OK)
            wl_fail_hal(st, "reading a step timer");
    for (size_t i = 0; i < made; i++)
        accel_timer_destroy(timers[i]);
    if (st == ACCEL_OK)
        *count = n;
    return st;
}

accel_status wl_steps_alloc_workspace(wl_steps *steps, wl_buffers *bufs, accel_device *dev) {
    if (!steps->workspace_bytes)
        return ACCEL_OK;
    return wl_alloc(bufs, dev, steps->workspace_bytes, ACCEL_MEMORY_DEVICE, &steps->workspace);
}

/* One line per step; a step that does not fit whole ends the text with "...". */
static void describe_steps(const wl_steps *steps, char *out, size_t len) {
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < steps->count; i++) {
        const wl_step *s = &steps->items[i];
        const char *kind = accel_op_kind_name(s->kind), *lib = accel_op_plan_library(s->plan),
                   *alg = accel_op_plan_algorithm(s->plan);
        char line[512];
        int n = snprintf(line, sizeof line, "%d %s: %s %s%s%s\n", i + 1, s->name[0] ? s->name : kind, kind,
                         lib && lib[0] ? lib : "-", alg && alg[0] ? ": " : "", alg ? alg : "");
        if (n < 0)
            break;
        if ((size_t)n >= sizeof line) { /* an algorithm longer than a line: cut it */
            n = (int)sizeof line - 1;
            line[n - 1] = '\n';
        }
        if (used + (size_t)n + 4 >= len) {
            snprintf(out + used, len - used, "...");
            return;
        }
        memcpy(out + used, line, (size_t)n + 1);
        used += (size_t)n;
    }
}

void wl_steps_describe(const wl_steps *steps, const wl_buffers *bufs, awl_dtype dtype, const awl_options *opt,
                       const char *lead, awl_setup_info *info) {
    snprintf(info->library, sizeof info->library, "%s", steps->library);
    snprintf(info->compute_type, sizeof info->compute_type, "%s", accel_compute_type_name(wl_compute_type(dtype)));
    snprintf(info->notes, sizeof info->notes, "%s", lead);
    if (steps->notes[0])
        wl_appendf(info->notes, sizeof info->notes, "%s%s", info->notes[0] ? "; " : "", steps->notes);
    if (opt && opt->cold)
        wl_appendf(info->notes, sizeof info->notes, "%scold: buffers not rotated (layer working set)",
                   info->notes[0] ? "; " : "");
    info->bandwidth = 0;
    snprintf(info->roof, sizeof info->roof, "matrix-%s", awl_dtype_name(dtype));
    info->device_bytes = bufs->bytes;
    describe_steps(steps, info->steps, sizeof info->steps);
}

void wl_steps_destroy(wl_steps *steps) {
    for (int i = 0; i < steps->count; i++)
        accel_op_plan_destroy(steps->items[i].plan);
    steps->count = 0;
}

static accel_status add_eltwise(wl_steps *steps, accel_device *dev, const char *library,
                                accel_eltwise_kind kind, accel_dtype t, int64_t count, int64_t cols,
                                accel_buffer_ref x, accel_buffer_ref z, accel_buffer_ref y) {
    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_ELTWISE;
    snprintf(op.library, sizeof op.library, "%s", library ? library : "");
    op.u.eltwise.kind = kind;
    op.u.eltwise.dtype = t;
    op.u.eltwise.count = count;
    op.u.eltwise.cols = cols;
    op.u.eltwise.alpha = 1.0;
    op.u.eltwise.beta = 1.0;
    accel_buffer_ref ops[3] = {x, z, y};
    return wl_steps_add(steps, dev, &op, ops, WL_ARRAY_LEN(ops));
}

/* The GEMM among steps [first, count) that one wl_steps_add_gemm_c call added gets its name. */
static accel_status name_gemms(wl_steps *steps, int first, const char *name, accel_status st) {
    if (st == ACCEL_OK)
        for (int i = first; i < steps->count; i++)
            if (steps->items[i].kind == ACCEL_OP_GEMM)
                snprintf(steps->items[i].name, sizeof steps->items[i].name, "%s", name ? name : "");
    return st;
}

accel_status wl_steps_add_gemm(wl_steps *steps, accel_device *dev, const char *library,
                               const accel_gemm_desc *g, accel_buffer_ref a, accel_buffer_ref b,
                               accel_buffer_ref d, accel_buffer_ref bias, const char *name) {
    const accel_buffer_ref none = {NULL, 0};
    return wl_steps_add_gemm_c(steps, dev, library, g, a, b, none, d, bias, name);
}

accel_status wl_steps_add_gemm_c(wl_steps *steps, accel_device *dev, const char *library,
                                 const accel_gemm_desc *g, accel_buffer_ref a, accel_buffer_ref b,
                                 accel_buffer_ref c, accel_buffer_ref d, accel_buffer_ref bias, const char *name) {
    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_GEMM;
    snprintf(op.library, sizeof op.library, "%s", library ? library : "");
    op.u.gemm = *g;
    accel_buffer_ref none = {NULL, 0};
    accel_buffer_ref ops[5] = {a, b, g->beta != 0.0 ? c : none, d, bias};
    const int first = steps->count;
    accel_status st = wl_steps_add(steps, dev, &op, ops, WL_ARRAY_LEN(ops));
    if (st != ACCEL_ERR_UNIMPLEMENTED || g->epilogue == ACCEL_EPILOGUE_NONE)
        return name_gemms(steps, first, name, st);
    /* The fused epilogue is not offered: peel it off, first the activation, then the bias too. */
    uint32_t act = g->epilogue & ~ACCEL_EPILOGUE_BIAS;
    accel_eltwise_kind act_kind = act & ACCEL_EPILOGUE_RELU        ? ACCEL_ELTWISE_RELU
                                  : act & ACCEL_EPILOGUE_GELU_TANH ? ACCEL_ELTWISE_GELU_TANH
                                                                   : ACCEL_ELTWISE_GELU_ERF;
    int64_t count = g->batch * g->m * g->n;
    int had_steps = steps->count;
    const char *how = NULL;
    if (act && (g->epilogue & ACCEL_EPILOGUE_BIAS)) {
        op.u.gemm.epilogue = ACCEL_EPILOGUE_BIAS;
        st = wl_steps_add(steps, dev, &op, ops, WL_ARRAY_LEN(ops));
        if (st == ACCEL_OK) {
            st = add_eltwise(steps, dev, library, act_kind, g->d_type, count, 0, d, none, d);
            how = "activation as eltwise";
        }
    }
    if (st == ACCEL_ERR_UNIMPLEMENTED || !how) {
        while (steps->count > had_steps)
            accel_op_plan_destroy(steps->items[--steps->count].plan);
        op.u.gemm.epilogue = ACCEL_EPILOGUE_NONE;
        ops[4] = none;
        st = wl_steps_add(steps, dev, &op, ops, WL_ARRAY_LEN(ops));
        if (st == ACCEL_OK && (g->epilogue & ACCEL_EPILOGUE_BIAS))
            st = add_eltwise(steps, dev, library, ACCEL_ELTWISE_BIAS_ADD, g->d_type, count, g->n, d,
                             bias, d);
        if (st == ACCEL_OK && act)
            st = add_eltwise(steps, dev, library, act_kind, g->d_type, count, 0, d, none, d);
        how = "bias and activation as eltwise";
    }
    if (st == ACCEL_OK)
        wl_appendf(steps->notes, sizeof steps->notes, "%s%s: %s (fused epilogue unimplemented)",
                   steps->notes[0] ? "; " : "", name, how);
    return name_gemms(steps, first, name, st);
}
