/* Op plans on the OpenCL C kernel set (backends/opencl/kernels), compiled to SPIR-V at build time.
 * Each plan mirrors the OpenCL backend's launch of the same kernel (argument list, work-group shape,
 * grid), with the -D options it would pass baked into a prebuilt variant (cmake/
 * ze_kernel_variants.cmake), so an Intel GPU runs the same kernels with the same semantics.
 * Buffers are USM pointers: an operand is passed as base + byte offset with element offset 0. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"

#include "../../gpu_common/kernels/accel_attention_limits.h"

/* The default tiles of gemm.cl and conv2d.cl, the ones the variants are built with. */
enum { ZE_TSM = 64, ZE_TSN = 64, ZE_TSK = 16, ZE_WPTM = 4, ZE_WPTN = 4 };
enum { ZE_ELEMENTWISE_GROUP = 256, ZE_MAX_ARGS = 32, ZE_MAX_SCALARS = 32 };

typedef struct ze_plan ze_plan;

/* A scalar argument's bytes, kept in the plan so the launch can point at them. */
typedef union ze_scalar {
    int32_t i32;
    int64_t i64;
    float f32;
} ze_scalar;

/* Fills the per-execute arguments (buffers; scratch holds any per-execute scalar). */
typedef accel_status (*ze_plan_bind_fn)(ze_plan *plan, const accel_plugin_ref *ops,
                                        accel_plugin_arg *args, ze_scalar *scratch);

struct ze_plan {
    accel_ze_device *dev;
    accel_op_desc desc;
    accel_ze_kernel *kernel; /* owned by the device's module cache */
    uint32_t grid[3], group[3];
    size_t nargs;
    /* The argument list with scalars filled at plan time; bind() fills the buffers per execute. */
    accel_plugin_arg args[ZE_MAX_ARGS];
    ze_scalar scalars[ZE_MAX_SCALARS];
    size_t nscalars;
    ze_plan_bind_fn bind;
};

static const int64_t ze_zero_offset = 0;

static void arg_buffer(ze_plan *p, size_t index) {
    p->args[index].kind = ACCEL_ARG_BUFFER;
    p->args[index].buffer.buffer = NULL;
    p->args[index].buffer.offset = 0;
}
/* Buffer followed by its element offset (always 0: the pointer already carries the offset). */
static void arg_buffer_offset(ze_plan *p, size_t index) {
    arg_buffer(p, index);
    p->args[index + 1] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &ze_zero_offset, sizeof(int64_t)};
}
static void arg_i32(ze_plan *p, size_t index, int64_t v) {
    ze_scalar *s = &p->scalars[p->nscalars++];
    s->i32 = (int32_t)v;
    p->args[index] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &s->i32, sizeof(int32_t)};
}
static void arg_i64(ze_plan *p, size_t index, int64_t v) {
    ze_scalar *s = &p->scalars[p->nscalars++];
    s->i64 = v;
    p->args[index] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &s->i64, sizeof(int64_t)};
}
static void arg_f32(ze_plan *p, size_t index, double v) {
    ze_scalar *s = &p->scalars[p->nscalars++];
    s->f32 = (float)v;
    p->args[index] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &s->f32, sizeof(float)};
}

/* Storage code of the .cl files: 0 f32, 1 f16 (vload_half: no cl_khr_fp16 needed), 2 bf16. */
static int storage_code(accel_ze_device *dev, accel_dtype t, const char *what) {
    switch (t) {
    case ACCEL_DTYPE_F32: return 0;
    case ACCEL_DTYPE_F16: return 1;
    case ACCEL_DTYPE_BF16: return 2;
    default:
        dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "level_zero: %s type %d: the OpenCL C kernels store f32, f16 or bf16 only",
                             what, (int)t);
        return -1;
    }
}

static size_t storage_bytes(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F64: return 8;
    case ACCEL_DTYPE_F32:
    case ACCEL_DTYPE_I32: return 4;
    case ACCEL_DTYPE_F16:
    case ACCEL_DTYPE_BF16: return 2;
    default: return 1;
    }
}

