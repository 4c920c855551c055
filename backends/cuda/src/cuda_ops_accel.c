/* Ops on our own kernels (backends/gpu_common/kernels, compiled by NVRTC at plan creation). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../../gpu_common/kernels/accel_attention_limits.h"
#include "cuda_ops.h"

#define REF(i) accel_cuda_ref_ptr(operands[i])

static accel_status launch(accel_cuda_plan *plan, accel_cuda_stream *s, void **params, const char *what) {
    return accel_cuda_check(plan->dev->ctx,
                            plan->dev->ctx->cu.cuLaunchKernel(plan->fn, plan->grid[0], plan->grid[1],
                                                              plan->grid[2], plan->block[0], plan->block[1],
                                                              plan->block[2], 0, s->stream, params, NULL),
                            what);
}

static accel_status get_fn(accel_cuda_plan *plan, const char *source, const char *prefix,
                           const char *suffix, CUfunction *fn) {
    char entry[64];
    snprintf(entry, sizeof entry, "%s_%s", prefix, suffix);
    return accel_cuda_builtin_function(plan->dev, source, entry, fn);
}

static accel_status no_dtype(accel_cuda_plan *plan, const char *op, accel_dtype t) {
    return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                           "cuda %s: storage type %d not supported (f32, f16, bf16)", op, (int)t);
}

/* Grid-stride kernels: enough blocks to fill the GPU, no more. */
static void grid_for(accel_cuda_plan *plan, unsigned long long items) {
    const unsigned threads = 256;
    unsigned long long blocks = (items + threads - 1) / threads;
    const unsigned long long cap = (unsigned long long)(plan->dev->sm_count > 0 ? plan->dev->sm_count : 1) * 32ull;
    if (blocks > cap) blocks = cap;
    if (blocks == 0) blocks = 1;
    plan->grid[0] = (unsigned)blocks;
    plan->grid[1] = plan->grid[2] = 1;
    plan->block[0] = threads;
    plan->block[1] = plan->block[2] = 1;
}

/* One block per row: a warp multiple up to 256 threads. */
static accel_status grid_per_row(accel_cuda_plan *plan, int64_t rows, int64_t cols) {
    if (rows > INT_MAX)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "%lld rows (at most %d)",
                                               (long long)rows, INT_MAX);
    int64_t threads = (cols + 31) / 32 * 32;
    if (threads > 256) threads = 256;
    plan->grid[0] = (unsigned)rows;
    plan->grid[1] = plan->grid[2] = 1;
    plan->block[0] = (unsigned)threads;
    plan->block[1] = plan->block[2] = 1;
    return ACCEL_OK;
}

static void set_info(accel_plugin_plan_info *info, const char *algorithm) {
    snprintf(info->library, sizeof info->library, "accel-cuda");
    snprintf(info->algorithm, sizeof info->algorithm, "%s", algorithm);
    info->workspace_bytes = 0;
}

/* ---- eltwise ---- */
static accel_status exec_eltwise(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                 accel_plugin_ref ws) {
    (void)ws;
    const accel_eltwise_desc *e = &plan->desc.u.eltwise;
    int kind = (int)e->kind;
    CUdeviceptr x = REF(0), z = REF(1), y = REF(2);
    long long count = e->count, cols = e->cols;
    float alpha = (float)e->alpha, beta = (float)e->beta;
    void *params[] = {&kind, &x, &z, &y, &count, &cols, &alpha, &beta};
    return launch(plan, s, params, "cuLaunchKernel(accel_eltwise)");
}

accel_status accel_cuda_plan_eltwise(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_eltwise_desc *e = &plan->desc.u.eltwise;
    const char *sfx = accel_cuda_dtype_suffix(e->dtype, 0);
    if (!sfx) return no_dtype(plan, "eltwise", e->dtype);
    if (e->kind < ACCEL_ELTWISE_COPY || e->kind > ACCEL_ELTWISE_BIAS_ADD)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "eltwise kind %d", (int)e->kind);
    if (e->kind == ACCEL_ELTWISE_BIAS_ADD && e->cols <= 0)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "bias_add needs cols > 0");
    accel_status st = get_fn(plan, "eltwise.cu", "accel_eltwise", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    grid_for(plan, (unsigned long long)e->count);
    plan->execute = exec_eltwise;
    set_info(info, "eltwise grid-stride");
    return ACCEL_OK;
}

