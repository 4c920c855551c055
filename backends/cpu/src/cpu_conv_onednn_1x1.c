/* NCHW 1x1 stride-1 unpadded conv2d as a oneDNN matmul, with no activation reorder: per image,
 * Y[n] (K x HW) = W (K x C) X[n] (C x HW), which is the caller's memory as it lies. W is the
 * matmul's source, broadcast over the batch; X is its "weights" operand (N x C x HW); the bias
 * per output channel is a (1, K, 1) binary-add post-op (oneDNN 2.6's brgemm matmul refuses a
 * (1, K, 1) matmul bias and falls to its reference kernel), relu an eltwise post-op. The residual
 * is a full-tensor binary-add post-op read where the epilogue stores Y: a sum post-op would need
 * the residual copied into Y first, a single-threaded memmove of the whole output (51 MB, ~9 ms,
 * in the conv3_x block's fp32 expand conv) that the post-op's read avoids. A residual that is Y
 * itself (in place) runs a second primitive with the sum post-op instead: a binary source may not
 * alias the destination, which brgemm accumulates into across K blocks.
 * bf16 where cpu_bf16_prefers_f32 says so (cpu_onednn_bf16_on_f32) runs the fp32 matmul: X and W
 * are converted into the workspace, the product lands there in fp32 and one reorder rounds it into
 * Y; the bias and the residual are read as bf16 by the epilogue. Those conversions are extra passes
 * (the 1x1 path has no reorder to fold them into), so they run a few images at a time, the fp32
 * copies (at most 4 MiB a step) still in cache when read back. The conv3_x b32 NCHW bf16 block ran
 * 1.09x faster with both 1x1 convs on fp32 (whole batch at once) than on oneDNN 2.6's
 * avx512_core_bf16 matmul, and steps of a few images gave another 1.1-1.2x (docs/backend-cpu.md).
 * The 3x3 convs of a bottleneck still go through the convolution primitive with reordered
 * activations (cpu_conv_onednn.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dtype.h"
#include "cpu_onednn.h"

typedef struct conv_mm_plan {
    cpu_plan base;
    accel_conv2d_desc d;
    int bias_arg; /* DNNL_ARG_ATTR_MULTIPLE_POST_OP(i) | DNNL_ARG_SRC_1, or 0 without bias */
    int res_arg;  /* the residual's binary post-op argument, or 0 without residual */
    int bias_arg_inplace; /* bias_arg of mm_inplace (after its sum post-op) */
    onednn_exec mm;
    onednn_exec mm_inplace; /* residual == Y: sum post-op; prim NULL without residual */
    /* bf16 on the fp32 kernels: X and W converted into the workspace, the fp32 product converted
     * into Y; bias and residual are read as bf16 by the epilogue. prim NULL otherwise. */
    onednn_exec x_cvt, w_cvt, y_cvt;
    size_t x_bytes, w_bytes, y_bytes; /* workspace pieces after the scratchpad's 64-byte start */
    size_t scratch_bytes;
    int64_t chunk; /* images per matmul: all, or (bf16 on fp32) as many as keep the fp32 copies in cache */
} conv_mm_plan;