static accel_status plan_kernel(ze_plan *p, const char *image, const char *kernel) {
    return accel_ze_embedded_kernel(p->dev, image, kernel, &p->kernel);
}

/* The device must take the variant's fixed work-group and the grid. */
static accel_status plan_geometry(ze_plan *p, uint64_t gx, uint64_t gy, uint64_t gz, uint32_t lx,
                                  uint32_t ly, const char *what) {
    const ze_device_compute_properties_t *c = &p->dev->compute_props;
    if ((uint64_t)lx * ly > c->maxTotalGroupSize || lx > c->maxGroupSizeX || ly > c->maxGroupSizeY)
        return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                       "level_zero %s: work-group %ux%u exceeds the device's "
                                       "(max %u total, %ux%u); SPIR-V variants have fixed tiles",
                                       what, lx, ly, c->maxTotalGroupSize, c->maxGroupSizeX,
                                       c->maxGroupSizeY);
    if (gx == 0 || gy == 0 || gz == 0 || gx > c->maxGroupCountX || gy > c->maxGroupCountY ||
        gz > c->maxGroupCountZ)
        return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                       "level_zero %s: grid %llux%llux%llu groups exceeds the "
                                       "device's %ux%ux%u",
                                       what, (unsigned long long)gx, (unsigned long long)gy,
                                       (unsigned long long)gz, c->maxGroupCountX, c->maxGroupCountY,
                                       c->maxGroupCountZ);
    p->grid[0] = (uint32_t)gx;
    p->grid[1] = (uint32_t)gy;
    p->grid[2] = (uint32_t)gz;
    p->group[0] = lx;
    p->group[1] = ly;
    p->group[2] = 1;
    return ACCEL_OK;
}

static accel_status missing(ze_plan *p, const char *what) {
    return p->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "level_zero %s operand missing", what);
}

/* ---- GEMM: gemm.cl accel_gemm, 25 arguments ---- */

