/* resnet_block: 1x1 reduce (+bias+ReLU), 3x3 with the stride (v1.5) (+bias+ReLU), 1x1 expand with
 * bias + residual + ReLU fused as its epilogue; a strided 1x1 projection shortcut (+bias) on the
 * first block of each stage. BatchNorm is folded into the conv biases (inference). */
#include "resnet_block.h"
#include "common/wl_steps.h"
#include "train/resnet_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESNET_DTYPES ((1u << AWL_FP32) | (1u << AWL_TF32) | (1u << AWL_FP16) | (1u << AWL_BF16))

typedef struct resnet_block_shape {
    int64_t hw, cin, mid, stride, cout;
    int projection;
} resnet_block_shape;

typedef struct resnet_config {
    awl_config cfg;
    resnet_block_shape shape;
    accel_layout layout;
    int train; /* a training step (train/resnet_train.c) instead of inference */
} resnet_config;

#define SHAPE_C2F {56, 64, 64, 1, 256, 1}
#define SHAPE_C2I {56, 256, 64, 1, 256, 0}
#define SHAPE_C3F {56, 256, 128, 2, 512, 1}
#define SHAPE_C3I {28, 512, 128, 1, 512, 0}
#define SHAPE_C4F {28, 512, 256, 2, 1024, 1}
#define SHAPE_C4I {14, 1024, 256, 1, 1024, 0}
#define SHAPE_C5F {14, 1024, 512, 2, 2048, 1}
#define SHAPE_C5I {7, 2048, 512, 1, 2048, 0}

