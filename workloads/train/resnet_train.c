/* The resnet_block training step (configs "*-train"): a ResNet-50 v1.5 identity bottleneck as it
 * trains, not as it serves: each convolution (no bias) is followed by batch normalisation in
 * training mode (batch statistics, running averages updated) and a ReLU; the third's sum with the
 * block's input goes through the last ReLU. The backward pass runs from a given output gradient
 * through every ReLU, batch norm and convolution (data and weight gradients) to the input gradient,
 * and AdamW updates the fp32 masters of the conv weights and the batch norms' gamma and beta.
 * verify() runs one step from the initial state and checks the block's output, every parameter
 * gradient, the input gradient, the running statistics and every update against an fp64 reference
 * of the step (the backward's at the device's forward point: see reference()). */
#include "resnet_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wl_train.h"

#define BN_EPS 1e-5
#define BN_MOMENTUM 0.1

enum { W_1, W_2, W_3, W_COUNT };                                 /* conv weights (compute dtype) */
enum { P_G1, P_BE1, P_G2, P_BE2, P_G3, P_BE3, P_COUNT };         /* batch norm gamma, beta (fp32) */
enum { /* activations and their gradients; the ReLUs run in place */
    A_X, A_C1, A_R1, A_C2, A_R2, A_C3, A_Y, A_DY, A_DWORK, A_DS, A_DC3, A_DR2, A_DC2, A_DR1, A_DC1, A_DXC, A_DX,
    A_COUNT
};
enum { S_RMEAN, S_RVAR, S_MEAN, S_INVSTD, S_COUNT }; /* fp32 per-channel statistics of each batch norm */

typedef struct resnet_train_state {
    int train; /* 1: resnet_block.c tells the two state kinds apart by this first member */
    accel_device *dev;
    accel_layout layout;
    int64_t N, C, M, H; /* batch, block channels, bottleneck channels, height = width */
    awl_dtype dtype;
    accel_dtype t;
    wl_buffers bufs;
    accel_buffer *a[A_COUNT];
    accel_buffer *stats[3][S_COUNT];
    wl_param_group w, p;
    wl_amp amp;
    wl_steps steps;
    void *x0, *dy0;
    int64_t runs;
    int corrupt;
} resnet_train_state;

static void teardown(resnet_train_state *st) {
    if (!st) return;
    if (st->dev) accel_device_synchronize(st->dev);
    wl_steps_destroy(&st->steps);
    wl_free_all(&st->bufs);
    wl_group_free_host(&st->w);
    wl_group_free_host(&st->p);
    free(st->x0), free(st->dy0);
    free(st);
}

void wl_resnet_train_teardown(void *state) { teardown(state); }

double wl_resnet_train_flop_per_image(int64_t hw, int64_t channels, int64_t mid) {
    /* each convolution three times: forward, data gradient, weight gradient, all the same MACs */
    const double pix = (double)(hw * hw);
    return 3.0 * 2.0 * pix * (double)(channels * mid + mid * mid * 9 + mid * channels);
}

/* Channels and length of each activation: the block's input/output width or the bottleneck's. */
static int64_t channels_of(const resnet_train_state *st, int a) {
    switch (a) {
    case A_C1: case A_R1: case A_C2: case A_R2: case A_DR2: case A_DC2: case A_DR1: case A_DC1: return st->M;
    default: return st->C;
    }
}

typedef struct builder {
    resnet_train_state *st;
    const char *lib;
    accel_status s;
    char conv_bwd_libs[64]; /* the libraries whose conv backward the notes already name */
} builder;

static accel_buffer_ref R(const builder *b, int i) { return wl_ref(b->st->a[i], 0); }
static accel_buffer_ref STAT(const builder *b, int bn, int i) { return wl_ref(b->st->stats[bn][i], 0); }

static void op(builder *b, accel_op_desc *d, const accel_buffer_ref *ops, size_t n) {
    if (b->s != ACCEL_OK) return;
    snprintf(d->library, sizeof d->library, "%s", b->lib);
    b->s = wl_steps_add(&b->st->steps, b->st->dev, d, ops, n);
}

static accel_conv2d_desc conv_desc(const resnet_train_state *st, int64_t c, int64_t k, int64_t rs) {
    accel_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.layout = st->layout;
    d.x_type = d.w_type = d.y_type = st->t;
    d.compute = wl_compute_type(st->dtype);
    d.n = st->N, d.c = c, d.h = d.w = st->H, d.k = k, d.r = d.s = rs;
    d.stride_h = d.stride_w = 1;
    d.pad_h = d.pad_w = rs / 2;
    d.dil_h = d.dil_w = 1;
    d.groups = 1;
    return d;
}

static accel_batchnorm_desc bn_desc(const resnet_train_state *st, int64_t c) {
    return (accel_batchnorm_desc){st->layout, st->t, st->N, c, st->H, st->H, BN_EPS, BN_MOMENTUM};
}