static accel_status gemm_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                              ze_scalar *scratch) {
    (void)scratch;
    const accel_gemm_desc *g = &p->desc.u.gemm;
    int bias = (g->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    if ((g->beta != 0.0 && !ops[2].buffer) || (bias && !ops[4].buffer)) return missing(p, "gemm: C or bias");
    args[3].buffer = ops[0];
    args[7].buffer = ops[1];
    args[11].buffer = g->beta != 0.0 ? ops[2] : (accel_plugin_ref){NULL, 0};
    args[15].buffer = ops[3];
    args[19].buffer = bias ? ops[4] : (accel_plugin_ref){NULL, 0};
    return ACCEL_OK;
}

static int64_t or_default(int64_t v, int64_t dflt) { return v ? v : dflt; }

static accel_status plan_gemm(ze_plan *p, accel_plugin_plan_info *info) {
    accel_ze_device *dev = p->dev;
    const accel_gemm_desc *g = &p->desc.u.gemm;
    if (g->compute == ACCEL_COMPUTE_TF32)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: TF32 needs the XMX path (Intel subgroup matrix "
                                    "extensions), not built yet; use f32");
    if (accel_dtype_is_fp8(g->a_type))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: fp8 GEMM is not implemented (our kernels read f32, f16 and "
                                    "bf16; OpenCL C has no fp8 type)");
    if (!accel_compute_is_fp32_on(g->compute, g->a_type))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: compute type %d with %d inputs is not offered (the "
                                    "kernels multiply and accumulate in fp32)",
                                    (int)g->compute, (int)g->a_type);
    if (g->a_type != g->b_type)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: A and B must share a storage type");
    accel_dtype bias_type = g->bias_type == ACCEL_DTYPE_INVALID ? g->d_type : g->bias_type;
    if (!(g->beta == 0.0 || g->c_type == ACCEL_DTYPE_INVALID || g->c_type == g->d_type) ||
        ((g->epilogue & ACCEL_EPILOGUE_BIAS) && bias_type != g->d_type))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: C and bias must have D's storage type");
    if (g->epilogue & ACCEL_EPILOGUE_RESIDUAL)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: GEMM has no residual epilogue (use beta * C)");
    if (g->m > INT_MAX || g->n > INT_MAX || g->k > INT_MAX)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: GEMM dimension above 2^31");
    int ab = storage_code(dev, g->a_type, "GEMM A/B"), cd = storage_code(dev, g->d_type, "GEMM D");
    if (ab < 0 || cd < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (!(ab == cd || cd == 0))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: no SPIR-V variant for AB_TYPE %d with CD_TYPE %d "
                                    "(built: same type, or f16/bf16 in with f32 out)", ab, cd);
    char image[64];
    snprintf(image, sizeof image, "gemm__t%d%d_ab%d_cd%d", g->trans_a ? 1 : 0, g->trans_b ? 1 : 0, ab, cd);
    accel_status st = plan_kernel(p, image, "accel_gemm");
    if (st != ACCEL_OK) return st;
    uint32_t r0 = ZE_TSN / ZE_WPTN, r1 = ZE_TSM / ZE_WPTM;
    int64_t batch = g->batch > 0 ? g->batch : 1;
    st = plan_geometry(p, (uint64_t)(g->n + ZE_TSN - 1) / ZE_TSN, (uint64_t)(g->m + ZE_TSM - 1) / ZE_TSM,
                       (uint64_t)batch, r0, r1, "gemm");
    if (st != ACCEL_OK) return st;

    int64_t lda = or_default(g->lda, g->trans_a ? g->m : g->k);
    int64_t ldb = or_default(g->ldb, g->trans_b ? g->k : g->n);
    int64_t ldc = or_default(g->ldc, g->n), ldd = or_default(g->ldd, g->n);
    int flags = (g->beta != 0.0 ? 1 : 0) | ((g->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_GELU_ERF) ? 8 : 0) |
                ((g->epilogue & ACCEL_EPILOGUE_GELU_TANH) ? 16 : 0);
    p->nargs = 25;
    arg_i32(p, 0, g->m);
    arg_i32(p, 1, g->n);
    arg_i32(p, 2, g->k);
    arg_buffer_offset(p, 3);
    arg_i64(p, 5, lda);
    arg_i64(p, 6, or_default(g->stride_a, (g->trans_a ? g->k : g->m) * lda));
    arg_buffer_offset(p, 7);
    arg_i64(p, 9, ldb);
    arg_i64(p, 10, or_default(g->stride_b, (g->trans_b ? g->n : g->k) * ldb));
    arg_buffer_offset(p, 11);
    arg_i64(p, 13, ldc);
    arg_i64(p, 14, or_default(g->stride_c, g->m * ldc));
    arg_buffer_offset(p, 15);
    arg_i64(p, 17, ldd);
    arg_i64(p, 18, or_default(g->stride_d, g->m * ldd));
    arg_buffer_offset(p, 19);
    arg_i64(p, 21, g->stride_bias);
    arg_f32(p, 22, g->alpha);
    arg_f32(p, 23, g->beta);
    arg_i32(p, 24, flags);
    p->bind = gemm_bind;
    snprintf(info->algorithm, sizeof info->algorithm,
             "gemm.cl SPIR-V %s tile %dx%dx%d wpt %dx%d wg %ux%u fp32-acc", image, ZE_TSM, ZE_TSN,
             ZE_TSK, ZE_WPTM, ZE_WPTN, r0, r1);
    return ACCEL_OK;
}

/* ---- conv2d: conv2d.cl accel_conv2d, 26 arguments ---- */

static accel_status conv_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                              ze_scalar *scratch) {
    (void)scratch;
    const accel_conv2d_desc *c = &p->desc.u.conv2d;
    if (((c->epilogue & ACCEL_EPILOGUE_BIAS) && !ops[2].buffer) ||
        ((c->epilogue & ACCEL_EPILOGUE_RESIDUAL) && !ops[3].buffer))
        return missing(p, "conv2d: bias or residual");
    for (int i = 0; i < 5; i++) args[2 * i].buffer = ops[i];
    return ACCEL_OK;
}