#define RB(name, shp, b, lay, LAY, q, s)                                                          \
    {{name "-b" #b "-" #lay, "ResNet-50 v1.5 " name " bottleneck, batch " #b ", " #LAY, b, 0, 0, 0, \
      RESNET_DTYPES, q, s}, SHAPE_##shp, ACCEL_LAYOUT_##LAY, 0}
/* Training steps exist for identity blocks (stride 1, no projection). */
#define RB_TRAIN(name, shp, b, lay, LAY, q, s)                                                     \
    {{name "-b" #b "-" #lay "-train", "ResNet-50 v1.5 " name " bottleneck training step (batch norm in " \
      "training mode, backward, AdamW), batch " #b ", " #LAY, b, 0, 0, 0, RESNET_DTYPES, q, s},      \
     SHAPE_##shp, ACCEL_LAYOUT_##LAY, 1}
#define RB_ALL(name, shp, std32)                                                                   \
    RB(name, shp, 1, nchw, NCHW, 0, 0), RB(name, shp, 1, nhwc, NHWC, 0, 0),                        \
    RB(name, shp, 32, nchw, NCHW, 0, std32), RB(name, shp, 32, nhwc, NHWC, 0, std32),              \
    RB(name, shp, 256, nchw, NCHW, 0, 0), RB(name, shp, 256, nhwc, NHWC, 0, 0)

static const resnet_config resnet_configs[] = {
    RB_ALL("conv2_x-first", C2F, 0),
    RB_ALL("conv2_x-identity", C2I, 0),
    RB_ALL("conv3_x-first", C3F, 0),
    RB(   "conv3_x-identity", C3I, 1, nchw, NCHW, 0, 1),
    RB(   "conv3_x-identity", C3I, 1, nhwc, NHWC, 1, 1),
    RB(   "conv3_x-identity", C3I, 32, nchw, NCHW, 0, 1),
    RB(   "conv3_x-identity", C3I, 32, nhwc, NHWC, 1, 1),
    RB(   "conv3_x-identity", C3I, 256, nchw, NCHW, 0, 0),
    RB(   "conv3_x-identity", C3I, 256, nhwc, NHWC, 0, 0),
    RB_ALL("conv4_x-first", C4F, 0),
    RB_ALL("conv4_x-identity", C4I, 1),
    RB_ALL("conv5_x-first", C5F, 0),
    RB_ALL("conv5_x-identity", C5I, 1),
    RB_TRAIN("conv3_x-identity", C3I, 2, nhwc, NHWC, 1, 0),
    RB_TRAIN("conv3_x-identity", C3I, 32, nchw, NCHW, 0, 0),
    RB_TRAIN("conv3_x-identity", C3I, 32, nhwc, NHWC, 0, 1),
};

enum { R_X, R_W1, R_B1, R_T1, R_W2, R_B2, R_T2, R_W3, R_B3, R_WP, R_BP, R_SC, R_Y, R_COUNT };

typedef struct resnet_state {
    int train; /* 0 here; a training state (train/resnet_train.c) starts with 1 */
    accel_device *dev;
    const resnet_config *cfg;
    awl_dtype dtype;
    accel_dtype t;
    int64_t batch, ho; /* output height = width */
    /* the convs' w_constant hint: the weights are uploaded once and only read after, as a served
     * model's initializers are. Not under --cold, whose row claims every run reads its operands
     * from memory (a reordered copy kept per binding would be read instead of the weights). */
    int weights_constant;
    wl_buffers bufs;
    accel_buffer *buf[R_COUNT];
    void *host[R_COUNT]; /* inputs and parameters only */
    int64_t count[R_COUNT];
    wl_steps steps;
} resnet_state;

static size_t resnet_config_count(void) { return WL_ARRAY_LEN(resnet_configs); }
static const awl_config *resnet_config_at(size_t i) {
    return i < WL_ARRAY_LEN(resnet_configs) ? &resnet_configs[i].cfg : NULL;
}

/* Both state kinds begin with an int saying whether they are a training step. */
static int is_train(const void *state) { return *(const int *)state; }

double wl_resnet_flop_per_image(const awl_config *cfg) {
    const resnet_block_shape *b = &((const resnet_config *)cfg)->shape;
    if (((const resnet_config *)cfg)->train)
        return wl_resnet_train_flop_per_image(b->hw, b->cin, b->mid);
    double hin = (double)b->hw, ho = (double)(b->hw / b->stride);
    double macs = hin * hin * (double)(b->cin * b->mid) /* 1x1 reduce at input resolution */
                  + ho * ho * (double)(b->mid * b->mid * 9) /* 3x3, strided */
                  + ho * ho * (double)(b->mid * b->cout);   /* 1x1 expand */
    if (b->projection)
        macs += ho * ho * (double)(b->cin * b->cout);
    return 2.0 * macs;
}

static void resnet_teardown(void *state) {
    resnet_state *st = state;
    if (!st)
        return;
    if (is_train(state)) {
        wl_resnet_train_teardown(state);
        return;
    }
    if (st->dev)
        accel_device_synchronize(st->dev);
    wl_steps_destroy(&st->steps);
    wl_free_all(&st->bufs);
    for (int i = 0; i < R_COUNT; i++)
        free(st->host[i]);
    free(st);
}

static accel_conv2d_desc resnet_conv(const resnet_state *st, int64_t c, int64_t hw, int64_t k,
                                     int64_t rs, int64_t stride, uint32_t epilogue) {
    accel_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.layout = st->cfg->layout;
    d.x_type = d.w_type = d.y_type = st->t;
    d.compute = wl_compute_type(st->dtype);
    d.n = st->batch;
    d.c = c;
    d.h = d.w = hw;
    d.k = k;
    d.r = d.s = rs;
    d.stride_h = d.stride_w = stride;
    d.pad_h = d.pad_w = rs / 2;
    d.dil_h = d.dil_w = 1;
    d.groups = 1;
    d.epilogue = epilogue;
    return d;
}

static accel_status add_conv(resnet_state *st, const char *lib, const accel_conv2d_desc *d, int x,
                             int w, int bias, int residual, int y) {
    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_CONV2D;
    snprintf(op.library, sizeof op.library, "%s", lib);
    op.u.conv2d = *d;
    op.u.conv2d.w_constant = st->weights_constant;
    accel_buffer_ref none = {NULL, 0};
    accel_buffer_ref ops[5] = {wl_ref(st->buf[x], 0), wl_ref(st->buf[w], 0), wl_ref(st->buf[bias], 0),
                               residual >= 0 ? wl_ref(st->buf[residual], 0) : none, wl_ref(st->buf[y], 0)};
    return wl_steps_add(&st->steps, st->dev, &op, ops, WL_ARRAY_LEN(ops));
}

static accel_status add_eltwise(resnet_state *st, const char *lib, accel_eltwise_kind kind, int x,
                                int z, int y) {
    accel_op_desc op;
    memset(&op, 0, sizeof op);
    op.kind = ACCEL_OP_ELTWISE;
    snprintf(op.library, sizeof op.library, "%s", lib);
    op.u.eltwise.kind = kind;
    op.u.eltwise.dtype = st->t;
    op.u.eltwise.count = st->count[y];
    op.u.eltwise.alpha = op.u.eltwise.beta = 1.0;
    accel_buffer_ref none = {NULL, 0};
    accel_buffer_ref ops[3] = {wl_ref(st->buf[x], 0), z >= 0 ? wl_ref(st->buf[z], 0) : none,
                               wl_ref(st->buf[y], 0)};
    return wl_steps_add(&st->steps, st->dev, &op, ops, WL_ARRAY_LEN(ops));
}

static accel_status resnet_build(resnet_state *st, const char *lib) {
    const resnet_block_shape *b = &st->cfg->shape;
    const uint32_t br = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
    accel_status s;
    accel_conv2d_desc d = resnet_conv(st, b->cin, b->hw, b->mid, 1, 1, br);
    if ((s = add_conv(st, lib, &d, R_X, R_W1, R_B1, -1, R_T1)) != ACCEL_OK)
        return s;
    d = resnet_conv(st, b->mid, b->hw, b->mid, 3, b->stride, br);
    if ((s = add_conv(st, lib, &d, R_T1, R_W2, R_B2, -1, R_T2)) != ACCEL_OK)
        return s;
    int shortcut = R_X;
    if (b->projection) {
        d = resnet_conv(st, b->cin, b->hw, b->cout, 1, b->stride, ACCEL_EPILOGUE_BIAS);
        if ((s = add_conv(st, lib, &d, R_X, R_WP, R_BP, -1, R_SC)) != ACCEL_OK)
            return s;
        shortcut = R_SC;
    }
    d = resnet_conv(st, b->mid, st->ho, b->cout, 1, 1, br | ACCEL_EPILOGUE_RESIDUAL);
    s = add_conv(st, lib, &d, R_T2, R_W3, R_B3, shortcut, R_Y);
    if (s != ACCEL_ERR_UNIMPLEMENTED)
        return s;
    /* Residual epilogue not offered: conv + bias, then add and ReLU as eltwise ops. */
    d.epilogue = ACCEL_EPILOGUE_BIAS;
    if ((s = add_conv(st, lib, &d, R_T2, R_W3, R_B3, -1, R_Y)) != ACCEL_OK ||
        (s = add_eltwise(st, lib, ACCEL_ELTWISE_ADD, R_Y, shortcut, R_Y)) != ACCEL_OK ||
        (s = add_eltwise(st, lib, ACCEL_ELTWISE_RELU, R_Y, -1, R_Y)) != ACCEL_OK)
        return s;
    wl_appendf(st->steps.notes, sizeof st->steps.notes,
               "residual add + ReLU as eltwise (fused conv epilogue unimplemented)");
    return ACCEL_OK;
}

static accel_status resnet_setup(accel_device *dev, accel_stream *stream, const awl_config *cfg,
                                 awl_dtype dtype, const awl_options *opt, void **state,
                                 awl_setup_info *info) {
    *state = NULL;
    wl_clear_error();
    const resnet_config *c = (const resnet_config *)cfg;
    const resnet_block_shape *b = &c->shape;
    accel_dtype t = wl_storage_type(dtype);
    if (!(cfg->dtypes & (1u << dtype)) || t == ACCEL_DTYPE_INVALID)
        return wl_fail(ACCEL_ERR_UNIMPLEMENTED, "resnet_block is not defined for %s", awl_dtype_name(dtype));
    if (c->train)
        return wl_resnet_train_setup(dev, stream, c->layout, cfg->batch, b->hw, b->cin, b->mid, dtype, opt, state,
                                     info);
    int64_t N = cfg->batch, H = b->hw, Ho = b->hw / b->stride;
    int64_t count[R_COUNT] = {
        [R_X] = N * b->cin * H * H, [R_W1] = b->mid * b->cin, [R_B1] = b->mid, [R_T1] = N * b->mid * H * H,
        [R_W2] = b->mid * b->mid * 9, [R_B2] = b->mid, [R_T2] = N * b->mid * Ho * Ho,
        [R_W3] = b->cout * b->mid, [R_B3] = b->cout,
        [R_WP] = b->projection ? b->cout * b->cin : 1, [R_BP] = b->projection ? b->cout : 1,
        [R_SC] = b->projection ? N * b->cout * Ho * Ho : 1, [R_Y] = N * b->cout * Ho * Ho};
    size_t es = accel_dtype_size(t);
    char what[96];
    snprintf(what, sizeof what, "resnet_block %s %s", cfg->id, awl_dtype_name(dtype));
    accel_status s = wl_check_counts_fit(dev, count, R_COUNT, es, 0, what);
    if (s != ACCEL_OK)
        return s;
    resnet_state *st = calloc(1, sizeof *st);
    if (!st)
        return wl_fail(ACCEL_ERR_OUT_OF_MEMORY, "resnet state");
    st->dev = dev;
    st->cfg = c;
    st->dtype = dtype;
    st->t = t;
    st->batch = N;
    st->ho = Ho;
    st->weights_constant = !(opt && opt->cold);
    memcpy(st->count, count, sizeof count);
    for (int i = 0; i < R_COUNT; i++)
        if ((s = wl_alloc(&st->bufs, dev, (size_t)count[i] * es, ACCEL_MEMORY_DEVICE, &st->buf[i])) != ACCEL_OK)
            goto fail;
    const char *lib = opt && opt->library ? opt->library : "";
    if ((s = resnet_build(st, lib)) != ACCEL_OK || (s = wl_steps_alloc_workspace(&st->steps, &st->bufs, dev)) != ACCEL_OK)
        goto fail;

    /* Inputs are post-ReLU activations, U(0,1); weights U(-a, a) with a = sqrt(3 / fan_in) keep the
     * activation scale steady through the block. */
    uint64_t seed = opt ? opt->seed : 1;
    struct { int idx; double lo, hi; } init[] = {
        {R_X, 0.0, 1.0},
        {R_W1, -sqrt(3.0 / (double)b->cin), sqrt(3.0 / (double)b->cin)}, {R_B1, -0.1, 0.1},
        {R_W2, -sqrt(3.0 / (double)(9 * b->mid)), sqrt(3.0 / (double)(9 * b->mid))}, {R_B2, -0.1, 0.1},
        {R_W3, -sqrt(3.0 / (double)b->mid), sqrt(3.0 / (double)b->mid)}, {R_B3, -0.1, 0.1},
        {R_WP, -sqrt(3.0 / (double)b->cin), sqrt(3.0 / (double)b->cin)}, {R_BP, -0.1, 0.1},
    };
    for (size_t i = 0; i < WL_ARRAY_LEN(init); i++) {
        int k = init[i].idx;
        if (!b->projection && (k == R_WP || k == R_BP))
            continue;
        if ((s = wl_upload_random(stream, st->buf[k], t, count[k], seed * 211 + (uint64_t)k, init[i].lo, init[i].hi,
                                  dtype == AWL_TF32, &st->host[k], "resnet inputs")) != ACCEL_OK)
            goto fail;
    }
    info->flop = wl_resnet_flop_per_image(cfg) * (double)N;
    info->bytes = (double)((count[R_X] + count[R_W1] + count[R_W2] + count[R_W3] +
                            (b->projection ? count[R_WP] : 0) + count[R_Y]) * (int64_t)es);
    info->items = (double)N;
    info->item = "image";
    wl_steps_describe(&st->steps, &st->bufs, dtype, opt, "", info);
    *state = st;
    return ACCEL_OK;
fail:
    snprintf(info->notes, sizeof info->notes, "%s", awl_last_error());
    resnet_teardown(st);
    return s;
}

static accel_status resnet_run(void *state, accel_stream *stream) {
    resnet_state *st = state;
    if (is_train(state))
        return wl_resnet_train_run(state, stream);
    return wl_steps_run(&st->steps, stream);
}

static accel_status resnet_profile_steps(void *state, accel_stream *stream, double *step_ms, size_t cap,
                                         size_t *count) {
    if (is_train(state))
        return wl_resnet_train_profile_steps(state, stream, step_ms, cap, count);
    return wl_steps_profile(&((resnet_state *)state)->steps, stream, step_ms, cap, count);
}

/* fp64 reference of image `img` through the whole block into y (cout x ho x ho, the layout's order). */
static int resnet_reference(const resnet_state *st, int64_t img, double *y) {
    const resnet_block_shape *b = &st->cfg->shape;
    accel_dtype t = st->t;
    size_t es = accel_dtype_size(t);
    int64_t H = b->hw, Ho = st->ho;
    const char *x = (const char *)st->host[R_X] + (size_t)(img * b->cin * H * H) * es;
    double *b1 = wl_to_double(t, st->host[R_B1], b->mid);
    double *b2 = wl_to_double(t, st->host[R_B2], b->mid);
    double *b3 = wl_to_double(t, st->host[R_B3], b->cout);
    double *bp = b->projection ? wl_to_double(t, st->host[R_BP], b->cout) : NULL;
    double *t1 = malloc((size_t)(b->mid * H * H) * sizeof(double));
    double *t2 = malloc((size_t)(b->mid * Ho * Ho) * sizeof(double));
    double *sc = b->projection ? malloc((size_t)(b->cout * Ho * Ho) * sizeof(double))
                               : wl_to_double(t, x, b->cin * H * H);
    int ok = b1 && b2 && b3 && (bp || !b->projection) && t1 && t2 && sc;
    if (ok) {
        resnet_state one = *st;
        one.batch = 1;
        const uint32_t br = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU;
        accel_conv2d_desc d = resnet_conv(&one, b->cin, H, b->mid, 1, 1, br);
        d.y_type = ACCEL_DTYPE_F64; /* bias and intermediate activations stay in fp64 */
        accel_ref_conv2d(&d, x, st->host[R_W1], b1, NULL, t1);
        d = resnet_conv(&one, b->mid, H, b->mid, 3, b->stride, br);
        d.x_type = d.y_type = ACCEL_DTYPE_F64;
        accel_ref_conv2d(&d, t1, st->host[R_W2], b2, NULL, t2);
        if (b->projection) {
            d = resnet_conv(&one, b->cin, H, b->cout, 1, b->stride, ACCEL_EPILOGUE_BIAS);
            d.y_type = ACCEL_DTYPE_F64;
            accel_ref_conv2d(&d, x, st->host[R_WP], bp, NULL, sc);
        }
        d = resnet_conv(&one, b->mid, Ho, b->cout, 1, 1, br | ACCEL_EPILOGUE_RESIDUAL);
        d.x_type = d.y_type = ACCEL_DTYPE_F64;
        accel_ref_conv2d(&d, t2, st->host[R_W3], b3, sc, y);
    }
    free(b1);
    free(b2);
    free(b3);
    free(bp);
    free(t1);
    free(t2);
    free(sc);
    return ok;
}

static int resnet_reference_entry(void *state, int64_t n, double *ref) { return resnet_reference(state, n, ref); }

static accel_status resnet_verify(void *state, accel_stream *stream, awl_verify_result *out) {
    resnet_state *st = state;
    if (is_train(state))
        return wl_resnet_train_verify(state, stream, out);
    return wl_verify_layer_items(stream, st->buf[R_Y], st->t, st->dtype, st->batch,
                                 st->cfg->shape.cout * st->ho * st->ho, "image", resnet_reference_entry, st, out);
}

static accel_status resnet_corrupt(void *state, accel_stream *stream) {
    resnet_state *st = state;
    if (is_train(state))
        return wl_resnet_train_corrupt(state, stream);
    return wl_corrupt_element(stream, st->buf[R_Y], 0, st->t, 0);
}

static accel_status resnet_set_loss_scale(void *state, accel_stream *stream, double scale) {
    return is_train(state) ? wl_resnet_train_set_loss_scale(state, stream, scale) : ACCEL_OK;
}

const awl_workload awl_resnet_block_workload = {
    "resnet_block",
    "ResNet-50 v1.5 bottleneck blocks, BatchNorm folded, residual + ReLU fused into the last conv (-train: a "
    "training step with batch norm in training mode)",
    resnet_config_count,
    resnet_config_at,
    wl_default_library,
    resnet_setup,
    resnet_run,
    resnet_verify,
    resnet_teardown,
    resnet_corrupt,
    resnet_set_loss_scale,
    resnet_profile_steps,
};