static void conv(builder *b, const accel_conv2d_desc *cd, accel_op_kind kind, accel_buffer_ref o0, accel_buffer_ref o1,
                 accel_buffer_ref o2) {
    accel_op_desc d = {.kind = kind};
    d.u.conv2d = *cd;
    const accel_buffer_ref none = {NULL, 0};
    if (kind == ACCEL_OP_CONV2D) {
        const accel_buffer_ref ops[5] = {o0, o1, none, none, o2};
        op(b, &d, ops, 5);
        return;
    }
    const accel_buffer_ref ops[3] = {o0, o1, o2};
    op(b, &d, ops, 3);
    if (b->s != ACCEL_OK) return;
    /* Which library runs conv backward, and its algorithm (once per library): on CUDA, cuDNN or our
     * kernels, whose algorithm then says why cuDNN was passed over. */
    const accel_op_plan *plan = b->st->steps.items[b->st->steps.count - 1].plan;
    const char *lib = accel_op_plan_library(plan);
    if (!lib || !lib[0] || strstr(b->conv_bwd_libs, lib)) return;
    wl_appendf(b->conv_bwd_libs, sizeof b->conv_bwd_libs, "%s,", lib);
    wl_steps *steps = &b->st->steps;
    wl_appendf(steps->notes, sizeof steps->notes, "%sconv backward: %s (%s)", steps->notes[0] ? "; " : "", lib,
               accel_op_plan_algorithm(plan));
}

/* batch norm k (0..2) over c channels: X -> Y, the running and saved statistics */
static void bn_forward(builder *b, int k, int64_t c, accel_buffer_ref x, accel_buffer_ref y) {
    accel_op_desc d = {.kind = ACCEL_OP_BATCHNORM};
    d.u.batchnorm = bn_desc(b->st, c);
    const accel_buffer_ref ops[8] = {x, wl_group_model(&b->st->p, 2 * k), wl_group_model(&b->st->p, 2 * k + 1), y,
                                     STAT(b, k, S_RMEAN), STAT(b, k, S_RVAR), STAT(b, k, S_MEAN), STAT(b, k, S_INVSTD)};
    op(b, &d, ops, 8);
}

static void bn_backward(builder *b, int k, int64_t c, accel_buffer_ref x, accel_buffer_ref dy, accel_buffer_ref dx) {
    accel_op_desc d = {.kind = ACCEL_OP_BATCHNORM_BACKWARD};
    d.u.batchnorm = bn_desc(b->st, c);
    const accel_buffer_ref ops[8] = {x, wl_group_model(&b->st->p, 2 * k), dy, STAT(b, k, S_MEAN), STAT(b, k, S_INVSTD),
                                     dx, wl_group_grad(&b->st->p, 2 * k), wl_group_grad(&b->st->p, 2 * k + 1)};
    op(b, &d, ops, 8);
}

static void eltwise(builder *b, accel_eltwise_kind k, int64_t count, accel_buffer_ref x, accel_buffer_ref z,
                    accel_buffer_ref y) {
    accel_op_desc d = {.kind = ACCEL_OP_ELTWISE};
    d.u.eltwise = (accel_eltwise_desc){.kind = k, .dtype = b->st->t, .count = count, .alpha = 1, .beta = 1};
    const accel_buffer_ref ops[3] = {x, z, y};
    op(b, &d, ops, 3);
}