static accel_status plan_conv2d(ze_plan *p, accel_plugin_plan_info *info) {
    accel_ze_device *dev = p->dev;
    const accel_conv2d_desc *c = &p->desc.u.conv2d;
    if (c->groups > 1) return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero conv2d: groups > 1");
    if (c->x_type != c->w_type || c->x_type != c->y_type)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero conv2d: X, W and Y must share a storage type");
    if (c->compute == ACCEL_COMPUTE_TF32)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero conv2d: no TF32 compute");
    if (c->epilogue & (ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH))
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero conv2d: epilogue takes bias, residual and relu only");
    int dt = storage_code(dev, c->x_type, "conv2d");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    int64_t dh = c->dil_h ? c->dil_h : 1, dw = c->dil_w ? c->dil_w : 1;
    int64_t pp = (c->h + 2 * c->pad_h - dh * (c->r - 1) - 1) / c->stride_h + 1;
    int64_t q = (c->w + 2 * c->pad_w - dw * (c->s - 1) - 1) / c->stride_w + 1;
    int64_t pixels = c->n * pp * q;
    if (pixels > INT_MAX || c->c * c->r * c->s > INT_MAX || c->n * c->c * c->h * c->w > INT_MAX ||
        pixels * c->k > INT_MAX)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero conv2d: tensor above 2^31 elements");
    int nhwc = c->layout == ACCEL_LAYOUT_NHWC;
    int64_t rows = nhwc ? pixels : c->k, cols = nhwc ? c->k : pixels;
    char image[32];
    snprintf(image, sizeof image, "conv2d__l%d_dt%d", nhwc, dt);
    accel_status st = plan_kernel(p, image, "accel_conv2d");
    if (st != ACCEL_OK) return st;
    uint32_t r0 = ZE_TSN / ZE_WPTN, r1 = ZE_TSM / ZE_WPTM;
    st = plan_geometry(p, (uint64_t)(cols + ZE_TSN - 1) / ZE_TSN, (uint64_t)(rows + ZE_TSM - 1) / ZE_TSM, 1,
                       r0, r1, "conv2d");
    if (st != ACCEL_OK) return st;
    p->nargs = 26;
    for (size_t i = 0; i < 5; i++) arg_buffer_offset(p, 2 * i);
    const int64_t v[15] = {c->n, c->c, c->h, c->w, c->k, c->r, c->s, pp, q,
                           c->stride_h, c->stride_w, c->pad_h, c->pad_w, dh, dw};
    for (size_t i = 0; i < 15; i++) arg_i32(p, 10 + i, v[i]);
    arg_i32(p, 25, ((c->epilogue & ACCEL_EPILOGUE_BIAS) ? 2 : 0) | ((c->epilogue & ACCEL_EPILOGUE_RELU) ? 4 : 0) |
                       ((c->epilogue & ACCEL_EPILOGUE_RESIDUAL) ? 32 : 0));
    p->bind = conv_bind;
    snprintf(info->algorithm, sizeof info->algorithm,
             "conv2d.cl SPIR-V implicit-gemm %s tile %dx%dx%d wpt %dx%d fp32-acc", nhwc ? "nhwc" : "nchw",
             ZE_TSM, ZE_TSN, ZE_TSK, ZE_WPTM, ZE_WPTN);
    return ACCEL_OK;
}

/* ---- layernorm / softmax: one work-group per row; WG 64 for rows shorter than 256 ---- */

static uint32_t row_group(int64_t cols) { return cols >= 256 ? 256u : 64u; }

static accel_status layernorm_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                                   ze_scalar *scratch) {
    (void)scratch;
    if (p->desc.u.layernorm.has_residual && !ops[1].buffer) return missing(p, "layernorm: residual");
    for (int i = 0; i < 5; i++) args[3 + 2 * i].buffer = ops[i];
    if (!p->desc.u.layernorm.has_residual) args[5].buffer = (accel_plugin_ref){NULL, 0};
    return ACCEL_OK;
}