static accel_status conv_mm_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    conv_mm_plan *p = (conv_mm_plan *)plan;
    cpu_context *ctx = plan->ctx;
    char *X = cpu_ref_ptr(ops[0]), *W = cpu_ref_ptr(ops[1]), *bias = cpu_ref_ptr(ops[2]);
    char *res = cpu_ref_ptr(ops[3]), *Y = cpu_ref_ptr(ops[4]);
    char *scratch = (char *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    char *xb = scratch + p->scratch_bytes, *wb = xb + p->x_bytes, *yb = wb + p->w_bytes;
    /* with y_cvt the product goes to the workspace: a residual in Y aliases nothing */
    const int inplace = p->res_arg && res == Y && !p->y_cvt.prim;
    onednn_exec *e = inplace ? &p->mm_inplace : &p->mm;
    const int bias_arg = inplace ? p->bias_arg_inplace : p->bias_arg;
    const int64_t hw = p->d.h * p->d.w;
    const size_t x_step = (size_t)(p->chunk * p->d.c * hw) * accel_dtype_bytes(p->d.x_type);
    const size_t y_step = (size_t)(p->chunk * p->d.k * hw) * accel_dtype_bytes(p->d.y_type);
    accel_status st;
    if (p->w_cvt.prim) {
        if ((st = onednn_reorder_run(ctx, &p->w_cvt, W, wb, scratch)) != ACCEL_OK) return st;
        W = wb;
    }
    for (int64_t n = 0; n < p->d.n; n += p->chunk) {
        char *x = X, *y = p->y_cvt.prim ? yb : Y;
        if (p->x_cvt.prim) {
            if ((st = onednn_reorder_run(ctx, &p->x_cvt, X, xb, scratch)) != ACCEL_OK) return st;
            x = xb;
        }
        if ((st = onednn_exec_bind(ctx, e, DNNL_ARG_SRC, W)) != ACCEL_OK) return st;
        if ((st = onednn_exec_bind(ctx, e, DNNL_ARG_WEIGHTS, x)) != ACCEL_OK) return st;
        if ((st = onednn_exec_bind(ctx, e, DNNL_ARG_DST, y)) != ACCEL_OK) return st;
        if (bias_arg && (st = onednn_exec_bind(ctx, e, bias_arg, bias)) != ACCEL_OK) return st;
        if (p->res_arg && !inplace && (st = onednn_exec_bind(ctx, e, p->res_arg, res)) != ACCEL_OK)
            return st;
        if ((st = onednn_exec_run(ctx, e, scratch)) != ACCEL_OK) return st;
        if (p->y_cvt.prim && (st = onednn_reorder_run(ctx, &p->y_cvt, yb, Y, scratch)) != ACCEL_OK)
            return st;
        X += x_step;
        Y += y_step;
        if (res) res += y_step;
    }
    return ACCEL_OK;
}

static void conv_mm_destroy(cpu_plan *plan) {
    conv_mm_plan *p = (conv_mm_plan *)plan;
    onednn_exec_destroy(&p->mm);
    onednn_exec_destroy(&p->mm_inplace);
    onednn_exec_destroy(&p->x_cvt);
    onednn_exec_destroy(&p->w_cvt);
    onednn_exec_destroy(&p->y_cvt);
    free(p);
}

int cpu_conv_onednn_1x1_applies(const accel_conv2d_desc *d) {
    return d->layout == ACCEL_LAYOUT_NCHW && d->r == 1 && d->s == 1 && d->stride_h == 1 &&
           d->stride_w == 1 && d->pad_h == 0 && d->pad_w == 0 && d->groups <= 1;
}

typedef enum mm_residual { MM_NO_RESIDUAL, MM_RESIDUAL_BINARY, MM_RESIDUAL_SUM } mm_residual;

/* One matmul primitive for the plan with its argument memories; the post-ops' argument indices go
 * to bias_arg and res_arg (0 when absent). UNIMPLEMENTED when oneDNN offers only its reference
 * matmul. */
