/* The .cu family's plans for the training ops (accel/ops_train.h): kernels/train_norm.cu
 * (layernorm, softmax and batch-norm backward, batch norm in training mode, the channel reduce),
 * train_conv.cu (conv2d backward data and weights) and train_optim.cu (AdamW, loss scaling). Storage
 * f32, f16 or bf16; every sum and the optimizer in fp32; the norms' parameter gradients fp32. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "accel_cu_train.h"

typedef struct cu_train_ctx {
    const accel_cu_target *t;
    accel_recipe *r;
    char *why;
    size_t why_len;
} cu_train_ctx;

static accel_status train_refuse(cu_train_ctx *c, accel_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static accel_status train_refuse(cu_train_ctx *c, accel_status st, const char *fmt, ...) {
    int n = snprintf(c->why, c->why_len, "%s ", c->t->backend);
    if (n < 0 || (size_t)n >= c->why_len) n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why + n, c->why_len - (size_t)n, fmt, ap);
    va_end(ap);
    return st;
}

/* The kernel <prefix>_<sfx> of source; NULL (after the refusal) for a storage type it lacks. */
static accel_recipe_launch *train_launch(cu_train_ctx *c, const char *source, const char *prefix, accel_dtype t,
                                         const char *op) {
    const char *sfx = accel_cu_dtype_suffix(t, 0);
    if (!sfx) {
        train_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: storage type %s is not one the kernels take (f32, f16, bf16)",
                     op, accel_dtype_label(t));
        return NULL;
    }
    char entry[48];
    snprintf(entry, sizeof entry, "%s_%s", prefix, sfx);
    return accel_recipe_add_launch(c->r, source, entry);
}

/* One block per row (or channel): a warp multiple up to 256 threads. */
static int per_row(cu_train_ctx *c, accel_recipe_launch *l, int64_t rows, int64_t cols, const char *op) {
    if (rows > INT_MAX) {
        train_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: %lld rows (at most %d, one block each)", op, (long long)rows,
                     INT_MAX);
        return 0;
    }
    const int64_t warp = c->t->warp ? c->t->warp : 32;
    int64_t threads = (cols + warp - 1) / warp * warp;
    if (threads > 256) threads = 256;
    if (threads < warp) threads = warp;
    l->grid[0] = (uint32_t)rows;
    l->group[0] = (uint32_t)threads;
    return 1;
}

/* Grid-stride: 256 threads, at most the target's block cap. */
static void per_element(cu_train_ctx *c, accel_recipe_launch *l, int64_t items) {
    uint64_t blocks = ((uint64_t)(items > 0 ? items : 0) + 255) / 256;
    const uint64_t cap = c->t->stride_blocks_max ? c->t->stride_blocks_max : 1;
    if (blocks > cap) blocks = cap;
    l->grid[0] = (uint32_t)(blocks ? blocks : 1);
    l->group[0] = 256;
}

static accel_status described(cu_train_ctx *c, const char *how) {
    const accel_recipe_launch *l = &c->r->launch[c->r->nlaunches - 1];
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "%s (%s) %s", l->entry, l->source, how);
    return ACCEL_OK;
}

static void operands(cu_train_ctx *c, accel_recipe_launch *l, const int *idx, int n) {
    for (int i = 0; i < n; i++) accel_recipe_operand(c->r, l, idx[i], 1);
}