static accel_status plan_layernorm(ze_plan *p, accel_plugin_plan_info *info) {
    const accel_layernorm_desc *d = &p->desc.u.layernorm;
    int dt = storage_code(p->dev, d->dtype, "layernorm");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (d->cols > INT_MAX) return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero layernorm: cols above 2^31");
    uint32_t wg = row_group(d->cols);
    char image[32];
    snprintf(image, sizeof image, "layernorm__wg%u_dt%d", wg, dt);
    accel_status st = plan_kernel(p, image, "accel_layernorm");
    if (st == ACCEL_OK) st = plan_geometry(p, (uint64_t)d->rows, 1, 1, wg, 1, "layernorm");
    if (st != ACCEL_OK) return st;
    p->nargs = 13;
    arg_i32(p, 0, d->cols);
    arg_f32(p, 1, d->eps);
    arg_i32(p, 2, d->has_residual ? 1 : 0);
    for (size_t i = 0; i < 5; i++) arg_buffer_offset(p, 3 + 2 * i);
    p->bind = layernorm_bind;
    snprintf(info->algorithm, sizeof info->algorithm, "layernorm.cl SPIR-V row-per-group wg %u two-pass fp32", wg);
    return ACCEL_OK;
}

static accel_status softmax_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                                 ze_scalar *scratch) {
    if (ops[1].buffer && p->desc.u.softmax.rows_per_mask_row < 1)
        return p->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                       "level_zero softmax: a mask needs rows_per_mask_row >= 1");
    /* has_mask follows the operand, like the OpenCL backend. */
    scratch->i32 = ops[1].buffer != NULL;
    args[2] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &scratch->i32, sizeof(int32_t)};
    args[4].buffer = ops[0];
    args[6].buffer = ops[1];
    args[8].buffer = ops[2];
    return ACCEL_OK;
}

static accel_status plan_softmax(ze_plan *p, accel_plugin_plan_info *info) {
    const accel_softmax_desc *d = &p->desc.u.softmax;
    int dt = storage_code(p->dev, d->dtype, "softmax");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (d->cols > INT_MAX) return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero softmax: cols above 2^31");
    uint32_t wg = row_group(d->cols);
    char image[32];
    snprintf(image, sizeof image, "softmax__wg%u_dt%d", wg, dt);
    accel_status st = plan_kernel(p, image, "accel_softmax");
    if (st == ACCEL_OK) st = plan_geometry(p, (uint64_t)d->rows, 1, 1, wg, 1, "softmax");
    if (st != ACCEL_OK) return st;
    p->nargs = 10;
    arg_i32(p, 0, d->cols);
    arg_f32(p, 1, d->scale);
    arg_i32(p, 2, 0);
    arg_i64(p, 3, d->rows_per_mask_row > 0 ? d->rows_per_mask_row : 1);
    for (size_t i = 0; i < 3; i++) arg_buffer_offset(p, 4 + 2 * i);
    p->bind = softmax_bind;
    snprintf(info->algorithm, sizeof info->algorithm, "softmax.cl SPIR-V row-per-group wg %u fp32", wg);
    return ACCEL_OK;
}

/* ---- attention: attention.cl, one work-group per query row on a (seq, heads, batch) grid ---- */


static accel_status attention_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                                   ze_scalar *scratch) {
    scratch->i32 = ops[3].buffer != NULL; /* has_mask follows the operand */
    args[3] = (accel_plugin_arg){ACCEL_ARG_SCALAR, {NULL, 0}, &scratch->i32, sizeof(int32_t)};
    for (int i = 0; i < 5; i++) args[4 + 2 * i].buffer = ops[i];
    (void)p;
    return ACCEL_OK;
}

