/* Non-GEMM ops on the shared kernels (backends/gpu_common/kernels): layernorm, softmax, eltwise,
 * permute, conv2d (implicit GEMM), fused attention. */
#define _POSIX_C_SOURCE 200809L
#include "hip_ops.h"

#include "../../gpu_common/kernels/accel_attention_limits.h"

#include <stdio.h>
#include <string.h>

static accel_status unsupported_type(hip_plan *plan, const char *op, accel_dtype t) {
    return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                           "hip %s: dtype %d not supported (f32, f16, bf16)", op,
                                           (int)t);
}

static int float_type(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 || t == ACCEL_DTYPE_F16 || t == ACCEL_DTYPE_BF16;
}

static accel_status load(hip_plan *plan, const char *source, const char *prefix, const char *sfx,
                         accel_plugin_plan_info *info) {
    char name[64];
    snprintf(name, sizeof name, "%s_%s", prefix, sfx);
    accel_status st = hip_device_function(plan->dev, source, name, &plan->fn);
    if (st == ACCEL_OK) {
        snprintf(info->library, sizeof info->library, "accel-hip");
        snprintf(info->algorithm, sizeof info->algorithm, "hiprtc %s (%s), %s", name, source,
                 plan->dev->arch);
    }
    plan->block[0] = 256;
    plan->block[1] = plan->block[2] = 1;
    plan->grid[1] = plan->grid[2] = 1;
    return st;
}

static accel_status plan_permute(hip_plan *plan, accel_plugin_plan_info *info) {
    const accel_permute_desc *d = &plan->desc.u.permute;
    static const char *const by_size[9] = {NULL, "b1", "b2", NULL, "b4", NULL, NULL, NULL, "b8"};
    size_t es = d->dtype == ACCEL_DTYPE_F32 || d->dtype == ACCEL_DTYPE_I32 ? 4
                : d->dtype == ACCEL_DTYPE_F16 || d->dtype == ACCEL_DTYPE_BF16 ? 2
                : d->dtype == ACCEL_DTYPE_F64 ? 8
                : d->dtype == ACCEL_DTYPE_I8 ? 1 : 0;
    if (!es)
        return unsupported_type(plan, "permute", d->dtype);
    hip_permute_params *p = &plan->permute;
    int64_t in_strides[ACCEL_PERMUTE_MAX_DIMS];
    int64_t stride = 1;
    for (int i = d->ndims - 1; i >= 0; --i) {
        in_strides[i] = stride;
        stride *= d->dims[i];
    }
    p->ndims = d->ndims;
    p->total = stride;
    for (int i = 0; i < d->ndims; ++i) {
        p->out_dims[i] = d->dims[d->perm[i]];
        p->in_strides[i] = in_strides[d->perm[i]];
    }
    accel_status st = load(plan, "permute.cu", "accel_permute", by_size[es], info);
    plan->grid[0] = hip_stride_grid(p->total);
    return st;
}

static accel_status plan_conv2d(hip_plan *plan, accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    if (c->x_type != c->w_type || c->y_type != c->x_type || !float_type(c->x_type))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip conv2d: X, W and Y must share one of f32/f16/bf16");
    if (c->groups > 1)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip conv2d: groups > 1");
    if (c->compute != ACCEL_COMPUTE_DEFAULT && c->compute != ACCEL_COMPUTE_F32)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip conv2d: the accel kernel accumulates in fp32 only");
    hip_conv2d_params *p = &plan->conv;
    p->n = c->n; p->c = c->c; p->h = c->h; p->w = c->w; p->k = c->k; p->r = c->r; p->s = c->s;
    p->stride_h = c->stride_h; p->stride_w = c->stride_w; p->pad_h = c->pad_h; p->pad_w = c->pad_w;
    p->dil_h = c->dil_h ? c->dil_h : 1;
    p->dil_w = c->dil_w ? c->dil_w : 1;
    p->p = (c->h + 2 * c->pad_h - p->dil_h * (c->r - 1) - 1) / c->stride_h + 1;
    p->q = (c->w + 2 * c->pad_w - p->dil_w * (c->s - 1) - 1) / c->stride_w + 1;
    p->nhwc = c->layout == ACCEL_LAYOUT_NHWC;
    p->relu = (c->epilogue & ACCEL_EPILOGUE_RELU) != 0;
    accel_status st = load(plan, "conv2d.cu", "accel_conv2d", hip_dtype_suffix(c->x_type), info);
    plan->grid[0] = (uint32_t)((c->k + 63) / 64);
    plan->grid[1] = (uint32_t)((p->n * p->p * p->q + 63) / 64);
    return st;
}

static accel_status plan_attention(hip_plan *plan, accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_attention_desc *a = &plan->desc.u.attention;
    if (!float_type(a->dtype))
        return unsupported_type(plan, "attention", a->dtype);
    if (!accel_compute_is_fp32_on(a->compute, a->dtype))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip attention: compute type %d (the kernel "
                                    "computes in fp32)", (int)a->compute);
    if (a->seq > ACCEL_ATTENTION_MAX_SEQ || a->head_dim > ACCEL_ATTENTION_MAX_DIM || a->batch * a->heads > UINT32_MAX)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip attention: seq %lld / head_dim %lld above the kernel's %d / %d",
                                    (long long)a->seq, (long long)a->head_dim, ACCEL_ATTENTION_MAX_SEQ,
                                    ACCEL_ATTENTION_MAX_DIM);
    plan->attention = (hip_attention_params){a->heads, a->seq, a->head_dim, (float)a->scale, 0};
    accel_status st = load(plan, "attention.cu", "accel_attention", hip_dtype_suffix(a->dtype), info);
    plan->grid[0] = (uint32_t)(a->batch * a->heads);
    plan->grid[1] = (uint32_t)a->seq;
    plan->block[0] = 128;
    return st;
}

