/* The training ops (accel/ops_train.h) against their fp64 references: backward passes at awkward
 * sizes in both layouts, the optimizer with and without a model copy and with a skipped step, and
 * loss scaling including an fp16 overflow. Run once per op library, like the forward ops. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

#define MAXOPS ACCEL_OP_MAX_OPERANDS

/* Operands of one op: each given as (type, count, role); inputs random in [lo, hi), outputs zeroed
 * (or random when `role` is in/out). */
enum { IN = 0, OUT = 1, INOUT = 2, ABSENT = 3 };
typedef struct operand_spec {
    accel_dtype type;
    int64_t count;
    int role;
    double lo, hi;
} operand_spec;

static accel_status make(conf_ctx *c, const operand_spec *spec, int n, conf_tensor *t) {
    memset(t, 0, sizeof(conf_tensor) * MAXOPS);
    for (int i = 0; i < n; i++) {
        if (spec[i].role == ABSENT) continue;
        accel_status st = spec[i].role == OUT ? conf_tensor_empty(c, &t[i], spec[i].type, spec[i].count)
                                              : conf_tensor_random(c, &t[i], spec[i].type, spec[i].count, 300 + (uint64_t)i,
                                                                   spec[i].lo, spec[i].hi);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}

static void free_all(conf_tensor *t) {
    for (int i = 0; i < MAXOPS; i++) conf_tensor_free(&t[i]);
}

/* Plans desc through the library under test, runs it once, reads every operand back. */
static conf_result run(conf_ctx *c, const accel_op_desc *desc, conf_tensor *t, int n) {
    accel_op_desc d = *desc;
    snprintf(d.library, sizeof d.library, "%s", c->library);
    accel_op_plan *plan = NULL;
    accel_buffer *ws = NULL;
    accel_status st = accel_op_plan_create(c->dev, &d, &plan);
    if (st != ACCEL_OK) return conf_from_status(c, st, "plan");
    const size_t wsb = accel_op_plan_workspace_size(plan);
    if (wsb) st = accel_buffer_alloc(c->dev, wsb, ACCEL_MEMORY_DEVICE, &ws);
    accel_buffer_ref refs[MAXOPS];
    for (int i = 0; i < n; i++) refs[i] = conf_ref(&t[i]);
    if (st == ACCEL_OK) st = accel_op_plan_execute(plan, c->stream, refs, (size_t)n, (accel_buffer_ref){ws, 0});
    for (int i = 0; i < n && st == ACCEL_OK; i++)
        if (t[i].buf) st = conf_tensor_download(c, &t[i]);
    accel_op_plan_destroy(plan);
    accel_buffer_free(ws);
    return st == ACCEL_OK ? CONF_PASS : conf_from_status(c, st, "execute");
}

/* One output against its reference; `what` names it in the failure. */
static conf_result compare(conf_ctx *c, conf_tensor *got, const double *ref, double tol, const char *what) {
    conf_result r = conf_compare_normwise(c, got, ref, tol);
    if (r != CONF_PASS) conf_prefix(c, "%s", what);
    return r;
}

static double *doubles(int64_t n) { return calloc((size_t)n, sizeof(double)); }

/* ---- layernorm backward ---- */
static conf_result layernorm_backward_case(conf_ctx *c, accel_dtype dt, int accumulate) {
    const int64_t R = 13, C = 77;
    accel_op_desc d = {.kind = ACCEL_OP_LAYERNORM_BACKWARD};
    d.u.layernorm_backward = (accel_layernorm_backward_desc){dt, R, C, 1e-5, accumulate};
    const operand_spec spec[6] = {{dt, R * C, IN, -2, 2}, {dt, C, IN, 0.5, 1.5}, {dt, R * C, IN, -1, 1},
                                  {dt, R * C, OUT, 0, 0}, {ACCEL_DTYPE_F32, C, accumulate ? INOUT : OUT, -1, 1},
                                  {ACCEL_DTYPE_F32, C, accumulate ? INOUT : OUT, -1, 1}};
    conf_tensor t[MAXOPS];
    accel_status st = make(c, spec, 6, t);
    double *g0 = doubles(C), *b0 = doubles(C);
    for (int64_t j = 0; j < C && accumulate && st == ACCEL_OK; j++)
        g0[j] = ((float *)t[4].host)[j], b0[j] = ((float *)t[5].host)[j];
    conf_result r = st == ACCEL_OK ? run(c, &d, t, 6) : conf_from_status(c, st, "operands");
    if (r == CONF_PASS) {
        double *dx = doubles(R * C), *dg = doubles(C), *db = doubles(C);
        accel_ref_layernorm_backward(&d.u.layernorm_backward, t[0].host, t[1].host, t[2].host, dx, dg, db);
        for (int64_t j = 0; j < C; j++) dg[j] += g0[j], db[j] += b0[j];
        if (c->corrupt) ((float *)t[4].host)[3] += 1.0f;
        r = compare(c, &t[4], dg, conf_tolerance(ACCEL_DTYPE_F32), "dgamma");
        if (r == CONF_PASS) r = compare(c, &t[5], db, conf_tolerance(ACCEL_DTYPE_F32), "dbeta");
        if (r == CONF_PASS) r = compare(c, &t[3], dx, conf_tolerance(dt), "dX");
        free(dx), free(dg), free(db);
    }
    free(g0), free(b0);
    free_all(t);
    return r;
}
static conf_result check_layernorm_backward_f32(conf_ctx *c) { return layernorm_backward_case(c, ACCEL_DTYPE_F32, 0); }
static conf_result check_layernorm_backward_bf16_acc(conf_ctx *c) { return layernorm_backward_case(c, ACCEL_DTYPE_BF16, 1); }

/* ---- softmax backward ---- */
static conf_result softmax_backward_case(conf_ctx *c, accel_dtype dt) {
    const int64_t R = 30, C = 13;
    accel_op_desc d = {.kind = ACCEL_OP_SOFTMAX_BACKWARD};
    d.u.softmax = (accel_softmax_desc){.dtype = dt, .rows = R, .cols = C, .scale = 0.37};
    /* Y: a real softmax output (rows summing to 1) */
    const operand_spec spec[3] = {{dt, R * C, OUT, 0, 0}, {dt, R * C, IN, -1, 1}, {dt, R * C, OUT, 0, 0}};
    conf_tensor t[MAXOPS];
    accel_status st = make(c, spec, 3, t);
    if (st == ACCEL_OK) {
        accel_softmax_desc f = d.u.softmax;
        f.scale = 1.0;
        double *logits = doubles(R * C), *y = doubles(R * C);
        void *x = malloc((size_t)(R * C) * accel_dtype_size(dt));
        accel_ref_fill_random(dt, x, R * C, 77, -3, 3);
        accel_ref_softmax(&f, x, NULL, y);
        for (int64_t i = 0; i < R * C; i++) accel_ref_store(dt, t[0].host, i, y[i]);
        st = accel_buffer_write(c->stream, t[0].buf, 0, t[0].host, (size_t)(R * C) * accel_dtype_size(dt));
        free(logits), free(y), free(x);
    }
    conf_result r = st == ACCEL_OK ? run(c, &d, t, 3) : conf_from_status(c, st, "operands");
    if (r == CONF_PASS) {
        double *ref = doubles(R * C);
        accel_ref_softmax_backward(&d.u.softmax, t[0].host, t[1].host, ref);
        r = compare(c, &t[2], ref, conf_tolerance(dt), "dX");
        free(ref);
    }
    free_all(t);
    return r;
}
static conf_result check_softmax_backward_f32(conf_ctx *c) { return softmax_backward_case(c, ACCEL_DTYPE_F32); }
static conf_result check_softmax_backward_bf16(conf_ctx *c) { return softmax_backward_case(c, ACCEL_DTYPE_BF16); }

/* ---- reduce: the bias gradient of an NCHW conv (bf16 in, f32 out, accumulating) and of a GEMM ---- */
static conf_result reduce_case(conf_ctx *c, accel_dtype xt, int64_t outer, int64_t ch, int64_t inner, int accumulate) {
    accel_op_desc d = {.kind = ACCEL_OP_REDUCE};
    d.u.reduce = (accel_reduce_desc){xt, ACCEL_DTYPE_F32, outer, ch, inner, accumulate};
    const operand_spec spec[2] = {{xt, outer * ch * inner, IN, -1, 1}, {ACCEL_DTYPE_F32, ch, accumulate ? INOUT : OUT, -1, 1}};
    conf_tensor t[MAXOPS];
    accel_status st = make(c, spec, 2, t);
    double *y0 = doubles(ch);
    for (int64_t i = 0; i < ch && accumulate && st == ACCEL_OK; i++) y0[i] = ((float *)t[1].host)[i];
    conf_result r = st == ACCEL_OK ? run(c, &d, t, 2) : conf_from_status(c, st, "operands");
    if (r == CONF_PASS) {
        double *ref = doubles(ch);
        accel_ref_reduce(&d.u.reduce, t[0].host, ref);
        for (int64_t i = 0; i < ch; i++) ref[i] += y0[i];
        r = compare(c, &t[1], ref, conf_tolerance(ACCEL_DTYPE_F32), "Y");
        free(ref);
    }
    free(y0);
    free_all(t);
    return r;
}
static conf_result check_reduce(conf_ctx *c) {
    conf_result r = reduce_case(c, ACCEL_DTYPE_BF16, 3, 11, 35, 1);
    return r == CONF_PASS ? reduce_case(c, ACCEL_DTYPE_F32, 257, 19, 1, 0) : r;
}

/* ---- batchnorm, training forward and backward ---- */
static conf_result batchnorm_case(conf_ctx *c, accel_layout layout, accel_dtype dt) {
    const int64_t N = 3, C = 5, H = 4, W = 7, T = N * C * H * W;
    accel_batchnorm_desc b = {layout, dt, N, C, H, W, 1e-5, 0.1};
    accel_op_desc fwd = {.kind = ACCEL_OP_BATCHNORM}, bwd = {.kind = ACCEL_OP_BATCHNORM_BACKWARD};
    fwd.u.batchnorm = bwd.u.batchnorm = b;
    const accel_dtype f = ACCEL_DTYPE_F32;
    const operand_spec fs[8] = {{dt, T, IN, -2, 2}, {f, C, IN, 0.5, 1.5}, {f, C, IN, -1, 1}, {dt, T, OUT, 0, 0},
                                {f, C, INOUT, -1, 1}, {f, C, INOUT, 0.5, 2}, {f, C, OUT, 0, 0}, {f, C, OUT, 0, 0}};
    conf_tensor t[MAXOPS];
    accel_status st = make(c, fs, 8, t);
    float rm0[5], rv0[5];
    if (st == ACCEL_OK) memcpy(rm0, t[4].host, sizeof rm0), memcpy(rv0, t[5].host, sizeof rv0);
    conf_result r = st == ACCEL_OK ? run(c, &fwd, t, 8) : conf_from_status(c, st, "operands");
    double *y = doubles(T), *rm = doubles(C), *rv = doubles(C), *sm = doubles(C), *si = doubles(C);
    if (r == CONF_PASS) {
        accel_ref_batchnorm(&b, t[0].host, t[1].host, t[2].host, rm0, rv0, y, rm, rv, sm, si);
        r = compare(c, &t[3], y, conf_tolerance(dt), "forward Y");
        if (r == CONF_PASS) r = compare(c, &t[4], rm, 1e-5, "running_mean");
        if (r == CONF_PASS) r = compare(c, &t[5], rv, 1e-5, "running_var");
        if (r == CONF_PASS) r = compare(c, &t[6], sm, 1e-5, "save_mean");
        if (r == CONF_PASS) r = compare(c, &t[7], si, 1e-5, "save_invstd");
    }
    if (r == CONF_PASS) {
        /* backward: X, gamma, dY, the saved statistics the forward left, dX, dgamma, dbeta */
        conf_tensor u[MAXOPS];
        const operand_spec bs[8] = {{dt, T, IN, -2, 2}, {f, C, IN, 0.5, 1.5}, {dt, T, IN, -1, 1}, {f, C, IN, 0, 0},
                                    {f, C, IN, 0, 0}, {dt, T, OUT, 0, 0}, {f, C, OUT, 0, 0}, {f, C, OUT, 0, 0}};
        st = make(c, bs, 8, u);
        if (st == ACCEL_OK) {
            memcpy(u[3].host, t[6].host, sizeof(float) * (size_t)C);
            memcpy(u[4].host, t[7].host, sizeof(float) * (size_t)C);
            st = accel_buffer_write(c->stream, u[3].buf, 0, u[3].host, sizeof(float) * (size_t)C);
            if (st == ACCEL_OK) st = accel_buffer_write(c->stream, u[4].buf, 0, u[4].host, sizeof(float) * (size_t)C);
        }
        r = st == ACCEL_OK ? run(c, &bwd, u, 8) : conf_from_status(c, st, "operands");
        if (r == CONF_PASS) {
            double *dx = doubles(T), *dg = doubles(C), *db = doubles(C);
            accel_ref_batchnorm_backward(&b, u[0].host, u[1].host, u[2].host, u[3].host, u[4].host, dx, dg, db);
            if (c->corrupt) ((float *)u[7].host)[1] += 1.0f;
            r = compare(c, &u[7], db, conf_tolerance(ACCEL_DTYPE_F32), "dbeta");
            if (r == CONF_PASS) r = compare(c, &u[6], dg, conf_tolerance(ACCEL_DTYPE_F32), "dgamma");
            if (r == CONF_PASS) r = compare(c, &u[5], dx, conf_tolerance(dt), "dX");
            free(dx), free(dg), free(db);
        }
        free_all(u);
    }
    free(y), free(rm), free(rv), free(sm), free(si);
    free_all(t);
    return r;
}
static conf_result check_batchnorm_nchw(conf_ctx *c) { return batchnorm_case(c, ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F32); }
static conf_result check_batchnorm_nhwc_bf16(conf_ctx *c) { return batchnorm_case(c, ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_BF16); }

/* ---- conv2d backward data and weights ---- */
static conf_result conv_backward_case(conf_ctx *c, accel_layout layout, accel_dtype dt, int64_t r, int64_t stride,
                                      int64_t pad) {
    accel_conv2d_desc cd = {.layout = layout, .x_type = dt, .w_type = dt, .y_type = dt, .n = 2, .c = 5, .h = 9, .w = 7,
                            .k = 6, .r = r, .s = r, .stride_h = stride, .stride_w = stride, .pad_h = pad, .pad_w = pad};
    int64_t P, Q;
    accel_ref_conv2d_out_hw(&cd, &P, &Q);
    const int64_t nx = cd.n * cd.c * cd.h * cd.w, nw = cd.k * cd.c * cd.r * cd.s, ny = cd.n * cd.k * P * Q;
    accel_op_desc data = {.kind = ACCEL_OP_CONV2D_BACKWARD_DATA}, wts = {.kind = ACCEL_OP_CONV2D_BACKWARD_WEIGHTS};
    data.u.conv2d = wts.u.conv2d = cd;
    conf_tensor t[MAXOPS];
    const operand_spec ds[3] = {{dt, ny, IN, -1, 1}, {dt, nw, IN, -1, 1}, {dt, nx, OUT, 0, 0}};
    accel_status st = make(c, ds, 3, t);
    conf_result res = st == ACCEL_OK ? run(c, &data, t, 3) : conf_from_status(c, st, "operands");
    if (res == CONF_PASS) {
        double *ref = doubles(nx);
        accel_ref_conv2d_backward_data(&cd, t[0].host, t[1].host, ref);
        res = compare(c, &t[2], ref, conf_tolerance(dt), "data: dX");
        free(ref);
    }
    free_all(t);
    if (res != CONF_PASS) return res;
    const operand_spec ws[3] = {{dt, nx, IN, -1, 1}, {dt, ny, IN, -1, 1}, {dt, nw, OUT, 0, 0}};
    st = make(c, ws, 3, t);
    res = st == ACCEL_OK ? run(c, &wts, t, 3) : conf_from_status(c, st, "operands");
    if (res == CONF_PASS) {
        double *ref = doubles(nw);
        accel_ref_conv2d_backward_weights(&cd, t[0].host, t[1].host, ref);
        res = compare(c, &t[2], ref, conf_tolerance(dt), "weights: dW");
        free(ref);
    }
    free_all(t);
    return res;
}
static conf_result check_conv_backward_nchw(conf_ctx *c) { return conv_backward_case(c, ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F32, 3, 2, 1); }
static conf_result check_conv_backward_nhwc(conf_ctx *c) { return conv_backward_case(c, ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_F32, 3, 1, 1); }
static conf_result check_conv_backward_1x1_bf16(conf_ctx *c) {
    conf_result r = conv_backward_case(c, ACCEL_LAYOUT_NHWC, ACCEL_DTYPE_BF16, 1, 1, 0);
    return r == CONF_PASS ? conv_backward_case(c, ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_BF16, 1, 1, 0) : r;
}

/* ---- AdamW: bf16 gradients with a bf16 model copy, then the same with the overflow flag set ---- */
static conf_result check_adamw(conf_ctx *c) {
    const int64_t N = 1003;
    accel_op_desc d = {.kind = ACCEL_OP_ADAMW};
    d.u.adamw = (accel_adamw_desc){ACCEL_DTYPE_BF16, ACCEL_DTYPE_BF16, N, 1e-3, 0.9, 0.999, 1e-8, 0.01, 7};
    const accel_dtype f = ACCEL_DTYPE_F32;
    for (int flag = 0; flag < 2; flag++) {
        const operand_spec spec[6] = {{f, N, INOUT, -1, 1}, {ACCEL_DTYPE_BF16, N, IN, -0.1, 0.1}, {f, N, INOUT, -0.01, 0.01},
                                      {f, N, INOUT, 0, 0.001}, {ACCEL_DTYPE_BF16, N, OUT, 0, 0}, {ACCEL_DTYPE_I32, 1, OUT, 0, 0}};
        conf_tensor t[MAXOPS];
        accel_status st = make(c, spec, 6, t);
        float p0[1003], m0[1003], v0[1003];
        if (st == ACCEL_OK) {
            memcpy(p0, t[0].host, sizeof p0), memcpy(m0, t[2].host, sizeof m0), memcpy(v0, t[3].host, sizeof v0);
            ((int32_t *)t[5].host)[0] = flag;
            st = accel_buffer_write(c->stream, t[5].buf, 0, t[5].host, 4);
        }
        conf_result r = st == ACCEL_OK ? run(c, &d, t, 6) : conf_from_status(c, st, "operands");
        if (r == CONF_PASS) {
            double *p = doubles(N), *m = doubles(N), *v = doubles(N);
            accel_ref_adamw(&d.u.adamw, p0, t[1].host, m0, v0, flag, p, m, v);
            if (c->corrupt) ((float *)t[0].host)[5] += 0.5f;
            r = compare(c, &t[0], p, 1e-6, "param");
            if (r == CONF_PASS) r = compare(c, &t[2], m, 1e-6, "m");
            if (r == CONF_PASS) r = compare(c, &t[3], v, 1e-6, "v");
            /* the model copy is the new fp32 parameter rounded to bf16, exactly (untouched when skipped) */
            for (int64_t i = 0; i < N && r == CONF_PASS && !flag; i++)
                if (((uint16_t *)t[4].host)[i] != accel_ref_f32_to_bf16(((float *)t[0].host)[i]))
                    r = conf_fail(c, "model copy[%lld] is not param rounded to bf16", (long long)i);
            free(p), free(m), free(v);
        }
        free_all(t);
        if (r != CONF_PASS) {
            conf_prefix(c, "%s", flag ? "found_inf set" : "clean step");
            return r;
        }
    }
    return CONF_PASS;
}

/* ---- loss scaling: scale, an fp16 unscale that overflows, the scale update ---- */
static conf_result check_amp(conf_ctx *c) {
    const int64_t N = 517;
    const accel_dtype h = ACCEL_DTYPE_F16, f = ACCEL_DTYPE_F32, i32 = ACCEL_DTYPE_I32;
    accel_op_desc up = {.kind = ACCEL_OP_AMP_SCALE};
    up.u.amp_scale = (accel_amp_scale_desc){h, N, 0};
    const operand_spec spec[3] = {{h, N, IN, -1, 1}, {f, 1, OUT, 0, 0}, {i32, 1, OUT, 0, 0}};
    conf_tensor t[MAXOPS];
    accel_status st = make(c, spec, 3, t);
    conf_result r = CONF_PASS;
    for (int round = 0; round < 2 && st == ACCEL_OK && r == CONF_PASS; round++) {
        /* round 0: scale 1024 stays finite; round 1: one element of 100 times 1024 overflows f16 */
        if (round == 1) accel_ref_store(h, t[0].host, 17, 100.0);
        const float scale = 1024.0f;
        memcpy(t[1].host, &scale, 4);
        memset(t[2].host, 0, 4);
        double *ref = doubles(N);
        const int want = accel_ref_amp_scale(&up.u.amp_scale, t[0].host, scale, ref);
        st = accel_buffer_write(c->stream, t[0].buf, 0, t[0].host, (size_t)N * 2);
        if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[1].buf, 0, t[1].host, 4);
        if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[2].buf, 0, t[2].host, 4);
        if (st == ACCEL_OK) r = run(c, &up, t, 3);
        if (r == CONF_PASS && st == ACCEL_OK) {
            const int32_t got = ((int32_t *)t[2].host)[0];
            if (c->corrupt) ((int32_t *)t[2].host)[0] ^= 1;
            if (((int32_t *)t[2].host)[0] != want) r = conf_fail(c, "found_inf %d, want %d (round %d)", got, want, round);
            else if (!want) r = compare(c, &t[0], ref, conf_tolerance(h), "scaled X");
        }
        free(ref);
    }
    free_all(t);
    if (st != ACCEL_OK) return conf_from_status(c, st, "operands");
    if (r != CONF_PASS) return r;
    /* The update: an overflow halves the scale and counts the skip; the flag is cleared. */
    accel_op_desc ud = {.kind = ACCEL_OP_AMP_UPDATE_SCALE};
    ud.u.amp_update = (accel_amp_update_desc){2.0, 0.5, 2};
    const operand_spec us[4] = {{f, 1, OUT, 0, 0}, {i32, 1, OUT, 0, 0}, {i32, 1, OUT, 0, 0}, {i32, 1, OUT, 0, 0}};
    st = make(c, us, 4, t);
    const float s0 = 4096.0f;
    const int32_t one = 1, zero = 0;
    if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[0].buf, 0, &s0, 4);
    if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[1].buf, 0, &zero, 4);
    if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[2].buf, 0, &one, 4);
    if (st == ACCEL_OK) st = accel_buffer_write(c->stream, t[3].buf, 0, &zero, 4);
    r = st == ACCEL_OK ? run(c, &ud, t, 4) : conf_from_status(c, st, "operands");
    if (r == CONF_PASS && c->corrupt) ((int32_t *)t[3].host)[0] += 1;
    if (r == CONF_PASS && (((float *)t[0].host)[0] != 2048.0f || ((int32_t *)t[2].host)[0] != 0 ||
                           ((int32_t *)t[3].host)[0] != 1))
        r = conf_fail(c, "after an overflow: scale %g (want 2048), found_inf %d (want 0), skipped %d (want 1)",
                      ((float *)t[0].host)[0], ((int32_t *)t[2].host)[0], ((int32_t *)t[3].host)[0]);
    free_all(t);
    return r;
}