static accel_status plan_attention(ze_plan *p, accel_plugin_plan_info *info) {
    const accel_attention_desc *d = &p->desc.u.attention;
    int dt = storage_code(p->dev, d->dtype, "attention");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    if (!accel_compute_is_fp32_on(d->compute, d->dtype))
        return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                       "level_zero attention: compute type %d (the kernel computes in fp32)",
                                       (int)d->compute);
    if (d->seq > ACCEL_ATTENTION_MAX_SEQ || d->head_dim > ACCEL_ATTENTION_MAX_DIM)
        return p->dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                       "level_zero attention: seq %lld / head_dim %lld above the kernel's %d / %d "
                                       "(a row's scores sit in local memory)", (long long)d->seq,
                                       (long long)d->head_dim, ACCEL_ATTENTION_MAX_SEQ, ACCEL_ATTENTION_MAX_DIM);
    uint32_t wg = row_group(d->seq);
    char image[32];
    snprintf(image, sizeof image, "attention__wg%u_dt%d", wg, dt);
    accel_status st = plan_kernel(p, image, "accel_attention");
    if (st == ACCEL_OK)
        st = plan_geometry(p, (uint64_t)d->seq, (uint64_t)d->heads, (uint64_t)d->batch, wg, 1, "attention");
    if (st != ACCEL_OK) return st;
    p->nargs = 14;
    arg_i32(p, 0, d->seq);
    arg_i32(p, 1, d->head_dim);
    arg_f32(p, 2, d->scale);
    arg_i32(p, 3, 0);
    for (size_t i = 0; i < 5; i++) arg_buffer_offset(p, 4 + 2 * i);
    p->bind = attention_bind;
    snprintf(info->algorithm, sizeof info->algorithm,
             "attention.cl SPIR-V group-per-query-row wg %u, scores in local memory, fp32", wg);
    return ACCEL_OK;
}

/* ---- eltwise / permute: one work-item per element, groups of 256 ---- */

static int eltwise_binary(accel_eltwise_kind k) {
    return k == ACCEL_ELTWISE_ADD || k == ACCEL_ELTWISE_MUL || k == ACCEL_ELTWISE_BIAS_ADD;
}

static accel_status eltwise_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                                 ze_scalar *scratch) {
    (void)scratch;
    int binary = eltwise_binary(p->desc.u.eltwise.kind);
    if (binary && !ops[1].buffer) return missing(p, "eltwise: Z");
    args[5].buffer = ops[0];
    args[7].buffer = binary ? ops[1] : (accel_plugin_ref){NULL, 0};
    args[9].buffer = ops[2];
    return ACCEL_OK;
}

static accel_status plan_eltwise(ze_plan *p, accel_plugin_plan_info *info) {
    accel_ze_device *dev = p->dev;
    const accel_eltwise_desc *d = &p->desc.u.eltwise;
    if (d->kind < ACCEL_ELTWISE_COPY || d->kind > ACCEL_ELTWISE_BIAS_ADD)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero eltwise: kind %d", (int)d->kind);
    if (d->kind == ACCEL_ELTWISE_BIAS_ADD && d->cols <= 0)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "level_zero eltwise: bias add needs cols");
    int dt = storage_code(dev, d->dtype, "eltwise");
    if (dt < 0) return ACCEL_ERR_UNIMPLEMENTED;
    char image[32];
    snprintf(image, sizeof image, "eltwise__dt%d", dt);
    accel_status st = plan_kernel(p, image, "accel_eltwise");
    if (st == ACCEL_OK)
        st = plan_geometry(p, ((uint64_t)d->count + ZE_ELEMENTWISE_GROUP - 1) / ZE_ELEMENTWISE_GROUP, 1, 1,
                           ZE_ELEMENTWISE_GROUP, 1, "eltwise");
    if (st != ACCEL_OK) return st;
    p->nargs = 11;
    arg_i32(p, 0, d->kind);
    arg_i64(p, 1, d->count);
    arg_i64(p, 2, d->cols > 0 ? d->cols : 1);
    arg_f32(p, 3, d->alpha);
    arg_f32(p, 4, d->beta);
    for (size_t i = 0; i < 3; i++) arg_buffer_offset(p, 5 + 2 * i);
    p->bind = eltwise_bind;
    snprintf(info->algorithm, sizeof info->algorithm, "eltwise.cl SPIR-V wg %d", ZE_ELEMENTWISE_GROUP);
    return ACCEL_OK;
}

static accel_status permute_bind(ze_plan *p, const accel_plugin_ref *ops, accel_plugin_arg *args,
                                 ze_scalar *scratch) {
    (void)scratch;
    (void)p;
    args[14].buffer = ops[0];
    args[16].buffer = ops[1];
    return ACCEL_OK;
}

