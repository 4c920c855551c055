/* GEMM through the oneDNN matmul primitive, built once at plan time:
 *   transposes, leading dims, strided batch -> 3-D memory descriptors with strides
 *   alpha -> output scales; beta -> sum post-op (C copied into D first when it is elsewhere)
 *   bias -> matmul bias. oneDNN 2.x applies output scales to (A*B + bias), so with alpha != 1
 *           execute first writes bias / alpha as fp32 into the workspace (n values per batch)
 *   relu / gelu_erf / gelu_tanh -> eltwise post-op.  Scratchpad in user mode = plan workspace.
 *   one weight matrix (batch 1, B not transposed) -> a second primitive on weights in the blocked
 *           layout oneDNN picks, packed once and re-used while B's bytes stay the same, or with
 *           b_constant while B's binding stays the same (cpu_weights_cache.h);
 *           ACCEL_CPU_GEMM_WEIGHTS=plain: B as it is (measurement only).
 *   bf16 A and B with b_constant, on a CPU without AMX -> the packed primitive is an f32 one: B
 *           widened to f32 as it is packed, A widened and (bf16) D narrowed around it in the
 *           workspace, where cpu_bf16_prefers_f32. Exact: bf16 products are exact in fp32 and both
 *           accumulate in fp32; here (no AMX, bf16 dot at 0.5x the fp32 FMA rate) oneDNN 2.6's bf16
 *           brgemm ran 1.3-1.5x slower than its f32 one on BERT's shapes.
 *           ACCEL_CPU_GEMM_BF16=native keeps the bf16 primitive (measurement). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_dtype.h"
#include "cpu_gemm_desc.h"
#include "cpu_weights_cache.h"
#include "cpu_onednn.h"

typedef struct gemm_onednn_plan {
    cpu_plan base;
    onednn_exec e;        /* on B as it is */
    onednn_exec e_packed; /* on cache.packed, when packed */
    accel_gemm_desc d;
    cpu_gemm_dims r;
    int has_bias;
    int64_t bias_count;    /* elements of bias read: n, or batch * n with a bias per batch */
    int scaled_bias;       /* bias / alpha staged in the workspace after the scratchpad */
    size_t scratch_bytes;  /* oneDNN scratchpad (the larger primitive's), first in the workspace */
    int packed;            /* e_packed and cache exist */
    int widen;             /* e_packed is the f32 primitive on widened bf16 operands (above) */
    /* Workspace offsets from the scratchpad's start: bias staged as f32 (bias / alpha, or the
     * widened bias), widened A (m x k), f32 D before narrowing (m x n, bf16 D only). */
    size_t bias_off, a32_off, d32_off, ws_end;
    cpu_weights_cache cache;
} gemm_onednn_plan;

static const char *dtype_str(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 ? "f32" : t == ACCEL_DTYPE_BF16 ? "bf16" : "f16";
}

/* D <- C (converted), for the sum post-op, when C is not already D's memory. */
static void copy_c_into_d(const gemm_onednn_plan *p, const void *C, void *D) {
    const accel_gemm_desc *d = &p->d;
    const cpu_gemm_dims *r = &p->r;
    const int64_t rows = d->batch * d->m;
#pragma omp parallel for schedule(static)
    for (int64_t row = 0; row < rows; row++) {
        const int64_t b = row / d->m, i = row % d->m;
        const int64_t cbase = b * r->stride_c + i * r->ldc, dbase = b * r->stride_d + i * r->ldd;
        if (d->c_type == d->d_type) {
            size_t es = accel_dtype_bytes(d->d_type);
            memmove((char *)D + dbase * (int64_t)es, (const char *)C + cbase * (int64_t)es,
                    (size_t)d->n * es);
        } else {
            for (int64_t j = 0; j < d->n; j++)
                cpu_store(d->d_type, D, dbase + j, cpu_load(d->c_type, C, cbase + j));
        }
    }
}

