/* conv2d through oneDNN convolution forward (inference).
 * Weights: oneDNN picks its preferred blocked layout (format_tag any) and execute reorders the
 * caller's KCRS/KRSC weights into plan workspace each time, because weights are an operand of
 * execute, not of the plan; ACCEL_CPU_CONV_WEIGHTS=plain forces the caller's layout instead. Under
 * the constant hint (accel_conv2d_desc.w_constant, ABI 1.4) the reordered weights are kept in the
 * plan instead, reordered at the first run of a binding (the buffer's allocation serial and W's
 * address) and re-used without reading W again while that binding lasts.
 * Activations: NHWC stays in the caller's layout (oneDNN's NHWC kernels are its fast ones). NCHW
 * on plain nchw tensors gets oneDNN 2.6's gemm:jit, half the speed of its blocked (nChw16c)
 * kernels, so NCHW convs choose their activation layout too (format_tag any) and execute reorders
 * X in and Y out (and the residual in) through the workspace, inside the op: the caller's tensors
 * stay NCHW. ACCEL_CPU_CONV_ACTIVATIONS=plain keeps nchw (measurement only).
 * bf16 where cpu_bf16_prefers_f32 says so (no AMX, bf16 dot product measured slow) runs oneDNN's
 * fp32 kernels: in NCHW the reorders above convert to fp32 on the way in and round to bf16 on the
 * way out, at no extra pass; in NHWC the same reorders appear for the conversion alone (X, the
 * residual and Y: extra passes, still 1.35x on the conv3_x b32 block). Weights and bias are
 * converted by their reorders. vdpbf16ps issues once per cycle where two fp32 FMAs do, so oneDNN
 * 2.6's avx512_core_bf16 convolution has no arithmetic advantage, and it runs at 0.6x of its fp32
 * one on the conv3_x 3x3 here. Products of bf16 values are exact in fp32 and the sums accumulate
 * in fp32, as the bf16 kernels do. ACCEL_CPU_CONV_BF16=native keeps the bf16 kernels
 * (measurement only).
 * docs/backend-cpu.md has the figures behind these defaults.
 * Bias -> conv bias, residual -> sum post-op (residual copied, or reordered, into the destination
 * first unless it is already there), relu -> eltwise post-op. */
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
    onednn_exec x_in;    /* X -> oneDNN's source layout; prim NULL when X is used as it is */
    onednn_exec res_in;  /* residual -> oneDNN's destination layout (with y_out only) */
    onednn_exec y_out;   /* destination layout -> Y; prim NULL when the conv writes Y itself */
    onednn_exec bias_in; /* bf16 bias -> fp32 when bf16 runs on the fp32 kernels, else prim NULL */
    /* workspace, 64-byte aligned pieces in this order: weights (none when kept), source,
     * destination, bias, scratch */
    size_t weights_bytes, x_bytes, y_bytes, bias_bytes;
    /* w_constant: the reordered weights, plan-owned, valid for (kept_serial, kept_src) */
    void *kept;
    int kept_valid;
    uint64_t kept_serial;
    const void *kept_src;
} conv_onednn_plan;

static void *align64(void *p) { return (void *)(((uintptr_t)p + 63) & ~(uintptr_t)63); }

