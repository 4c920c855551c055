/* The .cl family's plans for the training ops (accel/ops_train.h): train_norm.cl (layernorm,
 * softmax and batch-norm backward, batch norm in training mode, the channel reduce), train_conv.cl
 * (conv2d backward data and weights) and train_optim.cl (AdamW, loss scaling). Storage f32, f16 or
 * bf16, every sum and the optimizer in fp32, the parameter gradients of the norms in fp32. */
#include <limits.h>
#include <math.h>
#include <stdio.h>

#include "cl_planner_internal.h"

enum { F32_BYTES = 4 };

/* A launch of the program `first` came from (same file, same defines, same prebuilt variant). */
static accel_recipe_launch *same_program(cl_ctx *c, const accel_recipe_launch *first, const char *entry) {
    char defines[sizeof first->defines], variant[sizeof first->variant];
    snprintf(defines, sizeof defines, "%s", first->defines);
    snprintf(variant, sizeof variant, "%s", first->variant);
    return cl_launch(c, first->source, entry, defines, variant);
}

/* One work-item per element, in groups of `wg`. */
static void per_element(accel_recipe_launch *l, uint64_t count, size_t wg) {
    l->grid[0] = cl_groups(count, wg);
    l->group[0] = (uint32_t)wg;
}

static void f32_operand(cl_ctx *c, accel_recipe_launch *l, int operand) { cl_buffer_arg(c, l, operand, F32_BYTES, 1, 1); }

/* Layernorm backward: row statistics into the workspace, the column sums for dgamma/dbeta, then dX
 * (which may alias dY, so it comes last). */