static accel_status build(resnet_train_state *st, const char *lib) {
    builder bld = {st, lib, ACCEL_OK, ""}, *b = &bld;
    const int64_t C = st->C, M = st->M, px = st->N * st->H * st->H;
    const accel_buffer_ref none = {NULL, 0};
    const accel_conv2d_desc c1 = conv_desc(st, C, M, 1), c2 = conv_desc(st, M, M, 3), c3 = conv_desc(st, M, C, 1);
    const wl_param_group *W = &st->w;

    /* ---- forward: conv, batch norm (training), ReLU; the last ReLU after the residual sum ---- */
    conv(b, &c1, ACCEL_OP_CONV2D, R(b, A_X), wl_group_model(W, W_1), R(b, A_C1));
    bn_forward(b, 0, M, R(b, A_C1), R(b, A_R1));
    eltwise(b, ACCEL_ELTWISE_RELU, px * M, R(b, A_R1), none, R(b, A_R1));
    conv(b, &c2, ACCEL_OP_CONV2D, R(b, A_R1), wl_group_model(W, W_2), R(b, A_C2));
    bn_forward(b, 1, M, R(b, A_C2), R(b, A_R2));
    eltwise(b, ACCEL_ELTWISE_RELU, px * M, R(b, A_R2), none, R(b, A_R2));
    conv(b, &c3, ACCEL_OP_CONV2D, R(b, A_R2), wl_group_model(W, W_3), R(b, A_C3));
    bn_forward(b, 2, C, R(b, A_C3), R(b, A_Y));
    eltwise(b, ACCEL_ELTWISE_ADD, px * C, R(b, A_Y), R(b, A_X), R(b, A_Y));
    eltwise(b, ACCEL_ELTWISE_RELU, px * C, R(b, A_Y), none, R(b, A_Y));

    /* ---- backward from dY (scaled first with fp16); a ReLU's output tells where it passed ---- */
    accel_buffer_ref dy = R(b, A_DY);
    if (st->amp.enabled && b->s == ACCEL_OK) {
        b->s = wl_amp_add_scaled_copy(&st->steps, st->dev, lib, &st->amp, st->t, px * C, dy, R(b, A_DWORK));
        dy = R(b, A_DWORK);
    }
    eltwise(b, ACCEL_ELTWISE_RELU_BACKWARD, px * C, R(b, A_Y), dy, R(b, A_DS));
    bn_backward(b, 2, C, R(b, A_C3), R(b, A_DS), R(b, A_DC3));
    conv(b, &c3, ACCEL_OP_CONV2D_BACKWARD_DATA, R(b, A_DC3), wl_group_model(W, W_3), R(b, A_DR2));
    conv(b, &c3, ACCEL_OP_CONV2D_BACKWARD_WEIGHTS, R(b, A_R2), R(b, A_DC3), wl_group_grad(W, W_3));
    eltwise(b, ACCEL_ELTWISE_RELU_BACKWARD, px * M, R(b, A_R2), R(b, A_DR2), R(b, A_DR2));
    bn_backward(b, 1, M, R(b, A_C2), R(b, A_DR2), R(b, A_DC2));
    conv(b, &c2, ACCEL_OP_CONV2D_BACKWARD_DATA, R(b, A_DC2), wl_group_model(W, W_2), R(b, A_DR1));
    conv(b, &c2, ACCEL_OP_CONV2D_BACKWARD_WEIGHTS, R(b, A_R1), R(b, A_DC2), wl_group_grad(W, W_2));
    eltwise(b, ACCEL_ELTWISE_RELU_BACKWARD, px * M, R(b, A_R1), R(b, A_DR1), R(b, A_DR1));
    bn_backward(b, 0, M, R(b, A_C1), R(b, A_DR1), R(b, A_DC1));
    conv(b, &c1, ACCEL_OP_CONV2D_BACKWARD_DATA, R(b, A_DC1), wl_group_model(W, W_1), R(b, A_DXC));
    conv(b, &c1, ACCEL_OP_CONV2D_BACKWARD_WEIGHTS, R(b, A_X), R(b, A_DC1), wl_group_grad(W, W_1));
    eltwise(b, ACCEL_ELTWISE_ADD, px * C, R(b, A_DXC), R(b, A_DS), R(b, A_DX)); /* plus the identity path */

    if (b->s == ACCEL_OK) {
        wl_param_group *groups[2] = {&st->w, &st->p};
        b->s = wl_train_add_optimizer(&st->steps, st->dev, lib, &st->amp, groups, 2);
    }
    return b->s;
}

/* Running statistics as a fresh layer has them (PyTorch: mean 0, variance 1). */
static accel_status reset_stats(resnet_train_state *st, accel_stream *stream) {
    accel_status s = ACCEL_OK;
    for (int k = 0; k < 3 && s == ACCEL_OK; k++) {
        const int64_t c = k == 2 ? st->C : st->M;
        float *v = malloc(sizeof(float) * (size_t)c);
        if (!v) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "batch norm statistics");
        for (int which = S_RMEAN; which <= S_RVAR && s == ACCEL_OK; which++) {
            for (int64_t i = 0; i < c; i++) v[i] = which == S_RMEAN ? 0.0f : 1.0f;
            s = wl_upload(stream, st->stats[k][which], 0, v, sizeof(float) * (size_t)c);
        }
        free(v);
    }
    return s;
}