static accel_status conv_onednn_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_onednn_plan *p = (conv_onednn_plan *)plan;
    cpu_context *ctx = plan->ctx;
    void *X = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]), *bias = cpu_ref_ptr(ops[2]);
    void *res = cpu_ref_ptr(ops[3]), *Y = cpu_ref_ptr(ops[4]);
    char *base = align64(ws);
    char *xb = base + p->weights_bytes, *yb = xb + p->x_bytes, *bb = yb + p->y_bytes;
    char *scratch = bb + p->bias_bytes;
    accel_status st;
    void *weights = W, *src = X, *dst = p->y_out.prim ? (void *)yb : Y;
    if (p->kept) {
        const uint64_t serial = cpu_ref_serial(ops[1]);
        weights = p->kept;
        if (!(p->kept_valid && p->kept_serial == serial && p->kept_src == W)) {
            p->kept_valid = 0;
            if ((st = onednn_reorder_run(ctx, &p->reorder, W, weights, scratch)) != ACCEL_OK) return st;
            p->kept_valid = 1;
            p->kept_serial = serial;
            p->kept_src = W;
        }
    } else if (p->reorder.prim) {
        weights = base;
        if ((st = onednn_reorder_run(ctx, &p->reorder, W, weights, scratch)) != ACCEL_OK) return st;
    }
    if (p->bias_in.prim && (p->d.epilogue & ACCEL_EPILOGUE_BIAS)) {
        if ((st = onednn_reorder_run(ctx, &p->bias_in, bias, bb, scratch)) != ACCEL_OK) return st;
        bias = bb;
    }
    if (p->x_in.prim) {
        src = xb;
        if ((st = onednn_reorder_run(ctx, &p->x_in, X, src, scratch)) != ACCEL_OK) return st;
    }
    if (p->d.epilogue & ACCEL_EPILOGUE_RESIDUAL) {
        if (p->res_in.prim) {
            if ((st = onednn_reorder_run(ctx, &p->res_in, res, dst, scratch)) != ACCEL_OK) return st;
        } else if (res != Y) {
            memmove(Y, res, (size_t)p->y_elems * accel_dtype_bytes(p->d.y_type));
        }
    }
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_SRC, src)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_WEIGHTS, weights)) != ACCEL_OK) return st;
    if ((st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_DST, dst)) != ACCEL_OK) return st;
    if ((p->d.epilogue & ACCEL_EPILOGUE_BIAS) &&
        (st = onednn_exec_bind(ctx, &p->conv, DNNL_ARG_BIAS, bias)) != ACCEL_OK)
        return st;
    if ((st = onednn_exec_run(ctx, &p->conv, scratch)) != ACCEL_OK) return st;
    return p->y_out.prim ? onednn_reorder_run(ctx, &p->y_out, dst, Y, scratch) : ACCEL_OK;
}

static void conv_onednn_destroy(cpu_plan *plan) {
    conv_onednn_plan *p = (conv_onednn_plan *)plan;
    onednn_exec_destroy(&p->conv);
    onednn_exec_destroy(&p->reorder);
    onednn_exec_destroy(&p->x_in);
    onednn_exec_destroy(&p->res_in);
    onednn_exec_destroy(&p->y_out);
    onednn_exec_destroy(&p->bias_in);
    cpu_aligned_free(p->kept);
    free(p);
}

static size_t max_size(size_t a, size_t b) { return a > b ? a : b; }

