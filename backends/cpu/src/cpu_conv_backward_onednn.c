/* conv2d backward through oneDNN's convolution backward primitives (library "onednn"), the path a
 * framework on this CPU takes (PyTorch's mkldnn convolution backward):
 *   data:    dX from dY and W; W is reordered into the primitive's preferred layout each execute,
 *            as the forward plan does (it is an operand, not part of the plan);
 *   weights: dW from X and dY, computed in the primitive's preferred layout (fp32 whatever the
 *            storage type, so bf16 gradients are rounded once) and reordered into the caller's
 *            KCRS/KRSC and w_type at the end.
 * Both primitives are created with a forward-training primitive of the same shapes as their hint,
 * which oneDNN requires and which lets it pick matching layouts. NHWC activations are read and
 * written in place; NCHW ones go through the layout the primitive picks (reordered per execute). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dtype.h"
#include "cpu_onednn.h"
#include "cpu_train.h"

typedef struct conv_bwd_onednn_plan {
    cpu_plan base;
    int weights;             /* 0: data gradient, 1: weights gradient */
    onednn_exec conv;
    onednn_exec reorder;     /* data: user W -> preferred; weights: preferred dW -> user dW (or NULL) */
    size_t weights_bytes;    /* the preferred-layout weights (or dW) at the start of the workspace */
    /* NCHW: the activations in the layout the primitive chose (data: [0] dY in, out dX; weights:
     * [0] X in, [1] dY in), each reordered per execute; no primitive where the caller's layout is it */
    onednn_exec act_in[2], act_out;
    size_t act_in_bytes[2], act_out_bytes;
} conv_bwd_onednn_plan;

static char *align64(void *p) { return (char *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

/* Runs reorder e from -> to when e exists; *use is where the primitive reads the tensor. */
static accel_status reorder_in(cpu_context *ctx, onednn_exec *e, void *from, void *to, void *scratch, void **use) {
    if (!e->prim) {
        *use = from;
        return ACCEL_OK;
    }
    accel_status st = onednn_exec_bind(ctx, e, DNNL_ARG_FROM, from);
    if (st == ACCEL_OK) st = onednn_exec_bind(ctx, e, DNNL_ARG_TO, to);
    if (st == ACCEL_OK) st = onednn_exec_run(ctx, e, scratch);
    *use = to;
    return st;
}

/* Workspace after the weights: act_in[0], act_in[1], act_out, then the scratchpad. */
static char *act_buffer(const conv_bwd_onednn_plan *p, char *base, int which) {
    char *b = align64(base + p->weights_bytes);
    if (which >= 1) b = align64(b + p->act_in_bytes[0]);
    if (which >= 2) b = align64(b + p->act_in_bytes[1]);
    if (which >= 3) b = align64(b + p->act_out_bytes);
    return b;
}

static accel_status data_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_bwd_onednn_plan *p = (conv_bwd_onednn_plan *)plan;
    cpu_context *ctx = plan->ctx;
    void *dY = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]), *dX = cpu_ref_ptr(ops[2]);
    char *base = align64(ws);
    char *scratch = act_buffer(p, base, 3);
    accel_status st;
    void *weights = W, *dy = dY, *dx = p->act_out.prim ? act_buffer(p, base, 2) : dX;
    if ((st = reorder_in(ctx, &p->act_in[0], dY, act_buffer(p, base, 0), scratch, &dy)) != ACCEL_OK) return st;
    if (p->reorder.prim) {
        weights = base;
        if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_FROM, W)) != ACCEL_OK) return st;
        if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_TO, weights)) != ACCEL_OK) return st;
        if ((st = onednn_exec_run(ctx, &p->reorder, scratch)) != ACCEL_OK) return st;
    }
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DIFF_DST, dy)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_WEIGHTS, weights)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DIFF_SRC, dx)) != ACCEL_OK) return st;
    if ((st = onednn_exec_run(ctx, &p->conv, scratch)) != ACCEL_OK) return st;
    if (!p->act_out.prim) return ACCEL_OK;
    void *unused;
    return reorder_in(ctx, &p->act_out, dx, dX, scratch, &unused);
}

