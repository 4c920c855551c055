/* conv2d through oneDNN convolution forward (inference). Activations stay in the caller's layout
 * (nchw / nhwc). Weights: oneDNN picks its preferred blocked layout (format_tag any) and execute
 * reorders the caller's KCRS/KRSC weights into plan workspace each time, because weights are an
 * operand of execute, not of the plan; ACCEL_CPU_CONV_WEIGHTS=plain forces the caller's layout
 * instead (docs/backend-cpu.md has the measurement behind the default).
 * Bias -> conv bias, residual -> sum post-op (residual copied into Y first unless it is Y),
 * relu -> eltwise post-op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dtype.h"
#include "cpu_onednn.h"

typedef struct conv_onednn_plan {
    cpu_plan base;
    accel_conv2d_desc d;
    int64_t y_elems;
    onednn_exec conv;
    onednn_exec reorder; /* user weights -> preferred layout; prim NULL when not needed */
    size_t weights_bytes; /* reordered weights, at the start of the workspace */
} conv_onednn_plan;

static void *align64(void *p) { return (void *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

static accel_status conv_onednn_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_onednn_plan *p = (conv_onednn_plan *)plan;
    cpu_context *ctx = plan->ctx;
    void *X = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]), *bias = cpu_ref_ptr(ops[2]);
    void *res = cpu_ref_ptr(ops[3]), *Y = cpu_ref_ptr(ops[4]);
    char *base = align64(ws);
    accel_status st;
    void *weights = W;
    if (p->reorder.prim) {
        weights = base;
        if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_FROM, W)) != ACCEL_OK) return st;
        if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_TO, weights)) != ACCEL_OK) return st;
        if ((st = onednn_exec_run(ctx, &p->reorder, align64(base + p->weights_bytes))) != ACCEL_OK)
            return st;
    }
    if ((p->d.epilogue & ACCEL_EPILOGUE_RESIDUAL) && res != Y)
        memmove(Y, res, (size_t)p->y_elems * accel_dtype_bytes(p->d.y_type));
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_SRC, X)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_WEIGHTS, weights)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DST, Y)) != ACCEL_OK) return st;
    if ((p->d.epilogue & ACCEL_EPILOGUE_BIAS) &&
        (st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_BIAS, bias)) != ACCEL_OK)
        return st;
    return onednn_exec_run(ctx, &p->conv, align64(base + p->weights_bytes));
}

static void conv_onednn_destroy(cpu_plan *plan) {
    conv_onednn_plan *p = (conv_onednn_plan *)plan;
    onednn_exec_destroy(&p->conv);
    onednn_exec_destroy(&p->reorder);
    free(p);
}