static accel_status mm_build(cpu_context *ctx, const accel_conv2d_desc *d, mm_residual residual,
                             int on_f32, onednn_exec *e, int *bias_arg, int *res_arg) {
    const accel_host_services *host = ctx->host;
    const int64_t N = d->n, K = d->k, C = d->c, HW = d->h * d->w;
    const int has_bias = (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    dnnl_memory_desc_t src_md, wei_md, dst_md, bias_md, res_md;
    dnnl_dims_t src_dims = {1, K, C}, wei_dims = {N, C, HW}, dst_dims = {N, K, HW}, b_dims = {1, K, 1};
    const dnnl_data_type_t yt = cpu_onednn_dtype(d->y_type);
    dnnl_status_t s = dnnl_memory_desc_init_by_tag(&src_md, 3, src_dims,
                                                   on_f32 ? dnnl_f32 : cpu_onednn_dtype(d->w_type), dnnl_abc);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&wei_md, 3, wei_dims,
                                         on_f32 ? dnnl_f32 : cpu_onednn_dtype(d->x_type), dnnl_abc);
    if (s == dnnl_success)
        s = dnnl_memory_desc_init_by_tag(&dst_md, 3, dst_dims, on_f32 ? dnnl_f32 : yt, dnnl_abc);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&bias_md, 3, b_dims, yt, dnnl_abc);
    if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&res_md, 3, dst_dims, yt, dnnl_abc);
    if (s != dnnl_success) return cpu_onednn_error(host, s, "dnnl_memory_desc_init_by_tag(1x1 matmul)");

    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL;
    int n_po = 0;
    *bias_arg = *res_arg = 0;
    dnnl_matmul_desc_t md;
    if ((s = dnnl_primitive_attr_create(&attr)) == dnnl_success &&
        (s = dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user)) == dnnl_success &&
        (s = dnnl_post_ops_create(&po)) == dnnl_success) {
        if (residual == MM_RESIDUAL_SUM) {
            s = dnnl_post_ops_append_sum(po, 1.0f);
            n_po++;
        }
        if (s == dnnl_success && has_bias) {
            s = dnnl_post_ops_append_binary(po, dnnl_binary_add, &bias_md);
            *bias_arg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(n_po) | DNNL_ARG_SRC_1;
            n_po++;
        }
        if (s == dnnl_success && residual == MM_RESIDUAL_BINARY) {
            s = dnnl_post_ops_append_binary(po, dnnl_binary_add, &res_md);
            *res_arg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(n_po) | DNNL_ARG_SRC_1;
            n_po++;
        }
        if (s == dnnl_success && (d->epilogue & ACCEL_EPILOGUE_RELU))
            s = dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
        if (s == dnnl_success) s = dnnl_primitive_attr_set_post_ops(attr, po);
        if (s == dnnl_success) s = dnnl_matmul_desc_init(&md, &src_md, &wei_md, NULL, &dst_md);
        if (s == dnnl_success) s = dnnl_primitive_desc_create(&pd, &md, attr, ctx->onednn->engine, NULL);
    }
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (s == dnnl_unimplemented)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn conv2d 1x1: no matmul for these types");
    if (s != dnnl_success) return cpu_onednn_error(host, s, "dnnl_primitive_desc_create(1x1 matmul)");
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || !impl ||
        strncmp(impl, "ref", 3) == 0) {
        dnnl_primitive_desc_destroy(pd);
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn conv2d 1x1: only a reference matmul");
    }
    accel_status st = onednn_exec_init(ctx, e, pd);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_SRC, &src_md);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_WEIGHTS, &wei_md);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_DST, &dst_md);
    if (st == ACCEL_OK && *bias_arg) st = onednn_exec_add_arg(ctx, e, *bias_arg, &bias_md);
    if (st == ACCEL_OK && *res_arg) st = onednn_exec_add_arg(ctx, e, *res_arg, &res_md);
    return st;
}

/* UNIMPLEMENTED when oneDNN offers only its reference matmul here: the caller then plans the
 * convolution primitive instead. */