accel_status wl_resnet_train_setup(accel_device *dev, accel_stream *stream, accel_layout layout, int64_t batch,
                                   int64_t hw, int64_t channels, int64_t mid, awl_dtype dtype, const awl_options *opt,
                                   void **state, awl_setup_info *info) {
    *state = NULL;
    const accel_dtype t = wl_storage_type(dtype);
    const size_t es = accel_dtype_size(t);
    const int64_t N = batch, C = channels, M = mid, H = hw, px = N * H * H;
    resnet_train_state probe = {.C = C, .M = M};
    int64_t counts[A_COUNT];
    for (int i = 0; i < A_COUNT; i++) counts[i] = px * channels_of(&probe, i);
    if (dtype != AWL_FP16) counts[A_DWORK] = 0;
    const int64_t nw = C * M + M * M * 9 + M * C, np = 2 * (M + M + C);
    char what[80];
    snprintf(what, sizeof what, "resnet_block training step %s", awl_dtype_name(dtype));
    accel_status s = wl_check_counts_fit(dev, counts, A_COUNT, es,
                                         (uint64_t)(nw + np) * (uint64_t)(es + 16) + (uint64_t)(4 * 4 * np), what);
    if (s != ACCEL_OK) return s;
    resnet_train_state *st = calloc(1, sizeof *st);
    if (!st) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training state");
    st->train = 1;
    st->dev = dev, st->layout = layout, st->N = N, st->C = C, st->M = M, st->H = H, st->dtype = dtype, st->t = t;
    for (int i = 0; i < A_COUNT && s == ACCEL_OK; i++)
        if (counts[i] > 0) s = wl_alloc(&st->bufs, dev, (size_t)counts[i] * es, ACCEL_MEMORY_DEVICE, &st->a[i]);
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < S_COUNT && s == ACCEL_OK; i++)
            s = wl_alloc(&st->bufs, dev, sizeof(float) * (size_t)(k == 2 ? C : M), ACCEL_MEMORY_DEVICE, &st->stats[k][i]);
    /* He-style uniform weights keep the activations' scale through each conv; the batch norms
     * start near identity but not at it, so gamma's and beta's gradients matter in the check. */
    const double k1 = sqrt(3.0 / (double)C), k2 = sqrt(3.0 / (double)(9 * M)), k3 = sqrt(3.0 / (double)M);
    wl_group_add(&st->w, "conv1.weight", C * M, -k1, k1);
    wl_group_add(&st->w, "conv2.weight", M * M * 9, -k2, k2);
    wl_group_add(&st->w, "conv3.weight", M * C, -k3, k3);
    wl_group_add(&st->p, "bn1.gamma", M, 0.5, 1.5);
    wl_group_add(&st->p, "bn1.beta", M, -0.1, 0.1);
    wl_group_add(&st->p, "bn2.gamma", M, 0.5, 1.5);
    wl_group_add(&st->p, "bn2.beta", M, -0.1, 0.1);
    wl_group_add(&st->p, "bn3.gamma", C, 0.5, 1.5);
    wl_group_add(&st->p, "bn3.beta", C, -0.1, 0.1);
    const uint64_t seed = opt ? opt->seed : 1;
    if (s == ACCEL_OK) s = wl_group_init(&st->w, &st->bufs, dev, stream, t, t, seed * 11 + 1);
    if (s == ACCEL_OK) s = wl_group_init(&st->p, &st->bufs, dev, stream, ACCEL_DTYPE_F32, ACCEL_DTYPE_F32, seed * 11 + 2);
    if (s == ACCEL_OK) s = wl_amp_init(&st->amp, dtype == AWL_FP16, &st->bufs, dev, stream);
    if (s == ACCEL_OK) s = reset_stats(st, stream);
    if (s == ACCEL_OK) /* the input is a previous block's ReLU output */
        s = wl_upload_random(stream, st->a[A_X], t, px * C, seed * 11 + 3, 0, 1, dtype == AWL_TF32, &st->x0,
                             "resnet inputs");
    /* the gradient of a loss averaged over the batch after global pooling: about 1/(N H W) each,
     * which fp16 cannot hold without loss scaling */
    const double g = 1.0 / (double)px;
    if (s == ACCEL_OK)
        s = wl_upload_random(stream, st->a[A_DY], t, px * C, seed * 11 + 4, -g, g, 0, &st->dy0, "resnet output gradient");
    const char *lib = opt && opt->library ? opt->library : "";
    if (s == ACCEL_OK) s = build(st, lib);
    if (s == ACCEL_OK) s = wl_steps_alloc_workspace(&st->steps, &st->bufs, dev);
    if (s != ACCEL_OK) {
        snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
        teardown(st);
        return s;
    }
    wl_train_describe(&st->steps, &st->bufs, dtype, opt, "forward, backward, AdamW, batch norm in training mode",
                      wl_resnet_train_flop_per_image(H, C, M) * (double)N, (double)N, info);
    *state = st;
    return ACCEL_OK;
}

accel_status wl_resnet_train_run(void *state, accel_stream *stream) {
    resnet_train_state *st = state;
    st->runs++;
    return wl_steps_run(&st->steps, stream);
}

accel_status wl_resnet_train_profile_steps(void *state, accel_stream *stream, double *step_ms, size_t cap,
                                           size_t *count) {
    resnet_train_state *st = state;
    st->runs++;
    return wl_steps_profile(&st->steps, stream, step_ms, cap, count);
}

accel_status wl_resnet_train_set_loss_scale(void *state, accel_stream *stream, double scale) {
    return wl_amp_set_scale(stream, &((resnet_train_state *)state)->amp, scale);
}

accel_status wl_resnet_train_corrupt(void *state, accel_stream *stream) {
    (void)stream;
    ((resnet_train_state *)state)->corrupt = 1;
    return ACCEL_OK;
}

/* ---- the fp64 reference of one step, in NCHW whatever the device's layout ---- */

typedef struct ref_step {
    double *w[W_COUNT], *p[P_COUNT], *dx;
    double *rmean[3], *rvar[3];
} ref_step;

static void free_ref(ref_step *r) {
    for (int i = 0; i < W_COUNT; i++) free(r->w[i]);
    for (int i = 0; i < P_COUNT; i++) free(r->p[i]);
    for (int k = 0; k < 3; k++) free(r->rmean[k]), free(r->rvar[k]);
    free(r->dx);
}

/* An activation of c channels from the device's layout into NCHW doubles. */
static double *load_act(const resnet_train_state *st, const void *src, int64_t c) {
    const int64_t hw = st->H * st->H, n = st->N * c * hw;
    double *d = malloc(sizeof(double) * (size_t)n);
    if (!d) return NULL;
    for (int64_t i = 0; i < st->N; i++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t p = 0; p < hw; p++) {
                const int64_t at = st->layout == ACCEL_LAYOUT_NHWC ? (i * hw + p) * c + ch : (i * c + ch) * hw + p;
                d[(i * c + ch) * hw + p] = accel_ref_load(st->t, src, at);
            }
    return d;
}