/* ---- layernorm ---- */
static accel_status exec_layernorm(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                   accel_plugin_ref ws) {
    (void)ws;
    const accel_layernorm_desc *l = &plan->desc.u.layernorm;
    CUdeviceptr x = REF(0), r = l->has_residual ? REF(1) : 0, g = REF(2), b = REF(3), y = REF(4);
    long long cols = l->cols;
    float eps = (float)l->eps;
    void *params[] = {&x, &r, &g, &b, &y, &cols, &eps};
    return launch(plan, s, params, "cuLaunchKernel(accel_layernorm)");
}

accel_status accel_cuda_plan_layernorm(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_layernorm_desc *l = &plan->desc.u.layernorm;
    const char *sfx = accel_cuda_dtype_suffix(l->dtype, 0);
    if (!sfx) return no_dtype(plan, "layernorm", l->dtype);
    accel_status st = grid_per_row(plan, l->rows, l->cols);
    if (st == ACCEL_OK) st = get_fn(plan, "layernorm.cu", "accel_layernorm", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_layernorm;
    set_info(info, "layernorm block-per-row two-pass fp32");
    return ACCEL_OK;
}

/* ---- softmax ---- */
static accel_status exec_softmax(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                 accel_plugin_ref ws) {
    (void)ws;
    const accel_softmax_desc *d = &plan->desc.u.softmax;
    CUdeviceptr x = REF(0), mask = REF(1), y = REF(2);
    long long cols = d->cols, rpm = d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1;
    float scale = (float)d->scale;
    void *params[] = {&x, &mask, &y, &cols, &scale, &rpm};
    return launch(plan, s, params, "cuLaunchKernel(accel_softmax)");
}

accel_status accel_cuda_plan_softmax(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_softmax_desc *d = &plan->desc.u.softmax;
    const char *sfx = accel_cuda_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_dtype(plan, "softmax", d->dtype);
    accel_status st = grid_per_row(plan, d->rows, d->cols);
    if (st == ACCEL_OK) st = get_fn(plan, "softmax.cu", "accel_softmax", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_softmax;
    set_info(info, "softmax block-per-row fp32");
    return ACCEL_OK;
}

/* ---- attention ---- */
/* Mirrors accel_attention_params in gpu_common/kernels/attention.cu (passed by value). */
typedef struct attention_params {
    long long heads, seq, head_dim;
    float scale;
} attention_params;


static accel_status exec_attention(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                   accel_plugin_ref ws) {
    (void)ws;
    const accel_attention_desc *d = &plan->desc.u.attention;
    CUdeviceptr q = REF(0), k = REF(1), v = REF(2), mask = REF(3), o = REF(4);
    attention_params p = {d->heads, d->seq, d->head_dim, (float)d->scale};
    void *params[] = {&q, &k, &v, &mask, &o, &p};
    return launch(plan, s, params, "cuLaunchKernel(accel_attention)");
}

accel_status accel_cuda_plan_attention(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_attention_desc *d = &plan->desc.u.attention;
    const char *sfx = accel_cuda_dtype_suffix(d->dtype, 0);
    if (!sfx) return no_dtype(plan, "attention", d->dtype);
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                               "cuda attention: compute type %d (the kernel computes in fp32)",
                                               (int)d->compute);
    if (d->seq > ACCEL_ATTENTION_MAX_SEQ || d->head_dim > ACCEL_ATTENTION_MAX_DIM || d->batch * d->heads > INT_MAX)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                               "cuda attention: seq %lld / head_dim %lld above the kernel's %d / %d "
                                               "(a row's scores sit in shared memory)",
                                               (long long)d->seq, (long long)d->head_dim, ACCEL_ATTENTION_MAX_SEQ,
                                               ACCEL_ATTENTION_MAX_DIM);
    plan->grid[0] = (unsigned)(d->batch * d->heads);
    plan->grid[1] = (unsigned)d->seq;
    plan->grid[2] = 1;
    plan->block[0] = 128;
    plan->block[1] = plan->block[2] = 1;
    accel_status st = get_fn(plan, "attention.cu", "accel_attention", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_attention;
    set_info(info, "attention block-per-query-row, scores in shared memory, fp32");
    return ACCEL_OK;
}

/* ---- permute ---- */
static accel_status exec_permute(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                 accel_plugin_ref ws) {
    (void)ws;
    CUdeviceptr x = REF(0), y = REF(1);
    void *params[] = {&x, &y, &plan->params.permute};
    return launch(plan, s, params, "cuLaunchKernel(accel_permute)");
}

accel_status accel_cuda_plan_permute(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_permute_desc *d = &plan->desc.u.permute;
    const size_t esize = accel_cuda_dtype_size(d->dtype);
    const char *sfx = esize == 1 ? "b1" : esize == 2 ? "b2" : esize == 4 ? "b4" : esize == 8 ? "b8" : NULL;
    if (!sfx) return no_dtype(plan, "permute", d->dtype);
    if (d->ndims < 1 || d->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "permute of %d dims", d->ndims);
    int64_t in_stride[ACCEL_PERMUTE_MAX_DIMS];
    int64_t stride = 1;
    for (int i = d->ndims - 1; i >= 0; --i) {
        in_stride[i] = stride;
        stride *= d->dims[i];
    }
    memset(&plan->params.permute, 0, sizeof plan->params.permute);
    plan->params.permute.total = stride;
    plan->params.permute.ndims = d->ndims;
    for (int o = 0; o < d->ndims; ++o) {
        plan->params.permute.out_dims[o] = d->dims[d->perm[o]];
        plan->params.permute.in_strides[o] = in_stride[d->perm[o]];
    }
    char entry[32];
    snprintf(entry, sizeof entry, "accel_permute_%s", sfx);
    accel_status st = accel_cuda_builtin_function(plan->dev, "permute.cu", entry, &plan->fn);
    if (st != ACCEL_OK) return st;
    grid_for(plan, (unsigned long long)stride);
    plan->execute = exec_permute;
    set_info(info, "permute gather");
    return ACCEL_OK;
}

/* ---- tiled GEMM and implicit-GEMM conv2d (64x64 tiles, 256 threads) ---- */
static accel_status tile_grid(accel_cuda_plan *plan, int64_t m, int64_t n, int64_t batch) {
    const int64_t gx = (n + 63) / 64, gy = (m + 63) / 64;
    if (gx > INT_MAX || gy > 65535)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "problem too large for the accel tile grid");
    plan->grid[0] = (unsigned)gx;
    plan->grid[1] = (unsigned)gy;
    plan->grid[2] = (unsigned)(batch > 65535 ? 65535 : batch); /* the kernel loops over the rest */
    plan->block[0] = 256;
    plan->block[1] = plan->block[2] = 1;
    return ACCEL_OK;
}