static accel_status weights_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_bwd_onednn_plan *p = (conv_bwd_onednn_plan *)plan;
    cpu_context *ctx = plan->ctx;
    void *X = cpu_ref_ptr(ops[0]), *dY = cpu_ref_ptr(ops[1]), *dW = cpu_ref_ptr(ops[2]);
    char *base = align64(ws);
    char *scratch = act_buffer(p, base, 3);
    void *diff_weights = p->reorder.prim ? (void *)base : dW, *x, *dy;
    accel_status st;
    if ((st = reorder_in(ctx, &p->act_in[0], X, act_buffer(p, base, 0), scratch, &x)) != ACCEL_OK) return st;
    if ((st = reorder_in(ctx, &p->act_in[1], dY, act_buffer(p, base, 1), scratch, &dy)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_SRC, x)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DIFF_DST, dy)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DIFF_WEIGHTS, diff_weights)) != ACCEL_OK) return st;
    if ((st = onednn_exec_run(ctx, &p->conv, scratch)) != ACCEL_OK) return st;
    if (!p->reorder.prim) return ACCEL_OK;
    if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_FROM, diff_weights)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->reorder, DNNL_ARG_TO, dW)) != ACCEL_OK) return st;
    return onednn_exec_run(ctx, &p->reorder, scratch);
}

static void plan_destroy(cpu_plan *plan) {
    conv_bwd_onednn_plan *p = (conv_bwd_onednn_plan *)plan;
    onednn_exec_destroy(&p->conv);
    onednn_exec_destroy(&p->reorder);
    for (int i = 0; i < 2; i++) onednn_exec_destroy(&p->act_in[i]);
    onednn_exec_destroy(&p->act_out);
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

/* A reorder primitive from -> to, with a user scratchpad. */
static accel_status make_reorder(cpu_context *ctx, onednn_exec *e, const dnnl_memory_desc_t *from,
                                 const dnnl_memory_desc_t *to) {
    const accel_host_services *host = ctx->host;
    accel_status st = ACCEL_OK;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    DNNL_TRY(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
    DNNL_TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
             "dnnl_primitive_attr_set_scratchpad_mode");
    DNNL_TRY(dnnl_reorder_primitive_desc_create(&rpd, from, ctx->onednn->engine, to, ctx->onednn->engine, attr),
             "dnnl_reorder_primitive_desc_create");
    st = onednn_exec_init(ctx, e, rpd);
    rpd = NULL;
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_FROM, from);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_TO, to);
done:
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    return st;
}