static accel_status plan_layernorm_backward(cl_ctx *c, const accel_layernorm_backward_desc *d) {
    const int dt = cl_storage(c, d->dtype, "layernorm_backward");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_status st = cl_rows_ok(c, "layernorm_backward", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    if (d->rows > INT_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "layernorm_backward: rows above 2^31");
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *a = cl_row_launch_in(c, "train_norm", "ln_bwd_stats", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, a, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, a, d->eps);
    cl_buffer_arg(c, a, 0, es, 1, 1);
    cl_buffer_arg(c, a, ACCEL_RECIPE_WORKSPACE, F32_BYTES, 1, 0);
    c->r->workspace_bytes = (size_t)d->rows * 2 * F32_BYTES;

    accel_recipe_launch *b = same_program(c, a, "accel_ln_bwd_params");
    per_element(b, (uint64_t)d->cols, wg);
    accel_recipe_i32(c->r, b, d->rows, 0);
    accel_recipe_i32(c->r, b, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, b, d->accumulate, 0);
    cl_buffer_arg(c, b, 0, es, 1, 1);
    cl_buffer_arg(c, b, 2, es, 1, 1);
    cl_buffer_arg(c, b, ACCEL_RECIPE_WORKSPACE, F32_BYTES, 1, 0);
    f32_operand(c, b, 4);
    f32_operand(c, b, 5);

    accel_recipe_launch *l = cl_row_launch_in(c, "train_norm", "ln_bwd_data", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, l, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    cl_buffer_arg(c, l, 1, es, 1, 1);
    cl_buffer_arg(c, l, 2, es, 1, 1);
    cl_buffer_arg(c, l, ACCEL_RECIPE_WORKSPACE, F32_BYTES, 1, 0);
    cl_buffer_arg(c, l, 3, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "train_norm.cl layernorm backward: row stats, column sums, row dX; wg %zu fp32", wg);
    return ACCEL_OK;
}

static accel_status plan_softmax_backward(cl_ctx *c, const accel_softmax_desc *d) {
    const int dt = cl_storage(c, d->dtype, "softmax_backward");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_status st = cl_rows_ok(c, "softmax_backward", d->rows, d->cols);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *l = cl_row_launch_in(c, "train_norm", "softmax_bwd", dt, d->rows, d->cols, &wg);
    accel_recipe_i32(c->r, l, d->cols, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->scale);
    for (int i = 0; i < 3; i++) cl_buffer_arg(c, l, i, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_norm.cl softmax backward row-per-group wg %zu fp32", wg);
    return ACCEL_OK;
}

static accel_status plan_reduce(cl_ctx *c, const accel_reduce_desc *d) {
    const int dt = cl_storage(c, d->x_type, "reduce");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (d->channels > INT_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "reduce: channels above 2^31");
    const int64_t per_channel = d->outer * d->inner;
    size_t wg;
    accel_recipe_launch *l = cl_row_launch_in(c, "train_norm", "reduce", dt, d->channels,
                                              per_channel > INT_MAX ? INT_MAX : per_channel, &wg);
    accel_recipe_i64(c->r, l, d->outer, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, l, d->channels, 0);
    accel_recipe_i64(c->r, l, d->inner, 0);
    accel_recipe_i32(c->r, l, d->accumulate, 0);
    accel_recipe_i32(c->r, l, d->y_type == ACCEL_DTYPE_F32, 0);
    cl_buffer_arg(c, l, 0, accel_dtype_bytes(d->x_type), 1, 1);
    cl_buffer_arg(c, l, 1, accel_dtype_bytes(d->y_type), 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_norm.cl reduce group-per-channel wg %zu fp32", wg);
    return ACCEL_OK;
}

/* What both batch-norm directions check; *dt the storage code. */
static accel_status batchnorm_ok(cl_ctx *c, const accel_batchnorm_desc *d, const char *op, int *dt) {
    *dt = cl_storage(c, d->dtype, op);
    if (*dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (d->n * d->h * d->w > INT_MAX || d->h * d->w > INT_MAX || d->c > INT_MAX || d->n > INT_MAX)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: more than 2^31 values per channel", op);
    return ACCEL_OK;
}

/* n, c, h w and the layout: the channel geometry every batch-norm kernel starts with. */
static void channel_geometry(cl_ctx *c, accel_recipe_launch *l, const accel_batchnorm_desc *d, int total_first) {
    if (total_first) accel_recipe_i64(c->r, l, d->n * d->c * d->h * d->w, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    else accel_recipe_i32(c->r, l, d->n, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, l, d->c, 0);
    accel_recipe_i32(c->r, l, d->h * d->w, 0);
    accel_recipe_i32(c->r, l, d->layout == ACCEL_LAYOUT_NHWC, 0);
}

static accel_status plan_batchnorm(cl_ctx *c, const accel_batchnorm_desc *d) {
    int dt;
    accel_status st = batchnorm_ok(c, d, "batchnorm", &dt);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *a = cl_row_launch_in(c, "train_norm", "bn_stats", dt, d->c, d->n * d->h * d->w, &wg);
    channel_geometry(c, a, d, 0);
    accel_recipe_f32(c->r, a, d->eps);
    accel_recipe_f32(c->r, a, d->momentum);
    cl_buffer_arg(c, a, 0, es, 1, 1);
    for (int i = 4; i < 8; i++) f32_operand(c, a, i);
    accel_recipe_launch *l = same_program(c, a, "accel_bn_apply");
    per_element(l, (uint64_t)(d->n * d->c * d->h * d->w), wg);
    channel_geometry(c, l, d, 1);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    f32_operand(c, l, 1);
    f32_operand(c, l, 2);
    f32_operand(c, l, 6);
    f32_operand(c, l, 7);
    cl_buffer_arg(c, l, 3, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "train_norm.cl batchnorm training: group-per-channel statistics (wg %zu), then per element; fp32", wg);
    return ACCEL_OK;
}

static accel_status plan_batchnorm_backward(cl_ctx *c, const accel_batchnorm_desc *d) {
    int dt;
    accel_status st = batchnorm_ok(c, d, "batchnorm_backward", &dt);
    if (st != ACCEL_OK) return st;
    const size_t es = accel_dtype_bytes(d->dtype);
    size_t wg;
    accel_recipe_launch *a = cl_row_launch_in(c, "train_norm", "bn_bwd_params", dt, d->c, d->n * d->h * d->w, &wg);
    channel_geometry(c, a, d, 0);
    cl_buffer_arg(c, a, 0, es, 1, 1);
    cl_buffer_arg(c, a, 2, es, 1, 1);
    for (int i = 3; i < 5; i++) f32_operand(c, a, i);
    for (int i = 6; i < 8; i++) f32_operand(c, a, i);
    accel_recipe_launch *l = same_program(c, a, "accel_bn_bwd_data");
    per_element(l, (uint64_t)(d->n * d->c * d->h * d->w), wg);
    channel_geometry(c, l, d, 1);
    cl_buffer_arg(c, l, 0, es, 1, 1);
    f32_operand(c, l, 1);
    cl_buffer_arg(c, l, 2, es, 1, 1);
    for (int i = 3; i < 5; i++) f32_operand(c, l, i);
    for (int i = 6; i < 8; i++) f32_operand(c, l, i);
    cl_buffer_arg(c, l, 5, es, 1, 1);
    snprintf(c->r->algorithm, sizeof c->r->algorithm,
             "train_norm.cl batchnorm backward: group-per-channel sums (wg %zu), then per element; fp32", wg);
    return ACCEL_OK;
}

/* Operands (data: dY, W, dX; weights: X, dY, dW), then the forward's geometry. */
static accel_status plan_conv_backward(cl_ctx *c, const accel_conv2d_desc *d, int weights) {
    const char *op = weights ? "conv2d_backward_weights" : "conv2d_backward_data";
    if (d->groups > 1) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: groups > 1", op);
    if (d->x_type != d->w_type || d->x_type != d->y_type)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: X, W and Y must share a storage type", op);
    if (!accel_compute_is_fp32_on(d->compute, d->x_type))
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: compute type %d with %s storage (the kernels compute in "
                         "fp32; no tf32, no fp16 accumulation)", op, (int)d->compute, accel_dtype_label(d->x_type));
    const int dt = cl_storage(c, d->x_type, op);
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    int64_t p, q;
    if (!accel_conv2d_out_hw(d, &p, &q) || p <= 0 || q <= 0)
        return cl_refuse(c, ACCEL_ERR_INVALID_ARGUMENT, "%s: the output is empty", op);
    if (d->n * d->c * d->h * d->w > INT_MAX || d->n * d->k * p * q > INT_MAX || d->k * d->c * d->r * d->s > INT_MAX)
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: a tensor above 2^31 elements", op);
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const size_t es = accel_dtype_bytes(d->x_type), wg = cl_element_group(c);
    char defines[48], variant[48];
    snprintf(defines, sizeof defines, "-DLAYOUT=%d -DDTYPE=%d", nhwc, dt);
    snprintf(variant, sizeof variant, "train_conv__l%d_dt%d", nhwc, dt);
    accel_recipe_launch *l = cl_launch(c, "train_conv", weights ? "accel_conv_bwd_weights" : "accel_conv_bwd_data",
                                       defines, variant);
    per_element(l, (uint64_t)(weights ? d->k * d->c * d->r * d->s : d->n * d->c * d->h * d->w), wg);
    for (int i = 0; i < 3; i++) cl_buffer_arg(c, l, i, es, 1, 1);
    const int64_t v[15] = {d->n, d->c, d->h, d->w, d->k, d->r, d->s, p, q, d->stride_h, d->stride_w,
                           d->pad_h, d->pad_w, d->dil_h ? d->dil_h : 1, d->dil_w ? d->dil_w : 1};
    for (int i = 0; i < 15; ++i) accel_recipe_i32(c->r, l, v[i], i == 0 ? ACCEL_RECIPE_ZERO_IN_WARM_UP : 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_conv.cl %s %s direct, one work-item per %s, fp32-acc",
             weights ? "weight gradient" : "data gradient (transposed conv)", nhwc ? "nhwc" : "nchw",
             weights ? "weight" : "input element");
    return ACCEL_OK;
}

/* train_optim.cl with the gradient storage dt and the model copy's mt (1 f16, 2 bf16). */
static accel_recipe_launch *optim_launch(cl_ctx *c, const char *entry, int dt, int mt) {
    char defines[48], variant[48];
    snprintf(defines, sizeof defines, "-DDTYPE=%d -DMODEL_DT=%d", dt, mt);
    snprintf(variant, sizeof variant, "train_optim__dt%d_mt%d", dt, mt);
    return cl_launch(c, "train_optim", entry, defines, variant);
}

static accel_status plan_adamw(cl_ctx *c, const accel_adamw_desc *d) {
    const int dt = cl_storage(c, d->grad_type, "adamw gradients");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    const int has_model = d->model_type != ACCEL_DTYPE_INVALID;
    const int mt = d->model_type == ACCEL_DTYPE_F16 ? 1 : 2;
    accel_recipe_launch *l = optim_launch(c, "accel_adamw", dt, mt);
    per_element(l, (uint64_t)d->count, cl_element_group(c));
    accel_recipe_i64(c->r, l, d->count, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->lr);
    accel_recipe_f32(c->r, l, d->beta1);
    accel_recipe_f32(c->r, l, d->beta2);
    accel_recipe_f32(c->r, l, d->eps);
    accel_recipe_f32(c->r, l, d->weight_decay);
    accel_recipe_f32(c->r, l, 1.0 - pow(d->beta1, (double)d->step));
    accel_recipe_f32(c->r, l, 1.0 - pow(d->beta2, (double)d->step));
    accel_recipe_i32(c->r, l, has_model, 0);
    accel_recipe_present(c->r, l, 5);
    f32_operand(c, l, 0);
    cl_buffer_arg(c, l, 1, accel_dtype_bytes(d->grad_type), 1, 1);
    f32_operand(c, l, 2);
    f32_operand(c, l, 3);
    cl_buffer_arg(c, l, 4, 2, has_model, 1);
    cl_buffer_arg(c, l, 5, F32_BYTES, 1, 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_optim.cl adamw fp32 masters, one work-item per parameter%s",
             has_model ? ", model copy written" : "");
    return ACCEL_OK;
}

static accel_status plan_amp_scale(cl_ctx *c, const accel_amp_scale_desc *d) {
    const int dt = cl_storage(c, d->dtype, "amp_scale");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    accel_recipe_launch *l = optim_launch(c, "accel_amp_scale", dt, 2);
    per_element(l, (uint64_t)d->count, cl_element_group(c));
    accel_recipe_i64(c->r, l, d->count, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_i32(c->r, l, d->invert, 0);
    cl_buffer_arg(c, l, 0, accel_dtype_bytes(d->dtype), 1, 1);
    f32_operand(c, l, 1);
    accel_recipe_present(c->r, l, 2);
    cl_buffer_arg(c, l, 2, F32_BYTES, 1, 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_optim.cl amp %s, inf/NaN flag on the device",
             d->invert ? "unscale" : "scale");
    return ACCEL_OK;
}

static accel_status plan_amp_update(cl_ctx *c, const accel_amp_update_desc *d) {
    if (d->growth_interval > INT_MAX) return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "amp_update_scale: growth_interval above 2^31");
    accel_recipe_launch *l = optim_launch(c, "accel_amp_update", 0, 2);
    accel_recipe_i32(c->r, l, 1, ACCEL_RECIPE_ZERO_IN_WARM_UP);
    accel_recipe_f32(c->r, l, d->growth_factor);
    accel_recipe_f32(c->r, l, d->backoff_factor);
    accel_recipe_i32(c->r, l, d->growth_interval, 0);
    f32_operand(c, l, 0);
    f32_operand(c, l, 1);
    f32_operand(c, l, 2);
    accel_recipe_present(c->r, l, 3);
    cl_buffer_arg(c, l, 3, F32_BYTES, 1, 0);
    snprintf(c->r->algorithm, sizeof c->r->algorithm, "train_optim.cl amp scale update, one work-item");
    return ACCEL_OK;
}

accel_status cl_plan_train(cl_ctx *c, const accel_op_desc *d) {
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM_BACKWARD: return plan_layernorm_backward(c, &d->u.layernorm_backward);
    case ACCEL_OP_SOFTMAX_BACKWARD: return plan_softmax_backward(c, &d->u.softmax);
    case ACCEL_OP_REDUCE: return plan_reduce(c, &d->u.reduce);
    case ACCEL_OP_BATCHNORM: return plan_batchnorm(c, &d->u.batchnorm);
    case ACCEL_OP_BATCHNORM_BACKWARD: return plan_batchnorm_backward(c, &d->u.batchnorm);
    case ACCEL_OP_CONV2D_BACKWARD_DATA: return plan_conv_backward(c, &d->u.conv2d, 0);
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: return plan_conv_backward(c, &d->u.conv2d, 1);
    case ACCEL_OP_ADAMW: return plan_adamw(c, &d->u.adamw);
    case ACCEL_OP_AMP_SCALE: return plan_amp_scale(c, &d->u.amp_scale);
    case ACCEL_OP_AMP_UPDATE_SCALE: return plan_amp_update(c, &d->u.amp_update);
    default:
        return cl_refuse(c, ACCEL_ERR_UNIMPLEMENTED, "%s: no kernel in the .cl family", accel_op_kind_label(d->kind));
    }
}