static accel_status plan_layernorm_backward(cu_train_ctx *c, const accel_layernorm_backward_desc *d) {
    const char *op = "layernorm_backward";
    accel_recipe_launch *a = train_launch(c, "train_norm.cu", "accel_ln_bwd_stats", d->dtype, op);
    if (!a || !per_row(c, a, d->rows, d->cols, op)) return ACCEL_ERR_UNIMPLEMENTED;
    accel_recipe_operand(c->r, a, 0, 1);
    accel_recipe_operand(c->r, a, ACCEL_RECIPE_WORKSPACE, 0);
    accel_recipe_i64(c->r, a, d->cols, 0);
    accel_recipe_f32(c->r, a, d->eps);
    c->r->workspace_bytes = (size_t)d->rows * 2 * sizeof(float);
    accel_recipe_launch *b = train_launch(c, "train_norm.cu", "accel_ln_bwd_params", d->dtype, op);
    per_element(c, b, d->cols);
    accel_recipe_operand(c->r, b, 0, 1);
    accel_recipe_operand(c->r, b, 2, 1);
    accel_recipe_operand(c->r, b, ACCEL_RECIPE_WORKSPACE, 0);
    accel_recipe_operand(c->r, b, 4, 1);
    accel_recipe_operand(c->r, b, 5, 1);
    accel_recipe_i64(c->r, b, d->rows, 0);
    accel_recipe_i64(c->r, b, d->cols, 0);
    accel_recipe_i32(c->r, b, d->accumulate, 0);
    accel_recipe_launch *l = train_launch(c, "train_norm.cu", "accel_ln_bwd_data", d->dtype, op);
    per_row(c, l, d->rows, d->cols, op);
    operands(c, l, (const int[]){0, 1, 2}, 3);
    accel_recipe_operand(c->r, l, ACCEL_RECIPE_WORKSPACE, 0);
    accel_recipe_operand(c->r, l, 3, 1);
    accel_recipe_i64(c->r, l, d->cols, 0);
    return described(c, "row statistics, column sums for dgamma/dbeta, then dX block per row; fp32");
}

static accel_status plan_softmax_backward(cu_train_ctx *c, const accel_softmax_desc *d) {
    accel_recipe_launch *l = train_launch(c, "train_norm.cu", "accel_softmax_bwd", d->dtype, "softmax_backward");
    if (!l || !per_row(c, l, d->rows, d->cols, "softmax_backward")) return ACCEL_ERR_UNIMPLEMENTED;
    operands(c, l, (const int[]){0, 1, 2}, 3);
    accel_recipe_i64(c->r, l, d->cols, 0);
    accel_recipe_f32(c->r, l, d->scale);
    return described(c, "block per row, fp32");
}

static accel_status plan_reduce(cu_train_ctx *c, const accel_reduce_desc *d) {
    accel_recipe_launch *l = train_launch(c, "train_norm.cu", "accel_reduce", d->x_type, "reduce");
    if (!l || !per_row(c, l, d->channels, d->outer * d->inner, "reduce")) return ACCEL_ERR_UNIMPLEMENTED;
    const int y32 = d->y_type == ACCEL_DTYPE_F32;
    accel_recipe_operand(c->r, l, 0, 1);
    accel_recipe_operand_if(c->r, l, 1, y32);
    accel_recipe_operand_if(c->r, l, 1, !y32);
    accel_recipe_i64(c->r, l, d->outer, 0);
    accel_recipe_i64(c->r, l, d->channels, 0);
    accel_recipe_i64(c->r, l, d->inner, 0);
    accel_recipe_i32(c->r, l, d->accumulate, 0);
    return described(c, "block per channel, fp32");
}

static void channel_geometry(cu_train_ctx *c, accel_recipe_launch *l, const accel_batchnorm_desc *d, int total) {
    accel_recipe_i64(c->r, l, total ? d->n * d->c * d->h * d->w : d->n, 0);
    accel_recipe_i64(c->r, l, d->c, 0);
    accel_recipe_i64(c->r, l, d->h * d->w, 0);
    accel_recipe_i32(c->r, l, d->layout == ACCEL_LAYOUT_NHWC, 0);
}