accel_status cpu_conv_plan_onednn_1x1(cpu_context *ctx, const accel_conv2d_desc *d, cpu_plan **out,
                                      accel_plugin_plan_info *info) {
    conv_mm_plan *p = calloc(1, sizeof *p);
    if (!p) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    const int has_res = (d->epilogue & ACCEL_EPILOGUE_RESIDUAL) != 0;
    const int on_f32 = cpu_onednn_bf16_on_f32(ctx, d->x_type, d->w_type, d->y_type, d->compute);
    p->chunk = d->n;
    if (on_f32) {
        /* images per step: the fp32 copy of the larger side (X in, or the product) at most 4 MiB, so
         * it is still in cache when the next reorder or the matmul reads it; a divisor of n */
        const int64_t side = (d->c > d->k ? d->c : d->k) * d->h * d->w * 4;
        int64_t c = side > 0 ? ((int64_t)4 << 20) / side : d->n;
        if (c < 1) c = 1;
        if (c > d->n) c = d->n;
        while (d->n % c) c--;
        p->chunk = c;
    }
    accel_conv2d_desc chunk_desc = *d;
    chunk_desc.n = p->chunk;
    d = &chunk_desc;
    int unused_res;
    accel_status st = mm_build(ctx, d, has_res ? MM_RESIDUAL_BINARY : MM_NO_RESIDUAL, on_f32, &p->mm,
                               &p->bias_arg, &p->res_arg);
    if (st == ACCEL_OK && has_res && !on_f32)
        st = mm_build(ctx, d, MM_RESIDUAL_SUM, 0, &p->mm_inplace, &p->bias_arg_inplace, &unused_res);
    if (st == ACCEL_OK && on_f32) {
        const int64_t N = d->n, K = d->k, C = d->c, HW = d->h * d->w;
        dnnl_memory_desc_t x16, x32, w16, w32, y16, y32;
        dnnl_dims_t xd = {N, C, HW}, wd = {1, K, C}, yd = {N, K, HW};
        dnnl_status_t s = dnnl_memory_desc_init_by_tag(&x16, 3, xd, dnnl_bf16, dnnl_abc);
        if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&x32, 3, xd, dnnl_f32, dnnl_abc);
        if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&w16, 3, wd, dnnl_bf16, dnnl_abc);
        if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&w32, 3, wd, dnnl_f32, dnnl_abc);
        if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&y16, 3, yd, dnnl_bf16, dnnl_abc);
        if (s == dnnl_success) s = dnnl_memory_desc_init_by_tag(&y32, 3, yd, dnnl_f32, dnnl_abc);
        if (s != dnnl_success) st = cpu_onednn_error(ctx->host, s, "dnnl_memory_desc_init_by_tag(1x1 fp32)");
        size_t unused;
        if (st == ACCEL_OK) st = onednn_reorder_init(ctx, &p->x_cvt, &x16, &x32, &p->x_bytes);
        if (st == ACCEL_OK) st = onednn_reorder_init(ctx, &p->w_cvt, &w16, &w32, &p->w_bytes);
        if (st == ACCEL_OK) st = onednn_reorder_init(ctx, &p->y_cvt, &y32, &y16, &unused);
        p->y_bytes = (dnnl_memory_desc_get_size(&y32) + 63) / 64 * 64;
    }
    if (st != ACCEL_OK) {
        conv_mm_destroy(&p->base);
        return st;
    }
    size_t scratch = p->mm.scratch_bytes;
    const onednn_exec *others[4] = {&p->mm_inplace, &p->x_cvt, &p->w_cvt, &p->y_cvt};
    for (int i = 0; i < 4; i++)
        if (others[i]->scratch_bytes > scratch) scratch = others[i]->scratch_bytes;
    p->scratch_bytes = (scratch + 63) / 64 * 64;
    p->base.workspace_bytes = 64 + p->scratch_bytes + p->x_bytes + p->w_bytes + p->y_bytes;
    p->base.execute = conv_mm_execute;
    p->base.destroy = conv_mm_destroy;
    snprintf(info->library, sizeof info->library, "onednn");
    snprintf(info->algorithm, sizeof info->algorithm,
             "1x1 NCHW as matmul %s%s (W x X per image, no activation reorder%s)", p->mm.impl,
             on_f32 ? " bf16-as-fp32" : "", has_res ? ", residual in epilogue" : "");
    *out = &p->base;
    return ACCEL_OK;
}