/* ---- activation backward kinds ---- */
static conf_result check_eltwise_backward(conf_ctx *c) {
    static const accel_eltwise_kind kinds[3] = {ACCEL_ELTWISE_RELU_BACKWARD, ACCEL_ELTWISE_GELU_ERF_BACKWARD,
                                                ACCEL_ELTWISE_GELU_TANH_BACKWARD};
    static const accel_dtype types[2] = {ACCEL_DTYPE_F32, ACCEL_DTYPE_BF16};
    for (int k = 0; k < 3; k++)
        for (int ti = 0; ti < 2; ti++) {
            accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
            d.u.eltwise = (accel_eltwise_desc){.kind = kinds[k], .dtype = types[ti], .count = 1001};
            const operand_spec spec[3] = {{types[ti], 1001, IN, -3, 3}, {types[ti], 1001, IN, -1, 1}, {types[ti], 1001, OUT, 0, 0}};
            conf_tensor t[MAXOPS];
            accel_status st = make(c, spec, 3, t);
            conf_result r = st == ACCEL_OK ? run(c, &d, t, 3) : conf_from_status(c, st, "operands");
            if (r == CONF_PASS) {
                double *ref = doubles(1001);
                accel_ref_eltwise(&d.u.eltwise, t[0].host, t[1].host, ref);
                r = compare(c, &t[2], ref, conf_tolerance(types[ti]), "Y");
                free(ref);
            }
            free_all(t);
            if (r != CONF_PASS) {
                conf_prefix(c, "kind %d %s", (int)kinds[k], ti ? "bf16" : "f32");
                return r;
            }
        }
    return CONF_PASS;
}

const conf_check conf_train_checks[] = {
    {"train-layernorm-bwd-f32", check_layernorm_backward_f32},
    {"train-layernorm-bwd-bf16-acc", check_layernorm_backward_bf16_acc},
    {"train-softmax-bwd-f32", check_softmax_backward_f32},
    {"train-softmax-bwd-bf16", check_softmax_backward_bf16},
    {"train-reduce", check_reduce},
    {"train-batchnorm-nchw", check_batchnorm_nchw},
    {"train-batchnorm-nhwc-bf16", check_batchnorm_nhwc_bf16},
    {"train-conv-bwd-nchw-s2", check_conv_backward_nchw},
    {"train-conv-bwd-nhwc", check_conv_backward_nhwc},
    {"train-conv-bwd-1x1-bf16", check_conv_backward_1x1_bf16},
    {"train-adamw", check_adamw},
    {"train-amp-scale-update", check_amp},
    {"train-eltwise-bwd", check_eltwise_backward},
    {NULL, NULL},
};