/* NCHW doubles back to the device's layout (for comparing with what the device wrote). */
static void to_layout(const resnet_train_state *st, const double *nchw, int64_t c, double *out) {
    const int64_t hw = st->H * st->H;
    for (int64_t i = 0; i < st->N; i++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t p = 0; p < hw; p++) {
                const int64_t at = st->layout == ACCEL_LAYOUT_NHWC ? (i * hw + p) * c + ch : (i * c + ch) * hw + p;
                out[at] = nchw[(i * c + ch) * hw + p];
            }
}

/* Weights k x c x rs x rs from the device's layout (KCRS or KRSC) into KCRS doubles, and back. */
static int64_t w_at(const resnet_train_state *st, int64_t c, int64_t rs, int64_t k, int64_t ch, int64_t tap) {
    return st->layout == ACCEL_LAYOUT_NHWC ? (k * rs * rs + tap) * c + ch : (k * c + ch) * rs * rs + tap;
}
static double *load_w(const resnet_train_state *st, const void *src, int64_t k, int64_t c, int64_t rs) {
    double *d = malloc(sizeof(double) * (size_t)(k * c * rs * rs));
    if (!d) return NULL;
    for (int64_t o = 0; o < k; o++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t tap = 0; tap < rs * rs; tap++)
                d[(o * c + ch) * rs * rs + tap] = accel_ref_load(st->t, src, w_at(st, c, rs, o, ch, tap));
    return d;
}

/* im2col of one NCHW image for a stride-1, "same" padded rs x rs kernel: (c rs rs) x (h w). */
static void im2col(const double *x, int64_t c, int64_t h, int64_t rs, double *col) {
    const int64_t pad = rs / 2;
    for (int64_t ch = 0; ch < c; ch++)
        for (int64_t r = 0; r < rs; r++)
            for (int64_t s = 0; s < rs; s++) {
                double *row = col + ((ch * rs + r) * rs + s) * h * h;
                for (int64_t y = 0; y < h; y++)
                    for (int64_t xx = 0; xx < h; xx++) {
                        const int64_t iy = y + r - pad, ix = xx + s - pad;
                        row[y * h + xx] = iy >= 0 && iy < h && ix >= 0 && ix < h ? x[(ch * h + iy) * h + ix] : 0.0;
                    }
            }
}

static void col2im_add(const double *col, int64_t c, int64_t h, int64_t rs, double *x) {
    const int64_t pad = rs / 2;
    for (int64_t ch = 0; ch < c; ch++)
        for (int64_t r = 0; r < rs; r++)
            for (int64_t s = 0; s < rs; s++) {
                const double *row = col + ((ch * rs + r) * rs + s) * h * h;
                for (int64_t y = 0; y < h; y++)
                    for (int64_t xx = 0; xx < h; xx++) {
                        const int64_t iy = y + r - pad, ix = xx + s - pad;
                        if (iy >= 0 && iy < h && ix >= 0 && ix < h) x[(ch * h + iy) * h + ix] += row[y * h + xx];
                    }
            }
}

/* Forward conv over the batch (NCHW, KCRS): y = w * x. */
static int ref_conv(const resnet_train_state *st, const double *x, const double *w, int64_t c, int64_t k, int64_t rs,
                    double *y) {
    const int64_t hw = st->H * st->H, crs = c * rs * rs;
    double *col = rs > 1 ? malloc(sizeof(double) * (size_t)(crs * hw)) : NULL;
    if (rs > 1 && !col) return 0;
    for (int64_t i = 0; i < st->N; i++) {
        const double *xi = x + i * c * hw;
        if (rs > 1) im2col(xi, c, st->H, rs, col);
        wl_dgemm(k, hw, crs, w, 0, rs > 1 ? col : xi, 0, y + i * k * hw);
    }
    free(col);
    return 1;
}

/* dX = conv^T(dY) and dW = sum_i dY_i col_i^T over the batch. */
static int ref_conv_backward(const resnet_train_state *st, const double *x, const double *w, const double *dy, int64_t c,
                             int64_t k, int64_t rs, double *dx, double *dw) {
    const int64_t hw = st->H * st->H, crs = c * rs * rs;
    double *col = malloc(sizeof(double) * (size_t)(crs * hw)), *part = malloc(sizeof(double) * (size_t)(k * crs));
    if (!col || !part) {
        free(col), free(part);
        return 0;
    }
    memset(dw, 0, sizeof(double) * (size_t)(k * crs));
    for (int64_t i = 0; i < st->N; i++) {
        const double *dyi = dy + i * k * hw;
        double *dxi = dx + i * c * hw;
        if (rs > 1) {
            wl_dgemm(crs, hw, k, w, 1, dyi, 0, col);
            memset(dxi, 0, sizeof(double) * (size_t)(c * hw));
            col2im_add(col, c, st->H, rs, dxi);
            im2col(x + i * c * hw, c, st->H, rs, col);
            wl_dgemm(k, crs, hw, dyi, 0, col, 1, part);
        } else {
            wl_dgemm(c, hw, k, w, 1, dyi, 0, dxi);
            wl_dgemm(k, c, hw, dyi, 0, x + i * c * hw, 1, part);
        }
        for (int64_t j = 0; j < k * crs; j++) dw[j] += part[j];
    }
    free(col), free(part);
    return 1;
}