/* Row conversions cloned per ISA so they vectorise (the plugin's baseline is SSE2). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void widen_row(const uint16_t *s, float *d,
                                                                                   int64_t n) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) d[j] = cpu_bf16_to_f32(s[j]);
}

__attribute__((target_clones("avx512f", "avx2", "default"))) static void narrow_row(const float *s, uint16_t *d,
                                                                                    int64_t n) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) d[j] = cpu_f32_to_bf16(s[j]);
}

/* A (m x k bf16, row stride lda) -> a32 (dense f32). */
static void widen_a(const gemm_onednn_plan *p, const void *A, float *a32) {
    const int64_t m = p->d.m, k = p->d.k, lda = p->r.lda;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < m; i++) widen_row((const uint16_t *)A + i * lda, a32 + i * k, k);
}

/* d32 (dense f32 m x n) -> D (bf16, row stride ldd), rounded to nearest even. */
static void narrow_d(const gemm_onednn_plan *p, const float *d32, void *D) {
    const int64_t m = p->d.m, n = p->d.n, ldd = p->r.ldd;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < m; i++) narrow_row(d32 + i * n, (uint16_t *)D + i * ldd, n);
}

static accel_status gemm_onednn_execute(cpu_plan *plan, const accel_plugin_ref *ops, void *ws) {
    gemm_onednn_plan *p = (gemm_onednn_plan *)plan;
    cpu_context *ctx = plan->ctx;
    void *A = cpu_ref_ptr(ops[0]), *B = cpu_ref_ptr(ops[1]), *C = cpu_ref_ptr(ops[2]);
    void *D = cpu_ref_ptr(ops[3]), *bias = cpu_ref_ptr(ops[4]);
    if (p->d.beta != 0.0) {
        int same = C == D && p->r.ldc == p->r.ldd && p->r.stride_c == p->r.stride_d &&
                   p->d.c_type == p->d.d_type;
        if (!same) copy_c_into_d(p, C, D);
    }
    char *scratch = (char *)(((uintptr_t)ws + 63) & ~(uintptr_t)63);
    onednn_exec *e = &p->e;
    int widened = 0;
    if (p->packed) {
        const void *packed = cpu_weights_cache_get(&p->cache, B, cpu_ref_serial(ops[1]), p->r.ldb);
        if (packed) {
            e = &p->e_packed;
            B = (void *)(uintptr_t)packed;
            widened = p->widen;
        }
    }
    void *D_out = D;
    if (widened) {
        float *a32 = (float *)(scratch + p->a32_off);
        widen_a(p, A, a32);
        A = a32;
        if (p->d.d_type == ACCEL_DTYPE_BF16) D = scratch + p->d32_off;
    }
    accel_status st = onednn_exec_bind(ctx, e, DNNL_ARG_SRC, A);
    if (st == ACCEL_OK) st = onednn_exec_bind(ctx, e, DNNL_ARG_WEIGHTS, B);
    if (st == ACCEL_OK) st = onednn_exec_bind(ctx, e, DNNL_ARG_DST, D);
    if (st == ACCEL_OK && p->has_bias) {
        if (p->scaled_bias || widened) {
            float *staged = (float *)(scratch + p->bias_off);
            const float inv_alpha = (float)(1.0 / p->d.alpha);
            const int64_t n = p->d.n, sb = p->r.stride_bias;
            for (int64_t i = 0; i < p->bias_count; i++)
                staged[i] = cpu_load(p->r.bias_type, bias, (i / n) * sb + i % n) * inv_alpha;
            bias = staged;
        }
        st = onednn_exec_bind(ctx, e, DNNL_ARG_BIAS, bias);
    }
    if (st != ACCEL_OK) return st;
    st = onednn_exec_run(ctx, e, scratch);
    if (st == ACCEL_OK && D != D_out) narrow_d(p, (const float *)D, D_out);
    return st;
}

static void gemm_onednn_destroy(cpu_plan *plan) {
    gemm_onednn_plan *p = (gemm_onednn_plan *)plan;
    onednn_exec_destroy(&p->e);
    onednn_exec_destroy(&p->e_packed);
    cpu_weights_cache_destroy(&p->cache);
    free(p);
}

static accel_status add_gemm_args(cpu_context *ctx, onednn_exec *e, const dnnl_memory_desc_t *src,
                                  const dnnl_memory_desc_t *wei, const dnnl_memory_desc_t *dst,
                                  const dnnl_memory_desc_t *bias) {
    accel_status st = onednn_exec_add_arg(ctx, e, DNNL_ARG_SRC, src);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_WEIGHTS, wei);
    if (st == ACCEL_OK) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_DST, dst);
    if (st == ACCEL_OK && bias) st = onednn_exec_add_arg(ctx, e, DNNL_ARG_BIAS, bias);
    return st;
}