static accel_status plan_batchnorm(cu_train_ctx *c, const accel_batchnorm_desc *d, int backward) {
    const char *op = backward ? "batchnorm_backward" : "batchnorm";
    accel_recipe_launch *a =
        train_launch(c, "train_bn.cu", backward ? "accel_bn_bwd_params" : "accel_bn_stats", d->dtype, op);
    if (!a || !per_row(c, a, d->c, d->n * d->h * d->w, op)) return ACCEL_ERR_UNIMPLEMENTED;
    if (backward) operands(c, a, (const int[]){0, 2, 3, 4, 6, 7}, 6);
    else operands(c, a, (const int[]){0, 4, 5, 6, 7}, 5);
    channel_geometry(c, a, d, 0);
    if (!backward) {
        accel_recipe_f32(c->r, a, d->eps);
        accel_recipe_f32(c->r, a, d->momentum);
    }
    accel_recipe_launch *l =
        train_launch(c, "train_bn.cu", backward ? "accel_bn_bwd_data" : "accel_bn_apply", d->dtype, op);
    per_element(c, l, d->n * d->c * d->h * d->w);
    if (backward) operands(c, l, (const int[]){0, 1, 2, 3, 4, 6, 7, 5}, 8);
    else operands(c, l, (const int[]){0, 1, 2, 6, 7, 3}, 6);
    channel_geometry(c, l, d, 1);
    return described(c, "block per channel for the sums, then grid-stride per element; fp32");
}

static accel_status plan_conv_backward(cu_train_ctx *c, const accel_conv2d_desc *d, int weights) {
    const char *op = weights ? "conv2d_backward_weights" : "conv2d_backward_data";
    if (d->w_type != d->x_type || d->y_type != d->x_type)
        return train_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: X, W and Y must share a storage type", op);
    if (d->groups > 1) return train_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: groups > 1", op);
    if (!accel_compute_is_fp32_on(d->compute, d->x_type))
        return train_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: compute type %d with %s storage (the accel kernels "
                            "compute in fp32)", op, (int)d->compute, accel_dtype_label(d->x_type));
    int64_t p = 0, q = 0;
    if (!accel_conv2d_out_hw(d, &p, &q) || p <= 0 || q <= 0)
        return train_refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "%s: the output is empty", op);
    accel_conv2d_params k;
    memset(&k, 0, sizeof k);
    k.n = d->n, k.c = d->c, k.h = d->h, k.w = d->w, k.k = d->k, k.r = d->r, k.s = d->s, k.p = p, k.q = q;
    k.stride_h = d->stride_h, k.stride_w = d->stride_w, k.pad_h = d->pad_h, k.pad_w = d->pad_w;
    k.dil_h = d->dil_h ? d->dil_h : 1;
    k.dil_w = d->dil_w ? d->dil_w : 1;
    k.nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    accel_recipe_launch *l = train_launch(c, "train_conv.cu", weights ? "accel_conv_bwd_weights" : "accel_conv_bwd_data",
                                          d->x_type, op);
    if (!l) return ACCEL_ERR_UNIMPLEMENTED;
    per_element(c, l, weights ? d->k * d->c * d->r * d->s : d->n * d->c * d->h * d->w);
    operands(c, l, (const int[]){0, 1, 2}, 3);
    accel_recipe_bytes(c->r, l, &k, sizeof k, 8, 0);
    return described(c, weights ? "direct, one thread per weight, fp32 accumulate"
                                : "transposed conv, one thread per input element, fp32 accumulate");
}

static accel_status plan_adamw(cu_train_ctx *c, const accel_adamw_desc *d) {
    accel_recipe_launch *l = train_launch(c, "train_optim.cu", "accel_adamw", d->grad_type, "adamw");
    if (!l) return ACCEL_ERR_UNIMPLEMENTED;
    per_element(c, l, d->count);
    operands(c, l, (const int[]){0, 1, 2, 3}, 4);
    accel_recipe_operand_if(c->r, l, 4, d->model_type == ACCEL_DTYPE_F16);
    accel_recipe_operand_if(c->r, l, 4, d->model_type == ACCEL_DTYPE_BF16);
    accel_recipe_operand(c->r, l, 5, 0); /* found_inf: optional, null when absent */
    accel_recipe_i64(c->r, l, d->count, 0);
    accel_recipe_f32(c->r, l, d->lr);
    accel_recipe_f32(c->r, l, d->beta1);
    accel_recipe_f32(c->r, l, d->beta2);
    accel_recipe_f32(c->r, l, d->eps);
    accel_recipe_f32(c->r, l, d->weight_decay);
    accel_recipe_f32(c->r, l, 1.0 - pow(d->beta1, (double)d->step));
    accel_recipe_f32(c->r, l, 1.0 - pow(d->beta2, (double)d->step));
    return described(c, "fp32 masters, grid-stride, skipped on the device flag");
}