typedef struct bn_ref {
    float *mean, *invstd; /* as the backward reference takes them */
} bn_ref;

static int ref_bn(const resnet_train_state *st, const double *x, const float *gamma, const float *beta, int64_t c,
                  double *y, double *rmean, double *rvar, bn_ref *save) {
    const accel_batchnorm_desc d = {ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F64, st->N, c, st->H, st->H, BN_EPS, BN_MOMENTUM};
    float *rm0 = calloc((size_t)c, sizeof(float)), *rv0 = calloc((size_t)c, sizeof(float));
    double *mean = malloc(sizeof(double) * (size_t)c), *invstd = malloc(sizeof(double) * (size_t)c);
    save->mean = malloc(sizeof(float) * (size_t)c);
    save->invstd = malloc(sizeof(float) * (size_t)c);
    const int ok = rm0 && rv0 && mean && invstd && save->mean && save->invstd;
    if (ok) {
        for (int64_t i = 0; i < c; i++) rv0[i] = 1.0f; /* a fresh layer: mean 0, variance 1 */
        accel_ref_batchnorm(&d, x, gamma, beta, rm0, rv0, y, rmean, rvar, mean, invstd);
        for (int64_t i = 0; i < c; i++) save->mean[i] = (float)mean[i], save->invstd[i] = (float)invstd[i];
    }
    free(rm0), free(rv0), free(mean), free(invstd);
    return ok;
}

static void ref_bn_backward(const resnet_train_state *st, const double *x, const float *gamma, const double *dy,
                            int64_t c, const bn_ref *save, double *dx, double *dgamma, double *dbeta) {
    const accel_batchnorm_desc d = {ACCEL_LAYOUT_NCHW, ACCEL_DTYPE_F64, st->N, c, st->H, st->H, BN_EPS, BN_MOMENTUM};
    accel_ref_batchnorm_backward(&d, x, gamma, dy, save->mean, save->invstd, dx, dgamma, dbeta);
}

static void relu(double *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = x[i] > 0 ? x[i] : 0.0;
}
static void relu_backward(const double *y, double *g, int64_t n) {
    for (int64_t i = 0; i < n; i++) g[i] = y[i] > 0 ? g[i] : 0.0;
}

/* Replaces an fp64 forward activation by what the device stored there (NCHW doubles). */
static accel_status take_device_act(accel_stream *stream, const resnet_train_state *st, int a, int64_t c, double *dst) {
    const int64_t n = st->N * c * st->H * st->H;
    void *raw = NULL;
    accel_status s = wl_download(stream, st->a[a], 0, (size_t)n * accel_dtype_size(st->t), &raw);
    if (s != ACCEL_OK) return s;
    double *d = load_act(st, raw, c);
    free(raw);
    if (!d) return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
    memcpy(dst, d, sizeof(double) * (size_t)n);
    free(d);
    return ACCEL_OK;
}

/* The step in fp64. The forward runs from the initial state and is checked (the block's output,
 * at the layer threshold; the running statistics later). The backward then runs from the
 * activations the device kept: a ReLU is discontinuous, so an activation that rounds to the other
 * side of zero in bf16 would move a gradient sum that cancels as much as a batch norm's does by
 * several percent, and checking the backward at the device's own forward point keeps the
 * thresholds tight enough to see a wrong kernel. */