/* The primitive on weights in oneDNN's preferred layout, when cpu_gemm_pack writes that layout.
 * Not having one is no error: the plan then runs on B as it is. */
static void plan_packed(cpu_context *ctx, gemm_onednn_plan *p, int nd, const dnnl_dims_t wei_dims,
                        const dnnl_memory_desc_t *src, const dnnl_memory_desc_t *dst,
                        const dnnl_memory_desc_t *bias, const_dnnl_primitive_attr_t attr, int widen) {
    dnnl_memory_desc_t any_md, chosen, src32, dst32, bias32;
    dnnl_matmul_desc_t mm;
    dnnl_primitive_desc_t pd = NULL;
    cpu_weights_pack layout;
    if (widen) { /* batch 1, so nd == 2: dense f32 A (m x k), D (m x n) unless D is f32, bias */
        const dnnl_dims_t a_dims = {p->d.m, p->d.k}, d_dims = {p->d.m, p->d.n}, b_dims = {1, p->d.n};
        if (nd != 2 ||
            dnnl_memory_desc_init_by_tag(&src32, 2, a_dims, dnnl_f32, dnnl_ab) != dnnl_success ||
            dnnl_memory_desc_init_by_tag(&dst32, 2, d_dims, dnnl_f32, dnnl_ab) != dnnl_success ||
            dnnl_memory_desc_init_by_tag(&bias32, 2, b_dims, dnnl_f32, dnnl_ab) != dnnl_success)
            return;
        src = &src32;
        if (p->d.d_type == ACCEL_DTYPE_BF16) dst = &dst32;
        if (bias) bias = &bias32;
    }
    const accel_dtype wei_t = widen ? ACCEL_DTYPE_F32 : p->d.b_type;
    if (dnnl_memory_desc_init_by_tag(&any_md, nd, wei_dims, cpu_onednn_dtype(wei_t),
                                     dnnl_format_tag_any) != dnnl_success ||
        dnnl_matmul_desc_init(&mm, src, &any_md, bias, dst) != dnnl_success ||
        dnnl_primitive_desc_create(&pd, &mm, attr, ctx->onednn->engine, NULL) != dnnl_success)
        return;
    const dnnl_memory_desc_t *q = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    if (!q || !cpu_weights_pack_describe(q, accel_dtype_bytes(wei_t), &layout)) {
        dnnl_primitive_desc_destroy(pd);
        return;
    }
    chosen = *q;
    if (onednn_exec_init(ctx, &p->e_packed, pd) != ACCEL_OK || /* owns pd */
        add_gemm_args(ctx, &p->e_packed, src, &chosen, dst, bias) != ACCEL_OK) {
        onednn_exec_destroy(&p->e_packed);
        return;
    }
    if (widen) cpu_weights_pack_widen_bf16(&layout);
    cpu_weights_cache_init(&p->cache, &layout, p->d.b_constant);
    p->packed = 1;
    p->widen = widen;
}

/* bf16 A and B run as f32 on the packed path (file comment): constant weights only (widened once
 * per binding), fp32 accumulation asked for, no C to add, plain A, and a CPU whose bf16 dot does
 * not out-run its fp32 FMA (cpu_bf16_prefers_f32, measured at the first device open). */
static int bf16_widen_wanted(const cpu_context *ctx, const accel_gemm_desc *d) {
    if (cpu_onednn_env_is("ACCEL_CPU_GEMM_BF16", "native")) return 0;
    if (!d->b_constant || d->a_type != ACCEL_DTYPE_BF16 || d->b_type != ACCEL_DTYPE_BF16 ||
        !accel_compute_is_fp32_on(d->compute, ACCEL_DTYPE_BF16) || d->beta != 0.0 || d->trans_a ||
        (d->d_type != ACCEL_DTYPE_BF16 && d->d_type != ACCEL_DTYPE_F32))
        return 0;
    return cpu_bf16_prefers_f32(ctx);
}