#define DNNL_TRY(call, what)                                                                       \
    do {                                                                                           \
        dnnl_status_t s_ = (call);                                                                 \
        if (s_ != dnnl_success) {                                                                  \
            st = cpu_onednn_error(host, s_, what);                                                 \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static int weights_plain_forced(void) {
    const char *v = getenv("ACCEL_CPU_CONV_WEIGHTS");
    return v && strcmp(v, "plain") == 0;
}

accel_status cpu_conv_plan_onednn(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                  accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    if (d->groups > 1)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn conv2d: groups > 1");
    if (!cpu_dtype_is_float(d->x_type) || !cpu_dtype_is_float(d->w_type) ||
        !cpu_dtype_is_float(d->y_type))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/onednn conv2d: storage types must be f32, bf16 or f16");
    const accel_compute_type ct = d->compute;
    if (ct == ACCEL_COMPUTE_TF32)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn conv2d: no tf32 hardware on CPU");
    if (!(ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32 ||
          (ct == ACCEL_COMPUTE_BF16 && d->x_type == ACCEL_DTYPE_BF16 &&
           d->w_type == ACCEL_DTYPE_BF16) ||
          (ct == ACCEL_COMPUTE_F16 && d->x_type == ACCEL_DTYPE_F16 && d->w_type == ACCEL_DTYPE_F16)))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/onednn conv2d: compute type %d with these storage types", (int)ct);
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn conv2d: epilogue 0x%x",
                               d->epilogue);

    conv_onednn_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    const int64_t dh = d->dil_h > 0 ? d->dil_h : 1, dw = d->dil_w > 0 ? d->dil_w : 1;
    int64_t P, Q;
    accel_conv2d_out_hw(d, &P, &Q);
    p->y_elems = d->n * d->k * P * Q;
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const dnnl_format_tag_t act_tag = nhwc ? dnnl_nhwc : dnnl_nchw;
    const dnnl_format_tag_t wei_tag = nhwc ? dnnl_ohwi : dnnl_oihw;
    const int plain = weights_plain_forced();

    accel_status st = ACCEL_OK;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL, rpd = NULL;
    dnnl_memory_desc_t src_md, wei_any_md, wei_user_md, bias_md, dst_md;
    dnnl_dims_t src_dims = {d->n, d->c, d->h, d->w}, wei_dims = {d->k, d->c, d->r, d->s};
    dnnl_dims_t dst_dims = {d->n, d->k, P, Q}, bias_dims = {d->k};
    dnnl_dims_t strides = {d->stride_h, d->stride_w}, dilates = {dh - 1, dw - 1};
    dnnl_dims_t pad_l = {d->pad_h, d->pad_w};
    dnnl_dims_t pad_r = {(P - 1) * d->stride_h + (d->r - 1) * dh + 1 - d->h - d->pad_h,
                         (Q - 1) * d->stride_w + (d->s - 1) * dw + 1 - d->w - d->pad_w};
    const int has_bias = (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0;

    DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, cpu_onednn_dtype(d->x_type), act_tag),
             "dnnl_memory_desc_init_by_tag(X)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, cpu_onednn_dtype(d->y_type), act_tag),
             "dnnl_memory_desc_init_by_tag(Y)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user_md, 4, wei_dims, cpu_onednn_dtype(d->w_type),
                                          wei_tag),
             "dnnl_memory_desc_init_by_tag(W)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any_md, 4, wei_dims, cpu_onednn_dtype(d->w_type),
                                          plain ? wei_tag : dnnl_format_tag_any),
             "dnnl_memory_desc_init_by_tag(W any)");
    if (has_bias)
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, cpu_onednn_dtype(d->y_type),
                                              dnnl_a),
                 "dnnl_memory_desc_init_by_tag(bias)");

    DNNL_TRY(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
    DNNL_TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
             "dnnl_primitive_attr_set_scratchpad_mode");
    DNNL_TRY(dnnl_post_ops_create(&post_ops), "dnnl_post_ops_create");
    if (d->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        DNNL_TRY(dnnl_post_ops_append_sum(post_ops, 1.0f), "dnnl_post_ops_append_sum");
    if (d->epilogue & ACCEL_EPILOGUE_RELU)
        DNNL_TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f),
                 "dnnl_post_ops_append_eltwise");
    DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, post_ops), "dnnl_primitive_attr_set_post_ops");

    dnnl_convolution_desc_t cd;
    DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(
                 &cd, dnnl_forward_inference, dnnl_convolution_direct, &src_md, &wei_any_md,
                 has_bias ? &bias_md : NULL, &dst_md, strides, dilates, pad_l, pad_r),
             "dnnl_dilated_convolution_forward_desc_init");
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, &cd, attr, ctx->onednn->engine, NULL);
    if (s == dnnl_unimplemented) {
        st = host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "cpu/onednn conv2d: oneDNN has no convolution for these types on this "
                             "CPU (dnnl_unimplemented)");
        goto done;
    }
    DNNL_TRY(s, "dnnl_primitive_desc_create(convolution)");
    const dnnl_memory_desc_t *wei_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    dnnl_memory_desc_t wei_chosen = *wei_md;
    if (!dnnl_memory_desc_equal(&wei_chosen, &wei_user_md)) {
        dnnl_primitive_attr_t rattr = NULL;
        DNNL_TRY(dnnl_primitive_attr_create(&rattr), "dnnl_primitive_attr_create");
        dnnl_primitive_attr_set_scratchpad_mode(rattr, dnnl_scratchpad_mode_user);
        s = dnnl_reorder_primitive_desc_create(&rpd, &wei_user_md, ctx->onednn->engine,
                                               &wei_chosen, ctx->onednn->engine, rattr);
        dnnl_primitive_attr_destroy(rattr);
        DNNL_TRY(s, "dnnl_reorder_primitive_desc_create(weights)");
        st = onednn_exec_init(ctx, &p->reorder, rpd);
        rpd = NULL;
        if (st != ACCEL_OK) goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->reorder, DNNL_ARG_FROM, &wei_user_md)) != ACCEL_OK)
            goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->reorder, DNNL_ARG_TO, &wei_chosen)) != ACCEL_OK)
            goto done;
        p->weights_bytes = (dnnl_memory_desc_get_size(&wei_chosen) + 63) / 64 * 64;
    }
    st = onednn_exec_init(ctx, &p->conv, pd);
    pd = NULL;
    if (st != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_SRC, &src_md)) != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_WEIGHTS, &wei_chosen)) != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DST, &dst_md)) != ACCEL_OK) goto done;
    if (has_bias && (st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_BIAS, &bias_md)) != ACCEL_OK)
        goto done;
    size_t scratch = p->conv.scratch_bytes > p->reorder.scratch_bytes ? p->conv.scratch_bytes
                                                                       : p->reorder.scratch_bytes;
    p->base.workspace_bytes = 128 + p->weights_bytes + scratch;
    p->base.execute = conv_onednn_execute;
    p->base.destroy = conv_onednn_destroy;
    snprintf(info->library, sizeof info->library, "onednn");
    snprintf(info->algorithm, sizeof info->algorithm, "convolution %s, weights %s", p->conv.impl,
             p->reorder.prim ? "reordered per execute" : "plain");
done:
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st != ACCEL_OK) {
        onednn_exec_destroy(&p->conv);
        onednn_exec_destroy(&p->reorder);
        free(p);
        return st;
    }
    *out = &p->base;
    return ACCEL_OK;
}