static accel_status reference(const resnet_train_state *st, accel_stream *stream, ref_step *r, awl_verify_result *out) {
    const int64_t N = st->N, C = st->C, M = st->M, hw = st->H * st->H, nc = N * C * hw, nm = N * M * hw;
    const wl_param_group *W = &st->w, *P = &st->p;
    const size_t es = accel_dtype_size(st->t);
    const float *pv = st->p.master0; /* gamma and beta as the device read them (fp32 model = master) */
    const float *gam[3] = {pv + P->tensors[P_G1].offset, pv + P->tensors[P_G2].offset, pv + P->tensors[P_G3].offset};
    const float *bet[3] = {pv + P->tensors[P_BE1].offset, pv + P->tensors[P_BE2].offset, pv + P->tensors[P_BE3].offset};
    double *w1 = load_w(st, (const char *)W->model0 + (size_t)W->tensors[W_1].offset * es, M, C, 1);
    double *w2 = load_w(st, (const char *)W->model0 + (size_t)W->tensors[W_2].offset * es, M, M, 3);
    double *w3 = load_w(st, (const char *)W->model0 + (size_t)W->tensors[W_3].offset * es, C, M, 1);
    double *x = load_act(st, st->x0, C), *dy = load_act(st, st->dy0, C);
    double *c1 = malloc(sizeof(double) * (size_t)nm), *r1 = malloc(sizeof(double) * (size_t)nm);
    double *c2 = malloc(sizeof(double) * (size_t)nm), *r2 = malloc(sizeof(double) * (size_t)nm);
    double *c3 = malloc(sizeof(double) * (size_t)nc), *y = malloc(sizeof(double) * (size_t)nc);
    double *gm = malloc(sizeof(double) * (size_t)nm), *gm2 = malloc(sizeof(double) * (size_t)nm);
    double *gc = malloc(sizeof(double) * (size_t)nc), *gc2 = malloc(sizeof(double) * (size_t)nc);
    bn_ref save[3];
    memset(save, 0, sizeof save);
    int ok = w1 && w2 && w3 && x && dy && c1 && r1 && c2 && r2 && c3 && y && gm && gm2 && gc && gc2;
    const int64_t wcount[W_COUNT] = {M * C, M * M * 9, C * M};
    for (int i = 0; i < W_COUNT; i++) ok = ok && (r->w[i] = malloc(sizeof(double) * (size_t)wcount[i]));
    for (int i = 0; i < P_COUNT; i++) ok = ok && (r->p[i] = malloc(sizeof(double) * (size_t)P->tensors[i].count));
    for (int k = 0; k < 3; k++) {
        const int64_t c = k == 2 ? C : M;
        ok = ok && (r->rmean[k] = malloc(sizeof(double) * (size_t)c)) && (r->rvar[k] = malloc(sizeof(double) * (size_t)c));
    }
    ok = ok && (r->dx = malloc(sizeof(double) * (size_t)nc));
    /* forward */
    ok = ok && ref_conv(st, x, w1, C, M, 1, c1) && ref_bn(st, c1, gam[0], bet[0], M, r1, r->rmean[0], r->rvar[0], &save[0]);
    if (ok) relu(r1, nm);
    ok = ok && ref_conv(st, r1, w2, M, M, 3, c2) && ref_bn(st, c2, gam[1], bet[1], M, r2, r->rmean[1], r->rvar[1], &save[1]);
    if (ok) relu(r2, nm);
    ok = ok && ref_conv(st, r2, w3, M, C, 1, c3) && ref_bn(st, c3, gam[2], bet[2], C, y, r->rmean[2], r->rvar[2], &save[2]);
    accel_status s = ok ? ACCEL_OK : wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
    if (s == ACCEL_OK) {
        for (int64_t i = 0; i < nc; i++) y[i] += x[i];
        relu(y, nc);
        void *got = NULL;
        s = wl_download(stream, st->a[A_Y], 0, (size_t)nc * es, &got);
        if (s == ACCEL_OK) {
            to_layout(st, y, C, gc); /* gc: scratch here */
            wl_verify_normwise(st->t, got, gc, nc, wl_layer_tolerance(st->dtype), "block output", out);
        }
        free(got);
    }
    /* the device's forward point; the batch norms' statistics follow from it */
    for (int k = 0; k < 3; k++) free(save[k].mean), free(save[k].invstd), save[k].mean = save[k].invstd = NULL;
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_C1, M, c1);
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_R1, M, r1);
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_C2, M, c2);
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_R2, M, r2);
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_C3, C, c3);
    if (s == ACCEL_OK) s = take_device_act(stream, st, A_Y, C, y);
    if (s == ACCEL_OK) {
        double *rm = malloc(sizeof(double) * (size_t)C), *rv = malloc(sizeof(double) * (size_t)C);
        ok = rm && rv && ref_bn(st, c1, gam[0], bet[0], M, gm, rm, rv, &save[0]) &&
             ref_bn(st, c2, gam[1], bet[1], M, gm, rm, rv, &save[1]) && ref_bn(st, c3, gam[2], bet[2], C, gc, rm, rv, &save[2]);
        free(rm), free(rv);
        if (!ok) s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
    }
    if (s == ACCEL_OK) {
        /* backward: gc = dS (kept for the identity path), gc2 = dC3, gm = dR2 ... */
        memcpy(gc, dy, sizeof(double) * (size_t)nc);
        relu_backward(y, gc, nc);
        ref_bn_backward(st, c3, gam[2], gc, C, &save[2], gc2, r->p[P_G3], r->p[P_BE3]);
        ok = ref_conv_backward(st, r2, w3, gc2, M, C, 1, gm, r->w[W_3]);
        if (ok) {
            relu_backward(r2, gm, nm);
            ref_bn_backward(st, c2, gam[1], gm, M, &save[1], gm2, r->p[P_G2], r->p[P_BE2]);
        }
        ok = ok && ref_conv_backward(st, r1, w2, gm2, M, M, 3, gm, r->w[W_2]);
        if (ok) {
            relu_backward(r1, gm, nm);
            ref_bn_backward(st, c1, gam[0], gm, M, &save[0], gm2, r->p[P_G1], r->p[P_BE1]);
        }
        ok = ok && ref_conv_backward(st, x, w1, gm2, C, M, 1, gc2, r->w[W_1]);
        if (ok)
            for (int64_t i = 0; i < nc; i++) r->dx[i] = gc2[i] + gc[i];
        else
            s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
    }
    free(w1), free(w2), free(w3), free(x), free(dy), free(c1), free(r1), free(c2), free(r2), free(c3), free(y);
    free(gm), free(gm2), free(gc), free(gc2);
    for (int k = 0; k < 3; k++) free(save[k].mean), free(save[k].invstd);
    return s;
}