static accel_status plan_amp_scale(cu_train_ctx *c, const accel_amp_scale_desc *d) {
    accel_recipe_launch *l = train_launch(c, "train_optim.cu", "accel_amp_scale", d->dtype, "amp_scale");
    if (!l) return ACCEL_ERR_UNIMPLEMENTED;
    per_element(c, l, d->count);
    accel_recipe_operand(c->r, l, 0, 1);
    accel_recipe_operand(c->r, l, 1, 1);
    accel_recipe_operand(c->r, l, 2, 0);
    accel_recipe_i64(c->r, l, d->count, 0);
    accel_recipe_i32(c->r, l, d->invert, 0);
    return described(c, d->invert ? "unscale, inf/NaN flag on the device" : "scale, inf/NaN flag on the device");
}

static accel_status plan_amp_update(cu_train_ctx *c, const accel_amp_update_desc *d) {
    accel_recipe_launch *l = accel_recipe_add_launch(c->r, "train_optim.cu", "accel_amp_update");
    l->group[0] = 32; /* one thread works; a whole warp is the smallest block anywhere */
    operands(c, l, (const int[]){0, 1, 2}, 3);
    accel_recipe_operand(c->r, l, 3, 0);
    accel_recipe_f32(c->r, l, d->growth_factor);
    accel_recipe_f32(c->r, l, d->backoff_factor);
    accel_recipe_i64(c->r, l, d->growth_interval, 0);
    return described(c, "one thread");
}

accel_status accel_cu_plan_train(const accel_op_desc *d, const accel_cu_target *t, accel_recipe *r, char *why,
                                 size_t why_len) {
    cu_train_ctx c = {t, r, why, why_len};
    memset(r, 0, sizeof *r);
    if (why_len) why[0] = '\0';
    accel_status st;
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM_BACKWARD: st = plan_layernorm_backward(&c, &d->u.layernorm_backward); break;
    case ACCEL_OP_SOFTMAX_BACKWARD: st = plan_softmax_backward(&c, &d->u.softmax); break;
    case ACCEL_OP_REDUCE: st = plan_reduce(&c, &d->u.reduce); break;
    case ACCEL_OP_BATCHNORM: st = plan_batchnorm(&c, &d->u.batchnorm, 0); break;
    case ACCEL_OP_BATCHNORM_BACKWARD: st = plan_batchnorm(&c, &d->u.batchnorm, 1); break;
    case ACCEL_OP_CONV2D_BACKWARD_DATA: st = plan_conv_backward(&c, &d->u.conv2d, 0); break;
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: st = plan_conv_backward(&c, &d->u.conv2d, 1); break;
    case ACCEL_OP_ADAMW: st = plan_adamw(&c, &d->u.adamw); break;
    case ACCEL_OP_AMP_SCALE: st = plan_amp_scale(&c, &d->u.amp_scale); break;
    case ACCEL_OP_AMP_UPDATE_SCALE: st = plan_amp_update(&c, &d->u.amp_update); break;
    default:
        st = train_refuse(&c, ACCEL_ERR_UNIMPLEMENTED, "%s: no kernel in the .cu family", accel_op_kind_label(d->kind));
        break;
    }
    if (st == ACCEL_OK && r->overflow)
        st = train_refuse(&c, ACCEL_ERR_INTERNAL, "planner: the recipe overflowed (a planner bug)");
    return st;
}