accel_status hip_plan_kernel_op(hip_plan *plan, accel_plugin_plan_info *info) {
    hip_ctx *ctx = plan->dev->ctx;
    const accel_op_desc *d = &plan->desc;
    if (d->library[0] && strcmp(d->library, "accel") != 0)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip %d: library '%s' not available (only accel)", (int)d->kind,
                                    d->library);
    accel_status st;
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM:
        if (!float_type(d->u.layernorm.dtype))
            return unsupported_type(plan, "layernorm", d->u.layernorm.dtype);
        st = load(plan, "layernorm.cu", "accel_layernorm", hip_dtype_suffix(d->u.layernorm.dtype), info);
        plan->grid[0] = (uint32_t)d->u.layernorm.rows;
        return d->u.layernorm.rows > UINT32_MAX
                   ? ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip layernorm: rows > 2^32")
                   : st;
    case ACCEL_OP_SOFTMAX:
        if (!float_type(d->u.softmax.dtype))
            return unsupported_type(plan, "softmax", d->u.softmax.dtype);
        st = load(plan, "softmax.cu", "accel_softmax", hip_dtype_suffix(d->u.softmax.dtype), info);
        plan->grid[0] = (uint32_t)d->u.softmax.rows;
        return d->u.softmax.rows > UINT32_MAX
                   ? ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip softmax: rows > 2^32")
                   : st;
    case ACCEL_OP_ELTWISE:
        if (!float_type(d->u.eltwise.dtype))
            return unsupported_type(plan, "eltwise", d->u.eltwise.dtype);
        st = load(plan, "eltwise.cu", "accel_eltwise", hip_dtype_suffix(d->u.eltwise.dtype), info);
        plan->grid[0] = hip_stride_grid(d->u.eltwise.count);
        return st;
    case ACCEL_OP_PERMUTE:
        return plan_permute(plan, info);
    case ACCEL_OP_CONV2D:
        return plan_conv2d(plan, info);
    case ACCEL_OP_ATTENTION:
        return plan_attention(plan, info);
    default:
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip: op kind %d has no HIP path", (int)d->kind);
    }
}

accel_status hip_exec_kernel_op(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops) {
    const accel_op_desc *d = &plan->desc;
    hip_args args = {0};
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM: {
        int64_t cols = d->u.layernorm.cols;
        float eps = (float)d->u.layernorm.eps;
        for (int i = 0; i < 5; ++i)
            hip_args_ptr(&args, i == 1 && !d->u.layernorm.has_residual ? NULL : hip_ref_ptr(ops[i]));
        hip_args_push(&args, &cols, 8, 8);
        hip_args_push(&args, &eps, 4, 4);
        break;
    }
    case ACCEL_OP_SOFTMAX: {
        int64_t cols = d->u.softmax.cols;
        int64_t per_mask = d->u.softmax.rows_per_mask_row > 0 ? d->u.softmax.rows_per_mask_row : 1;
        float scale = (float)d->u.softmax.scale;
        for (int i = 0; i < 3; ++i)
            hip_args_ptr(&args, hip_ref_ptr(ops[i]));
        hip_args_push(&args, &cols, 8, 8);
        hip_args_push(&args, &scale, 4, 4);
        hip_args_push(&args, &per_mask, 8, 8);
        break;
    }
    case ACCEL_OP_ELTWISE: {
        int32_t kind = (int32_t)d->u.eltwise.kind;
        int64_t count = d->u.eltwise.count, cols = d->u.eltwise.cols > 0 ? d->u.eltwise.cols : 1;
        float alpha = (float)d->u.eltwise.alpha, beta = (float)d->u.eltwise.beta;
        hip_args_push(&args, &kind, 4, 4);
        for (int i = 0; i < 3; ++i)
            hip_args_ptr(&args, hip_ref_ptr(ops[i]));
        hip_args_push(&args, &count, 8, 8);
        hip_args_push(&args, &cols, 8, 8);
        hip_args_push(&args, &alpha, 4, 4);
        hip_args_push(&args, &beta, 4, 4);
        break;
    }
    case ACCEL_OP_PERMUTE:
        hip_args_ptr(&args, hip_ref_ptr(ops[0]));
        hip_args_ptr(&args, hip_ref_ptr(ops[1]));
        hip_args_push(&args, &plan->permute, sizeof plan->permute, 8);
        break;
    case ACCEL_OP_ATTENTION:
        for (int i = 0; i < 5; ++i)
            hip_args_ptr(&args, hip_ref_ptr(ops[i]));
        hip_args_push(&args, &plan->attention, sizeof plan->attention, 8);
        break;
    case ACCEL_OP_CONV2D: {
        uint32_t e = d->u.conv2d.epilogue;
        hip_args_ptr(&args, hip_ref_ptr(ops[0]));
        hip_args_ptr(&args, hip_ref_ptr(ops[1]));
        hip_args_ptr(&args, (e & ACCEL_EPILOGUE_BIAS) ? hip_ref_ptr(ops[2]) : NULL);
        hip_args_ptr(&args, (e & ACCEL_EPILOGUE_RESIDUAL) ? hip_ref_ptr(ops[3]) : NULL);
        hip_args_ptr(&args, hip_ref_ptr(ops[4]));
        hip_args_push(&args, &plan->conv, sizeof plan->conv, 8);
        break;
    }
    default:
        return plan->dev->ctx->host->set_error(ACCEL_ERR_INTERNAL, "hip: plan of unknown kind");
    }
    return hip_launch(plan->dev, s->stream, plan->fn, plan->grid, plan->block, 0, &args);
}