/* The reference weight gradient (KCRS) in the device's weight layout. */
static double *w_grad_in_layout(const resnet_train_state *st, const double *kcrs, int64_t k, int64_t c, int64_t rs) {
    double *d = malloc(sizeof(double) * (size_t)(k * c * rs * rs));
    if (!d) return NULL;
    for (int64_t o = 0; o < k; o++)
        for (int64_t ch = 0; ch < c; ch++)
            for (int64_t tap = 0; tap < rs * rs; tap++) d[w_at(st, c, rs, o, ch, tap)] = kcrs[(o * c + ch) * rs * rs + tap];
    return d;
}

static accel_status check_stats(accel_stream *stream, const resnet_train_state *st, const ref_step *r, double tol,
                                awl_verify_result *out) {
    static const char *names[3][2] = {{"bn1.running_mean", "bn1.running_var"},
                                      {"bn2.running_mean", "bn2.running_var"},
                                      {"bn3.running_mean", "bn3.running_var"}};
    for (int k = 0; k < 3; k++) {
        const int64_t c = k == 2 ? st->C : st->M;
        for (int which = S_RMEAN; which <= S_RVAR; which++) {
            void *got = NULL;
            accel_status s = wl_download(stream, st->stats[k][which], 0, sizeof(float) * (size_t)c, &got);
            if (s != ACCEL_OK) return s;
            wl_verify_normwise(ACCEL_DTYPE_F32, got, which == S_RMEAN ? r->rmean[k] : r->rvar[k], c, tol,
                               names[k][which], out);
            free(got);
        }
    }
    return ACCEL_OK;
}

accel_status wl_resnet_train_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    resnet_train_state *st = state;
    memset(out, 0, sizeof *out);
    int32_t skipped;
    float scale;
    accel_status s = wl_amp_read(stream, &st->amp, &skipped, &scale);
    if (s != ACCEL_OK) return s;
    if (st->amp.enabled && st->runs > 0 && skipped >= st->runs) {
        out->checked = 1;
        out->passed = 0;
        snprintf(out->detail, sizeof out->detail,
                 "fp16 loss scaling: all %lld steps overflowed and were skipped (scale now %g): not a training step",
                 (long long)st->runs, (double)scale);
        return ACCEL_OK;
    }
    wl_param_group *groups[2] = {&st->w, &st->p};
    if ((s = wl_train_restore(stream, groups, 2, &st->amp)) != ACCEL_OK || (s = reset_stats(st, stream)) != ACCEL_OK)
        return s;
    if ((s = wl_steps_run(&st->steps, stream)) != ACCEL_OK) return s;
    if (st->corrupt) /* test hook: one weight gradient perturbed, as a wrong kernel would */
        if ((s = wl_corrupt_element(stream, st->w.grad, 0, st->w.grad_type, 3)) != ACCEL_OK) return s;
    ref_step r;
    memset(&r, 0, sizeof r);
    if ((s = reference(st, stream, &r, out)) != ACCEL_OK) {
        free_ref(&r);
        return s;
    }
    const double tol = wl_train_tolerance(st->dtype);
    const int64_t rs[W_COUNT] = {1, 3, 1}, kk[W_COUNT] = {st->M, st->M, st->C}, cc[W_COUNT] = {st->C, st->M, st->M};
    for (int i = 0; i < W_COUNT && s == ACCEL_OK; i++) {
        double *ref = w_grad_in_layout(st, r.w[i], kk[i], cc[i], rs[i]);
        if (!ref) s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
        else s = wl_train_check_grad(stream, &st->w, i, ref, tol, out);
        free(ref);
    }
    for (int i = 0; i < P_COUNT && s == ACCEL_OK; i++) s = wl_train_check_grad(stream, &st->p, i, r.p[i], tol, out);
    if (s == ACCEL_OK) {
        const int64_t n = st->N * st->C * st->H * st->H;
        void *dx = NULL;
        double *ref = malloc(sizeof(double) * (size_t)n);
        if (!ref) s = wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet training reference");
        if (s == ACCEL_OK) s = wl_download(stream, st->a[A_DX], 0, (size_t)n * accel_dtype_size(st->t), &dx);
        if (s == ACCEL_OK) {
            to_layout(st, r.dx, st->C, ref);
            const double f = wl_amp_input_grad_factor(&st->amp);
            for (int64_t i = 0; i < n; i++) ref[i] *= f;
            wl_verify_normwise(st->t, dx, ref, n, tol, "input gradient", out);
        }
        free(dx), free(ref);
    }
    if (s == ACCEL_OK) s = check_stats(stream, st, &r, tol, out);
    if (s == ACCEL_OK) s = wl_train_check_update(stream, &st->w, WL_TRAIN_UPDATE_TOL, out);
    if (s == ACCEL_OK) s = wl_train_check_update(stream, &st->p, WL_TRAIN_UPDATE_TOL, out);
    free_ref(&r);
    if (s == ACCEL_OK && st->amp.enabled && out->passed && skipped > 0)
        snprintf(out->detail, sizeof out->detail, "fp16 loss scaling: %d of %lld timed steps skipped (overflow), scale %g",
                 (int)skipped, (long long)st->runs, (double)scale);
    return s;
}