static accel_status exec_gemm_accel(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                    accel_plugin_ref ws) {
    (void)ws;
    const accel_gemm_desc *g = &plan->desc.u.gemm;
    CUdeviceptr a = REF(0), b = REF(1), c = g->beta != 0.0 ? REF(2) : 0, d = REF(3);
    CUdeviceptr bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) ? REF(4) : 0;
    void *params[] = {&a, &b, &c, &d, &bias, &plan->params.gemm};
    return launch(plan, s, params, "cuLaunchKernel(accel_gemm)");
}

/* Accumulation is fp32 (fp64 for f64); TF32 is honoured by rounding the inputs. */
static int gemm_compute_ok(accel_dtype t, accel_compute_type ct, int *tf32) {
    *tf32 = 0;
    switch (t) {
    case ACCEL_DTYPE_F32:
        *tf32 = ct == ACCEL_COMPUTE_TF32;
        return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F32 || ct == ACCEL_COMPUTE_TF32;
    case ACCEL_DTYPE_F16: return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F16 || ct == ACCEL_COMPUTE_F32;
    case ACCEL_DTYPE_BF16: return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_BF16 || ct == ACCEL_COMPUTE_F32;
    case ACCEL_DTYPE_F64: return ct == ACCEL_COMPUTE_DEFAULT || ct == ACCEL_COMPUTE_F64;
    default: return 0;
    }
}