#define DNNL_TRY(call, what)                                                                       \
    do {                                                                                           \
        dnnl_status_t s_ = (call);                                                                 \
        if (s_ != dnnl_success) {                                                                  \
            st = cpu_onednn_error(host, s_, what);                                                 \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

accel_status cpu_gemm_plan_onednn(cpu_context *ctx, const accel_gemm_desc *d, cpu_plan **out,
                                  accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    accel_status st = cpu_gemm_check_types(host, "cpu/onednn gemm", d, 0);
    if (st != ACCEL_OK) return st;
    const uint32_t acts = ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH;
    if (d->epilogue & ~(ACCEL_EPILOGUE_BIAS | acts))
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn gemm: epilogue 0x%x",
                               d->epilogue);
    gemm_onednn_plan *p = calloc(1, sizeof *p);
    if (!p) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    p->d = *d;
    if (p->d.batch < 1) p->d.batch = 1;
    p->r = cpu_gemm_dims_resolve(d);
    const cpu_gemm_dims *r = &p->r;
    const int64_t B = p->d.batch;
    const int has_bias = (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    p->has_bias = has_bias;
    p->scaled_bias = has_bias && d->alpha != 1.0;
    p->bias_count = r->stride_bias ? B * d->n : d->n;
    if (p->scaled_bias && d->alpha == 0.0) {
        free(p);
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu/onednn gemm: alpha 0 with a bias (oneDNN scales the bias by "
                               "alpha); use library accel");
    }

    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_memory_desc_t src_md, wei_md, dst_md, bias_md;
    dnnl_dims_t src_dims = {B, d->m, d->k}, wei_dims = {B, d->k, d->n}, dst_dims = {B, d->m, d->n};
    dnnl_dims_t src_strides = {r->stride_a, d->trans_a ? 1 : r->lda, d->trans_a ? r->lda : 1};
    dnnl_dims_t wei_strides = {r->stride_b, d->trans_b ? 1 : r->ldb, d->trans_b ? r->ldb : 1};
    dnnl_dims_t dst_strides = {r->stride_d, r->ldd, 1};
    dnnl_dims_t bias_dims = {r->stride_bias ? B : 1, 1, d->n};
    dnnl_dims_t bias_strides = {r->stride_bias && !p->scaled_bias ? r->stride_bias : d->n, d->n, 1};
    const accel_dtype bias_t = p->scaled_bias ? ACCEL_DTYPE_F32 : r->bias_type;

    /* Batch 1 as a 2-D problem: oneDNN 2.6's brgemm matmul offers blocked weights only in 2-D. */
    const int nd = B == 1 ? 2 : 3, o = 3 - nd;
    DNNL_TRY(dnnl_memory_desc_init_by_strides(&src_md, nd, src_dims + o,
                                              cpu_onednn_dtype(d->a_type), src_strides + o),
             "dnnl_memory_desc_init_by_strides(A)");
    DNNL_TRY(dnnl_memory_desc_init_by_strides(&wei_md, nd, wei_dims + o,
                                              cpu_onednn_dtype(d->b_type), wei_strides + o),
             "dnnl_memory_desc_init_by_strides(B)");
    DNNL_TRY(dnnl_memory_desc_init_by_strides(&dst_md, nd, dst_dims + o,
                                              cpu_onednn_dtype(d->d_type), dst_strides + o),
             "dnnl_memory_desc_init_by_strides(D)");
    if (has_bias)
        DNNL_TRY(dnnl_memory_desc_init_by_strides(&bias_md, nd, bias_dims + o,
                                                  cpu_onednn_dtype(bias_t), bias_strides + o),
                 "dnnl_memory_desc_init_by_strides(bias)");

    DNNL_TRY(dnnl_primitive_attr_create(&attr), "dnnl_primitive_attr_create");
    DNNL_TRY(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
             "dnnl_primitive_attr_set_scratchpad_mode");
    if (d->alpha != 1.0) {
        const float alpha = (float)d->alpha;
        DNNL_TRY(dnnl_primitive_attr_set_output_scales(attr, 1, 0, &alpha),
                 "dnnl_primitive_attr_set_output_scales");
    }
    DNNL_TRY(dnnl_post_ops_create(&post_ops), "dnnl_post_ops_create");
    if (d->beta != 0.0)
        DNNL_TRY(dnnl_post_ops_append_sum(post_ops, (float)d->beta), "dnnl_post_ops_append_sum");
    if (d->epilogue & acts) {
        dnnl_alg_kind_t alg = (d->epilogue & ACCEL_EPILOGUE_RELU)       ? dnnl_eltwise_relu
                              : (d->epilogue & ACCEL_EPILOGUE_GELU_ERF) ? dnnl_eltwise_gelu_erf
                                                                        : dnnl_eltwise_gelu_tanh;
        DNNL_TRY(dnnl_post_ops_append_eltwise(post_ops, 1.0f, alg, 0.0f, 0.0f),
                 "dnnl_post_ops_append_eltwise");
    }
    DNNL_TRY(dnnl_primitive_attr_set_post_ops(attr, post_ops), "dnnl_primitive_attr_set_post_ops");

    dnnl_matmul_desc_t mm;
    DNNL_TRY(dnnl_matmul_desc_init(&mm, &src_md, &wei_md,
                                   has_bias ? &bias_md : NULL, &dst_md),
             "dnnl_matmul_desc_init");
    dnnl_status_t s = dnnl_primitive_desc_create(&pd, &mm, attr, ctx->onednn->engine, NULL);
    if (s == dnnl_unimplemented) {
        st = host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "cpu/onednn gemm: oneDNN has no matmul for A %s, B %s, D %s on this CPU "
                             "(dnnl_unimplemented)%s",
                             dtype_str(d->a_type), dtype_str(d->b_type), dtype_str(d->d_type),
                             d->a_type == ACCEL_DTYPE_F16 ? "; f16 needs AVX512_FP16 or AMX-FP16"
                                                          : "");
        goto done;
    }
    DNNL_TRY(s, "dnnl_primitive_desc_create(matmul)");
    st = onednn_exec_init(ctx, &p->e, pd); /* owns pd from here */
    pd = NULL;
    if (st != ACCEL_OK) goto done;
    st = add_gemm_args(ctx, &p->e, &src_md, &wei_md, &dst_md, has_bias ? &bias_md : NULL);
    if (st != ACCEL_OK) goto done;
    if (B == 1 && !d->trans_b && !cpu_onednn_env_is("ACCEL_CPU_GEMM_WEIGHTS", "plain"))
        plan_packed(ctx, p, nd, wei_dims + o, &src_md, &dst_md, has_bias ? &bias_md : NULL, attr,
                    bf16_widen_wanted(ctx, d));

    p->base.execute = gemm_onednn_execute;
    p->base.destroy = gemm_onednn_destroy;
    p->scratch_bytes = p->e.scratch_bytes;
    if (p->packed && p->e_packed.scratch_bytes > p->scratch_bytes)
        p->scratch_bytes = p->e_packed.scratch_bytes;
    p->bias_off = (p->scratch_bytes + 63) / 64 * 64;
    p->a32_off = p->bias_off +
                 ((p->scaled_bias || (p->widen && has_bias)) ? ((size_t)p->bias_count * 4 + 63) / 64 * 64 : 0);
    p->d32_off = p->a32_off + (p->widen ? ((size_t)(d->m * d->k) * 4 + 63) / 64 * 64 : 0);
    p->ws_end = p->d32_off + (p->widen && d->d_type == ACCEL_DTYPE_BF16 ? (size_t)(d->m * d->n) * 4 : 0);
    p->base.workspace_bytes = 64 + p->ws_end;
    snprintf(info->library, sizeof info->library, "onednn");
    /* impl strings are short ("brg:avx512_core"); the precision caps keep -Wformat-truncation
     * quiet for the 96-byte fields */
    snprintf(info->algorithm, sizeof info->algorithm, "matmul %.32s%s%.32s%s%s", p->e.impl,
             !p->packed              ? ""
             : p->cache.constant     ? "; constant weights packed per binding for "
                                     : "; unchanged weights kept packed for ",
             p->packed ? p->e_packed.impl : "", p->widen ? " (f32 on bf16 data: bf16 dot no faster here)" : "",
             p->scaled_bias ? ", bias staged as bias/alpha" : "");
done:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (st != ACCEL_OK) {
        gemm_onednn_destroy(&p->base);
        return st;
    }
    *out = &p->base;
    return ACCEL_OK;
}