#define DNNL_TRY(call, what)                                                                       \
    do {                                                                                           \
        dnnl_status_t s_ = (call);                                                                 \
        if (s_ != dnnl_success) {                                                                  \
            st = cpu_onednn_error(host, s_, what);                                                 \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

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

    if (cpu_conv_onednn_1x1_applies(d) && !cpu_onednn_env_is("ACCEL_CPU_CONV_ACTIVATIONS", "plain")) {
        accel_status mm = cpu_conv_plan_onednn_1x1(ctx, d, out, info);
        if (mm != ACCEL_ERR_UNIMPLEMENTED) return mm; /* else: the convolution primitive below */
    }
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
    const int plain = cpu_onednn_env_is("ACCEL_CPU_CONV_WEIGHTS", "plain");
    const int act_any = !nhwc && !cpu_onednn_env_is("ACCEL_CPU_CONV_ACTIVATIONS", "plain");
    const int on_f32 = cpu_onednn_bf16_on_f32(ctx, d->x_type, d->w_type, d->y_type, d->compute);
    /* the types the convolution primitive runs in: the caller's, or fp32 (on_f32) */
    const dnnl_data_type_t xt = on_f32 ? dnnl_f32 : cpu_onednn_dtype(d->x_type);
    const dnnl_data_type_t wt = on_f32 ? dnnl_f32 : cpu_onednn_dtype(d->w_type);
    const dnnl_data_type_t yt = on_f32 ? dnnl_f32 : cpu_onednn_dtype(d->y_type);

    accel_status st = ACCEL_OK;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t src_md, wei_any_md, wei_user_md, bias_md, bias_user_md, dst_md, src_any_md,
        dst_any_md;
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
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&src_any_md, 4, src_dims, xt,
                                          act_any ? dnnl_format_tag_any : act_tag),
             "dnnl_memory_desc_init_by_tag(X any)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&dst_any_md, 4, dst_dims, yt,
                                          act_any ? dnnl_format_tag_any : act_tag),
             "dnnl_memory_desc_init_by_tag(Y any)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_user_md, 4, wei_dims, cpu_onednn_dtype(d->w_type),
                                          wei_tag),
             "dnnl_memory_desc_init_by_tag(W)");
    DNNL_TRY(dnnl_memory_desc_init_by_tag(&wei_any_md, 4, wei_dims, wt,
                                          plain ? wei_tag : dnnl_format_tag_any),
             "dnnl_memory_desc_init_by_tag(W any)");
    if (has_bias) {
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, yt, dnnl_a),
                 "dnnl_memory_desc_init_by_tag(bias)");
        DNNL_TRY(dnnl_memory_desc_init_by_tag(&bias_user_md, 1, bias_dims,
                                              cpu_onednn_dtype(d->y_type), dnnl_a),
                 "dnnl_memory_desc_init_by_tag(bias, caller's type)");
    }

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
                 &cd, dnnl_forward_inference, dnnl_convolution_direct, &src_any_md, &wei_any_md,
                 has_bias ? &bias_md : NULL, &dst_any_md, strides, dilates, pad_l, pad_r),
             "dnnl_dilated_convolution_forward_desc_init");
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, &cd, attr, ctx->onednn->engine, NULL);
    if (s == dnnl_unimplemented) {
        st = host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "cpu/onednn conv2d: oneDNN has no convolution for these types on this "
                             "CPU (dnnl_unimplemented)");
        goto done;
    }
    DNNL_TRY(s, "dnnl_primitive_desc_create(convolution)");
    const dnnl_memory_desc_t wei_chosen = *dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    const dnnl_memory_desc_t src_chosen = *dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t dst_chosen = *dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0);
    if ((st = onednn_reorder_init(ctx, &p->reorder, &wei_user_md, &wei_chosen, &p->weights_bytes)) != ACCEL_OK ||
        (st = onednn_reorder_init(ctx, &p->x_in, &src_md, &src_chosen, &p->x_bytes)) != ACCEL_OK ||
        (st = onednn_reorder_init(ctx, &p->y_out, &dst_chosen, &dst_md, &p->y_bytes)) != ACCEL_OK ||
        (has_bias && (st = onednn_reorder_init(ctx, &p->bias_in, &bias_user_md, &bias_md, &p->bias_bytes)) != ACCEL_OK))
        goto done;
    if (d->w_constant && p->reorder.prim) {
        /* kept in the plan, not the workspace, which another plan may use between runs */
        if (!(p->kept = cpu_aligned_alloc(p->weights_bytes))) {
            st = host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "cpu/onednn conv2d: %zu bytes for the kept weights",
                                 p->weights_bytes);
            goto done;
        }
        p->weights_bytes = 0;
    }
    if (p->y_out.prim) {
        /* y_out sized the reorder's target, Y; the workspace holds the chosen destination */
        p->y_bytes = (dnnl_memory_desc_get_size(&dst_chosen) + 63) / 64 * 64;
        size_t unused;
        if ((d->epilogue & ACCEL_EPILOGUE_RESIDUAL) &&
            (st = onednn_reorder_init(ctx, &p->res_in, &dst_md, &dst_chosen, &unused)) != ACCEL_OK)
            goto done;
    }
    st = onednn_exec_init(ctx, &p->conv, pd);
    pd = NULL;
    if (st != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_SRC, &src_chosen)) != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_WEIGHTS, &wei_chosen)) != ACCEL_OK) goto done;
    if ((st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_DST, &dst_chosen)) != ACCEL_OK) goto done;
    if (has_bias && (st = onednn_exec_add_arg(ctx, &p->conv, DNNL_ARG_BIAS, &bias_md)) != ACCEL_OK)
        goto done;
    size_t scratch = max_size(max_size(p->conv.scratch_bytes, p->reorder.scratch_bytes),
                              max_size(max_size(p->x_in.scratch_bytes, p->res_in.scratch_bytes),
                                       max_size(p->y_out.scratch_bytes, p->bias_in.scratch_bytes)));
    p->base.workspace_bytes = 128 + p->weights_bytes + p->x_bytes + p->y_bytes + p->bias_bytes + scratch;
    p->base.execute = conv_onednn_execute;
    p->base.destroy = conv_onednn_destroy;
    snprintf(info->library, sizeof info->library, "onednn");
    snprintf(info->algorithm, sizeof info->algorithm, "convolution %s%s, weights %s%s", p->conv.impl,
             on_f32 ? " bf16-as-fp32" : "",
             p->kept ? "kept (w_constant)"
                     : p->reorder.prim ? "reordered per execute" : "plain",
             p->x_in.prim || p->y_out.prim ? ", activations reordered in and out" : "");
done:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st != ACCEL_OK) {
        conv_onednn_destroy(&p->base);
        return st;
    }
    *out = &p->base;
    return ACCEL_OK;
}