accel_status accel_cuda_plan_gemm_accel(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    accel_cuda_ctx *ctx = plan->dev->ctx;
    accel_gemm_desc g;
    accel_cuda_gemm_resolve(&plan->desc.u.gemm, &g);
    if (accel_dtype_is_fp8(g.a_type))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "accel GEMM kernels do not read fp8 (library cublaslt does, on sm_89 or newer)");
    const char *sfx = accel_cuda_dtype_suffix(g.a_type, 1);
    if (!sfx || g.b_type != g.a_type || g.d_type != g.a_type || g.c_type != g.a_type || g.bias_type != g.a_type)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "accel GEMM needs A, B, C, D and bias of one type (f32, f16, bf16, f64)");
    int tf32 = 0;
    if (!gemm_compute_ok(g.a_type, g.compute, &tf32))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "accel GEMM: compute type %d with %s storage (it accumulates in fp32, "
                                    "fp64 for f64; no fp16 accumulation)", (int)g.compute, sfx);
    accel_status st = tile_grid(plan, g.m, g.n, g.batch);
    if (st == ACCEL_OK) st = get_fn(plan, "gemm.cu", "accel_gemm", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    plan->params.gemm.m = g.m, plan->params.gemm.n = g.n, plan->params.gemm.k = g.k;
    plan->params.gemm.lda = g.lda, plan->params.gemm.ldb = g.ldb, plan->params.gemm.ldc = g.ldc;
    plan->params.gemm.ldd = g.ldd;
    plan->params.gemm.stride_a = g.stride_a, plan->params.gemm.stride_b = g.stride_b;
    plan->params.gemm.stride_c = g.stride_c, plan->params.gemm.stride_d = g.stride_d;
    plan->params.gemm.stride_bias = g.stride_bias, plan->params.gemm.batch = g.batch;
    plan->params.gemm.alpha = g.alpha, plan->params.gemm.beta = g.beta;
    plan->params.gemm.trans_a = g.trans_a, plan->params.gemm.trans_b = g.trans_b;
    plan->params.gemm.act = accel_cuda_act_from_epilogue(g.epilogue);
    plan->params.gemm.round_tf32 = tf32;
    plan->execute = exec_gemm_accel;
    set_info(info, tf32 ? "tiled 64x64x16 fp32 FMA, tf32-rounded inputs" : "tiled 64x64x16 FMA");
    return ACCEL_OK;
}

static accel_status exec_conv2d(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                accel_plugin_ref ws) {
    (void)ws;
    const uint32_t e = plan->desc.u.conv2d.epilogue;
    CUdeviceptr x = REF(0), w = REF(1), y = REF(4);
    CUdeviceptr bias = (e & ACCEL_EPILOGUE_BIAS) ? REF(2) : 0, res = (e & ACCEL_EPILOGUE_RESIDUAL) ? REF(3) : 0;
    void *params[] = {&x, &w, &bias, &res, &y, &plan->params.conv};
    return launch(plan, s, params, "cuLaunchKernel(accel_conv2d)");
}

accel_status accel_cuda_plan_conv2d(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    accel_cuda_ctx *ctx = plan->dev->ctx;
    const accel_conv2d_desc *c = &plan->desc.u.conv2d;
    const char *sfx = accel_cuda_dtype_suffix(c->x_type, 0);
    if (!sfx || c->w_type != c->x_type || c->y_type != c->x_type)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "accel conv2d needs X, W, Y of one type (f32, f16, bf16)");
    if (c->groups > 1) return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "grouped conv2d");
    if (c->epilogue & (ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH))
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "conv2d epilogue takes bias, residual, relu");
    const int64_t dh = c->dil_h ? c->dil_h : 1, dw = c->dil_w ? c->dil_w : 1;
    const int64_t p = (c->h + 2 * c->pad_h - dh * (c->r - 1) - 1) / c->stride_h + 1;
    const int64_t q = (c->w + 2 * c->pad_w - dw * (c->s - 1) - 1) / c->stride_w + 1;
    if (p <= 0 || q <= 0) return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "conv2d output is empty");
    plan->params.conv.n = c->n, plan->params.conv.c = c->c, plan->params.conv.h = c->h, plan->params.conv.w = c->w;
    plan->params.conv.k = c->k, plan->params.conv.r = c->r, plan->params.conv.s = c->s;
    plan->params.conv.p = p, plan->params.conv.q = q;
    plan->params.conv.stride_h = c->stride_h, plan->params.conv.stride_w = c->stride_w;
    plan->params.conv.pad_h = c->pad_h, plan->params.conv.pad_w = c->pad_w;
    plan->params.conv.dil_h = dh, plan->params.conv.dil_w = dw;
    plan->params.conv.nhwc = c->layout == ACCEL_LAYOUT_NHWC;
    plan->params.conv.relu = (c->epilogue & ACCEL_EPILOGUE_RELU) != 0;
    accel_status st = tile_grid(plan, c->n * p * q, c->k, 1);
    if (st == ACCEL_OK) st = get_fn(plan, "conv2d.cu", "accel_conv2d", sfx, &plan->fn);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_conv2d;
    set_info(info, "implicit GEMM 64x64x16, fp32 accumulate (cuDNN not used)");
    return ACCEL_OK;
}