static accel_status plan_permute(ze_plan *p, accel_plugin_plan_info *info) {
    accel_ze_device *dev = p->dev;
    const accel_permute_desc *d = &p->desc.u.permute;
    size_t es = storage_bytes(d->dtype);
    if (es != 2 && es != 4 && es != 8)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero permute: element size %zu (2, 4 or 8 bytes only)", es);
    if (d->ndims < 1 || d->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "level_zero permute: ndims %d", d->ndims);
    int64_t in_stride[ACCEL_PERMUTE_MAX_DIMS], count = 1;
    for (int i = d->ndims - 1; i >= 0; i--) {
        in_stride[i] = count;
        count *= d->dims[i];
    }
    char image[32];
    snprintf(image, sizeof image, "permute__e%zu", es);
    accel_status st = plan_kernel(p, image, "accel_permute");
    if (st == ACCEL_OK)
        st = plan_geometry(p, ((uint64_t)count + ZE_ELEMENTWISE_GROUP - 1) / ZE_ELEMENTWISE_GROUP, 1, 1,
                           ZE_ELEMENTWISE_GROUP, 1, "permute");
    if (st != ACCEL_OK) return st;
    p->nargs = 18;
    arg_i64(p, 0, count);
    arg_i32(p, 1, d->ndims);
    for (int i = 0; i < 6; i++) {
        arg_i64(p, 2 + (size_t)i, i < d->ndims ? d->dims[d->perm[i]] : 1);
        arg_i64(p, 8 + (size_t)i, i < d->ndims ? in_stride[d->perm[i]] : 0);
    }
    arg_buffer_offset(p, 14);
    arg_buffer_offset(p, 16);
    p->bind = permute_bind;
    snprintf(info->algorithm, sizeof info->algorithm, "permute.cl SPIR-V %dd wg %d", d->ndims, ZE_ELEMENTWISE_GROUP);
    return ACCEL_OK;
}

accel_status accel_ze_op_plan_create(void *opaque_dev, const accel_op_desc *desc, void **out,
                                     accel_plugin_plan_info *info) {
    accel_ze_device *dev = opaque_dev;
    if (desc->library[0] && strcmp(desc->library, "accel") != 0)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: unknown op library \"%s\" (this device offers accel)",
                                    desc->library);
    ze_plan *p = calloc(1, sizeof *p);
    if (!p) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    p->dev = dev;
    p->desc = *desc;
    snprintf(info->library, sizeof info->library, "accel-level-zero");
    info->workspace_bytes = 0;
    accel_status st;
    switch (desc->kind) {
    case ACCEL_OP_GEMM: st = plan_gemm(p, info); break;
    case ACCEL_OP_CONV2D: st = plan_conv2d(p, info); break;
    case ACCEL_OP_LAYERNORM: st = plan_layernorm(p, info); break;
    case ACCEL_OP_SOFTMAX: st = plan_softmax(p, info); break;
    case ACCEL_OP_ELTWISE: st = plan_eltwise(p, info); break;
    case ACCEL_OP_PERMUTE: st = plan_permute(p, info); break;
    case ACCEL_OP_ATTENTION: st = plan_attention(p, info); break;
    default: st = dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "level_zero: op kind %d", (int)desc->kind); break;
    }
    if (st != ACCEL_OK) {
        free(p);
        return st;
    }
    *out = p;
    return ACCEL_OK;
}

void accel_ze_op_plan_destroy(void *plan) { free(plan); }

accel_status accel_ze_op_plan_execute(void *opaque, void *stream, const accel_plugin_ref *operands,
                                      size_t noperands, accel_plugin_ref workspace) {
    ze_plan *p = opaque;
    (void)noperands; /* the host checked the count for the op kind */
    (void)workspace; /* no plan asks for one */
    accel_plugin_arg args[ZE_MAX_ARGS];
    memcpy(args, p->args, p->nargs * sizeof args[0]);
    ze_scalar scratch;
    accel_status st = p->bind(p, operands, args, &scratch);
    if (st != ACCEL_OK) return st;
    return accel_ze_kernel_launch(stream, p->kernel, p->grid, p->group, args, p->nargs, 0);
}