accel_status cpu_conv_backward_plan_onednn(cpu_context *ctx, accel_op_kind kind, const accel_conv2d_desc *d,
                                           cpu_plan **out, accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    const int weights = kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS;
    const char *name = weights ? "conv2d_backward_weights" : "conv2d_backward_data";
    if (d->groups > 1) return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn %s: groups > 1", name);
    if (!cpu_dtype_is_float(d->x_type) || !cpu_dtype_is_float(d->w_type) || !cpu_dtype_is_float(d->y_type))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn %s: storage types must be f32, bf16 or f16", name);
    /* One rule with the forward plan: fp32 math on any storage type, or bf16/f16 multiplies with
     * fp32 accumulation when every operand is stored so. */
    const accel_compute_type ct = d->compute;
    if (ct == ACCEL_COMPUTE_TF32)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn %s: no tf32 hardware on CPU", name);
    const int all_bf16 = d->x_type == ACCEL_DTYPE_BF16 && d->w_type == ACCEL_DTYPE_BF16 && d->y_type == ACCEL_DTYPE_BF16;
    const int all_f16 = d->x_type == ACCEL_DTYPE_F16 && d->w_type == ACCEL_DTYPE_F16 && d->y_type == ACCEL_DTYPE_F16;
    if (!(ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32 || (ct == ACCEL_COMPUTE_BF16 && all_bf16) ||
          (ct == ACCEL_COMPUTE_F16 && all_f16)))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn %s: compute type %d with these storage types",
                               name, (int)ct);

    conv_bwd_onednn_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->weights = weights;
    const int64_t dh = d->dil_h > 0 ? d->dil_h : 1, dw = d->dil_w > 0 ? d->dil_w : 1;
    int64_t P, Q;
    accel_conv2d_out_hw(d, &P, &Q); /* libaccel validated the description */
    const int nhwc = d->layout == ACCEL_LAYOUT_NHWC;
    const dnnl_format_tag_t act_tag = nhwc ? dnnl_nhwc : dnnl_nchw;
    const dnnl_format_tag_t wei_tag = nhwc ? dnnl_ohwi : dnnl_oihw;

    accel_status st = ACCEL_OK;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_primitive_desc_t fwd_pd = NULL, pd = NULL;
    dnnl_memory_desc_t src_md, dst_md, wei_user_md, wei_any_md, wei_fwd_md, src_bwd_md, dst_bwd_md;
    dnnl_dims_t src_dims = {d->n, d->c, d->h, d->w}, wei_dims = {d->k, d->c, d->r, d->s};
    dnnl_dims_t dst_dims = {d->n, d->k, P, Q};
    dnnl_dims_t strides = {d->stride_h, d->stride_w}, dilates = {dh - 1, dw - 1};
    dnnl_dims_t pad_l = {d->pad_h, d->pad_w};
    dnnl_dims_t pad_r = {(P - 1) * d->stride_h + (d->r - 1) * dh + 1 - d->h - d->pad_h,
                         (Q - 1) * d->stride_w + (d->s - 1) * dw + 1 - d->w - d->pad_w};
    /* dW accumulates in fp32 inside oneDNN whatever w_type; a bf16 dW is rounded by the reorder. */
    const dnnl_data_type_t wei_type = cpu_onednn_dtype(d->w_type);
    const dnnl_data_type_t wei_work = weights ? dnnl_f32 : wei_type;

    DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, cpu_onednn_dtype(d->x_type), act_tag),
             "dnnl_memory_desc_init_by_tag(X)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, cpu_onednn_dtype(d->y_type), act_tag),
             "dnnl_memory_desc_init_by_tag(dY)");
    /* NCHW: oneDNN's only kernel on plain nchw activations is its slow gemm:jit; with the layout
     * left to it, it picks its blocked/nhwc brgconv kernels, and the reorders in and out cost less
     * than they save (the forward plan does the same). */
    const dnnl_format_tag_t bwd_tag = nhwc ? dnnl_nhwc : dnnl_format_tag_any;
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_bwd_md, 4, src_dims, cpu_onednn_dtype(d->x_type), bwd_tag),
             "dnnl_memory_desc_init_by_tag(X any)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_bwd_md, 4, dst_dims, cpu_onednn_dtype(d->y_type), bwd_tag),
             "dnnl_memory_desc_init_by_tag(dY any)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user_md, 4, wei_dims, wei_type, wei_tag),
             "dnnl_memory_desc_init_by_tag(W)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any_md, 4, wei_dims, wei_work, dnnl_format_tag_any),
             "dnnl_memory_desc_init_by_tag(W any)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_fwd_md, 4, wei_dims, wei_type, dnnl_format_tag_any),
             "dnnl_memory_desc_init_by_tag(W forward)");
    DNNL_TRY(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
    DNNL_TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
             "dnnl_primitive_attr_set_scratchpad_mode");

    dnnl_convolution_desc_t fwd, bwd;
    DNNL_TRY(dnnl_dilated_convolution_forward_desc_init(&fwd, dnnl_forward_training, dnnl_convolution_direct,
                                                        &src_bwd_md, &wei_fwd_md, NULL, &dst_bwd_md, strides,
                                                        dilates, pad_l, pad_r),
             "dnnl_dilated_convolution_forward_desc_init");
    dnnl_status_t s = dnnl_primitive_desc_create(&fwd_pd, &fwd, NULL, ctx->onednn->engine, NULL);
    if (s == dnnl_success) {
        if (weights)
            s = dnnl_dilated_convolution_backward_weights_desc_init(&bwd, dnnl_convolution_direct, &src_bwd_md,
                                                                    &wei_any_md, NULL, &dst_bwd_md, strides,
                                                                    dilates, pad_l, pad_r);
        else
            s = dnnl_dilated_convolution_backward_data_desc_init(&bwd, dnnl_convolution_direct, &src_bwd_md,
                                                                 &wei_any_md, &dst_bwd_md, strides, dilates,
                                                                 pad_l, pad_r);
        if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &bwd, attr, ctx->onednn->engine, fwd_pd);
    }
    if (s == dnnl_unimplemented) {
        st = host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "cpu/onednn %s: oneDNN has no convolution backward for these types on this CPU "
                             "(dnnl_unimplemented)", name);
        goto done;
    }
    DNNL_TRY(s, "dnnl_primitive_desc_create(convolution backward)");
    const dnnl_memory_desc_t *chosen_md =
        dnnl_primitive_desc_query_md(pd, weights ? dnnl_query_diff_weights_md : dnnl_query_weights_md, 0);
    dnnl_memory_desc_t chosen = *chosen_md;
    if (!dnnl_memory_desc_equal(&chosen, &wei_user_md)) {
        st = weights ? make_reorder(ctx, &p->reorder, &chosen, &wei_user_md)
                     : make_reorder(ctx, &p->reorder, &wei_user_md, &chosen);
        if (st != ACCEL_OK) goto done;
        p->weights_bytes = (dnnl_memory_desc_get_size(&chosen) + 63) / 64 * 64;
    }
    /* the activations' layouts the primitive chose, and reorders where they are not the caller's */
    const dnnl_memory_desc_t x_chosen = *dnnl_primitive_desc_query_md(pd, weights ? dnnl_query_src_md
                                                                                  : dnnl_query_diff_src_md, 0);
    const dnnl_memory_desc_t dy_chosen = *dnnl_primitive_desc_query_md(pd, dnnl_query_diff_dst_md, 0);
    const int x_reorder = !dnnl_memory_desc_equal(&x_chosen, &src_md);
    const int dy_reorder = !dnnl_memory_desc_equal(&dy_chosen, &dst_md);
    if (dy_reorder) {
        const int slot = weights ? 1 : 0;
        if ((st = make_reorder(ctx, &p->act_in[slot], &dst_md, &dy_chosen)) != ACCEL_OK) goto done;
        p->act_in_bytes[slot] = (dnnl_memory_desc_get_size(&dy_chosen) + 63) / 64 * 64;
    }
    if (x_reorder) {
        if (weights) {
            if ((st = make_reorder(ctx, &p->act_in[0], &src_md, &x_chosen)) != ACCEL_OK) goto done;
            p->act_in_bytes[0] = (dnnl_memory_desc_get_size(&x_chosen) + 63) / 64 * 64;
        } else {
            if ((st = make_reorder(ctx, &p->act_out, &x_chosen, &src_md)) != ACCEL_OK) goto done;
            p->act_out_bytes = (dnnl_memory_desc_get_size(&x_chosen) + 63) / 64 * 64;
        }
    }
    st = onednn_exec_init(ctx, &p->conv, pd);
    pd = NULL;
    if (st != ACCEL_OK) goto done;
    if (weights) {
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_SRC, &x_chosen)) != ACCEL_OK) goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DIFF_DST, &dy_chosen)) != ACCEL_OK) goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DIFF_WEIGHTS, &chosen)) != ACCEL_OK) goto done;
    } else {
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DIFF_DST, &dy_chosen)) != ACCEL_OK) goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_WEIGHTS, &chosen)) != ACCEL_OK) goto done;
        if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DIFF_SRC, &x_chosen)) != ACCEL_OK) goto done;
    }
    size_t scratch = p->conv.scratch_bytes > p->reorder.scratch_bytes ? p->conv.scratch_bytes : p->reorder.scratch_bytes;
    const onednn_exec *acts[3] = {&p->act_in[0], &p->act_in[1], &p->act_out};
    for (int i = 0; i < 3; i++)
        if (acts[i]->scratch_bytes > scratch) scratch = acts[i]->scratch_bytes;
    p->base.workspace_bytes = 64 * 5 + p->weights_bytes + p->act_in_bytes[0] + p->act_in_bytes[1] +
                              p->act_out_bytes + scratch;
    p->base.execute = weights ? weights_execute : data_execute;
    p->base.destroy = plan_destroy;
    snprintf(info->library, sizeof info->library, "onednn");
    snprintf(info->algorithm, sizeof info->algorithm, "convolution backward %s %s, weights %s%s",
             weights ? "weights" : "data", p->conv.impl, p->reorder.prim ? "reordered per execute" : "plain",
             x_reorder || dy_reorder ? ", activations reordered per execute" : "");
done:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (fwd_pd) dnnl_primitive_desc_destroy(fwd_pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st != ACCEL_OK) {
        plan_destroy(&p->base);
        return st;
    }
    *out = &p->base;
    return ACCEL_OK;
}
