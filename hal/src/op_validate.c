/* Generic validation of op descriptions and operand extents, done once in the HAL so no plugin
 * sees zero, negative, overflowing or self-contradictory sizes. */
#include <math.h>
#include <string.h>

#include "hal_internal.h"
#include "op_validate.h"

#define BAD(...) hal_error(ACCEL_ERR_INVALID_ARGUMENT, __VA_ARGS__)

/* a*b and a+b on non-negative int64 with overflow detection; 0 on overflow. */
static int mul_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }
static int add_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_add_overflow(a, b, out); }

static int dtype_ok(accel_dtype t) { return accel_dtype_size(t) != 0; }

/* Elements spanned by a batch of rows x cols matrices with leading dimension ld and batch stride. */
static int matrix_span(int64_t rows, int64_t cols, int64_t ld, int64_t batch, int64_t stride,
                       int64_t *out) {
    int64_t last_row, one, before_last, total;
    if (!mul_ok(rows - 1, ld, &last_row) || !add_ok(last_row, cols, &one)) return 0;
    if (!mul_ok(batch - 1, stride, &before_last) || !add_ok(before_last, one, &total)) return 0;
    *out = total;
    return 1;
}

static void gemm_geometry(const accel_gemm_desc *g, int operand, int64_t *rows, int64_t *cols,
                          int64_t *ld, int64_t *stride) {
    switch (operand) {
    case 0: *rows = g->trans_a ? g->k : g->m; *cols = g->trans_a ? g->m : g->k;
            *ld = g->lda; *stride = g->stride_a; break;
    case 1: *rows = g->trans_b ? g->n : g->k; *cols = g->trans_b ? g->k : g->n;
            *ld = g->ldb; *stride = g->stride_b; break;
    case 2: *rows = g->m; *cols = g->n; *ld = g->ldc; *stride = g->stride_c; break;
    default: *rows = g->m; *cols = g->n; *ld = g->ldd; *stride = g->stride_d; break;
    }
    if (*ld == 0) *ld = *cols;
    if (*stride == 0) *stride = *rows * *ld; /* overflow checked in validate_gemm first */
}

static accel_dtype gemm_type(const accel_gemm_desc *g, int operand) {
    switch (operand) {
    case 0: return g->a_type;
    case 1: return g->b_type;
    case 2: return g->c_type;
    case 3: return g->d_type;
    case 4: return g->bias_type ? g->bias_type : g->d_type;
    default: return ACCEL_DTYPE_F32; /* the fp8 scales */
    }
}

static int is_wide_float(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 || t == ACCEL_DTYPE_F16 || t == ACCEL_DTYPE_BF16;
}

/* fp8 is an input format here: both inputs fp8, everything they produce in a wider float. */
static accel_status validate_gemm_fp8(const accel_gemm_desc *g) {
    if (!accel_dtype_is_fp8(g->a_type) && !accel_dtype_is_fp8(g->b_type)) {
        if (accel_dtype_is_fp8(g->c_type) || accel_dtype_is_fp8(g->d_type) || accel_dtype_is_fp8(g->bias_type))
            return BAD("gemm: fp8 is defined for A and B only (C, D and bias need f32, f16 or bf16)");
        return ACCEL_OK;
    }
    if (!accel_dtype_is_fp8(g->a_type) || !accel_dtype_is_fp8(g->b_type))
        return BAD("gemm: fp8 needs both A and B in fp8 (A %s, B %s)", accel_dtype_name(g->a_type),
                   accel_dtype_name(g->b_type));
    if (!is_wide_float(g->d_type) || (g->beta != 0 && !is_wide_float(g->c_type)) ||
        (g->bias_type && !is_wide_float(g->bias_type)))
        return BAD("gemm: with fp8 inputs, C, D and bias must be f32, f16 or bf16 (fp8 outputs need an "
                   "output scale and amax, not defined yet)");
    if (g->compute != ACCEL_COMPUTE_DEFAULT && g->compute != ACCEL_COMPUTE_F32)
        return BAD("gemm: fp8 inputs take compute F32 (or DEFAULT), not %s",
                   accel_compute_type_name(g->compute));
    return ACCEL_OK;
}

static int activation_count(uint32_t e) {
    return !!(e & ACCEL_EPILOGUE_RELU) + !!(e & ACCEL_EPILOGUE_GELU_ERF) +
           !!(e & ACCEL_EPILOGUE_GELU_TANH);
}

static accel_status validate_gemm(const accel_gemm_desc *g) {
    if (!dtype_ok(g->a_type) || !dtype_ok(g->b_type) || !dtype_ok(g->d_type))
        return BAD("gemm: a_type, b_type and d_type must be valid dtypes");
    if (g->beta != 0 && !dtype_ok(g->c_type))
        return BAD("gemm: beta is %g but c_type is not a valid dtype", g->beta);
    if (g->bias_type && !dtype_ok(g->bias_type)) return BAD("gemm: invalid bias_type");
    accel_status fp8 = validate_gemm_fp8(g);
    if (fp8 != ACCEL_OK) return fp8;
    if ((unsigned)g->compute >= ACCEL_COMPUTE_COUNT_)
        return BAD("gemm: unknown compute type %d", (int)g->compute);
    if (g->scale_type && g->scale_type != ACCEL_DTYPE_F32 && g->scale_type != ACCEL_DTYPE_F64 &&
        g->scale_type != ACCEL_DTYPE_F16 && g->scale_type != ACCEL_DTYPE_BF16)
        return BAD("gemm: unsupported scale_type %s", accel_dtype_name(g->scale_type));
    if (g->m <= 0 || g->n <= 0 || g->k <= 0)
        return BAD("gemm: m, n, k must be > 0 (got %lld, %lld, %lld)", (long long)g->m,
                   (long long)g->n, (long long)g->k);
    if (g->batch <= 0) return BAD("gemm: batch must be >= 1 (got %lld)", (long long)g->batch);
    if ((g->trans_a != 0 && g->trans_a != 1) || (g->trans_b != 0 && g->trans_b != 1))
        return BAD("gemm: trans_a and trans_b must be 0 or 1");
    if (!isfinite(g->alpha) || !isfinite(g->beta)) return BAD("gemm: alpha and beta must be finite");
    const uint32_t known = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_GELU_ERF |
                           ACCEL_EPILOGUE_GELU_TANH;
    if (g->epilogue & ~known) return BAD("gemm: unknown epilogue bits 0x%x", g->epilogue & ~known);
    if (activation_count(g->epilogue) > 1) return BAD("gemm: at most one activation epilogue");
    const char *names[4] = {"A", "B", "C", "D"};
    const int64_t lds[4] = {g->lda, g->ldb, g->ldc, g->ldd};
    const int64_t strides[4] = {g->stride_a, g->stride_b, g->stride_c, g->stride_d};
    for (int op = 0; op < 4; ++op) {
        if (op == 2 && g->beta == 0) continue;
        int64_t rows = op == 0 ? (g->trans_a ? g->k : g->m) : op == 1 ? (g->trans_b ? g->n : g->k) : g->m;
        int64_t cols = op == 0 ? (g->trans_a ? g->m : g->k) : op == 1 ? (g->trans_b ? g->k : g->n) : g->n;
        int64_t ld = lds[op] ? lds[op] : cols, packed;
        if (lds[op] < 0 || ld < cols)
            return BAD("gemm: ld%c = %lld is smaller than the %lld columns of %s as stored",
                       "abcd"[op], (long long)lds[op], (long long)cols, names[op]);
        if (strides[op] < 0) return BAD("gemm: negative batch stride for %s", names[op]);
        if (!mul_ok(rows, ld, &packed)) return BAD("gemm: %s is too large (size overflows)", names[op]);
        if (g->batch > 1 && strides[op] != 0 && strides[op] < packed && op == 3)
            return BAD("gemm: stride_d %lld makes batches of D overlap (needs >= %lld)",
                       (long long)strides[op], (long long)packed);
        int64_t span;
        if (!matrix_span(rows, cols, ld, g->batch, strides[op] ? strides[op] : packed, &span))
            return BAD("gemm: %s is too large (size overflows)", names[op]);
    }
    int64_t bias_span;
    if (g->stride_bias < 0) return BAD("gemm: negative stride_bias");
    if (!mul_ok(g->batch - 1, g->stride_bias, &bias_span) || !add_ok(bias_span, g->n, &bias_span))
        return BAD("gemm: bias size overflows");
    return ACCEL_OK;
}

static accel_status validate_conv(const accel_conv2d_desc *c) {
    if (c->layout != ACCEL_LAYOUT_NCHW && c->layout != ACCEL_LAYOUT_NHWC)
        return BAD("conv2d: unknown layout %d", (int)c->layout);
    if (!dtype_ok(c->x_type) || !dtype_ok(c->w_type) || !dtype_ok(c->y_type))
        return BAD("conv2d: x_type, w_type and y_type must be valid dtypes");
    if ((unsigned)c->compute >= ACCEL_COMPUTE_COUNT_) return BAD("conv2d: unknown compute type");
    if (c->n <= 0 || c->c <= 0 || c->h <= 0 || c->w <= 0 || c->k <= 0 || c->r <= 0 || c->s <= 0)
        return BAD("conv2d: n, c, h, w, k, r, s must all be > 0");
    if (c->stride_h <= 0 || c->stride_w <= 0) return BAD("conv2d: strides must be >= 1");
    if (c->pad_h < 0 || c->pad_w < 0 || c->dil_h < 0 || c->dil_w < 0)
        return BAD("conv2d: padding and dilation must be >= 0");
    if (c->groups != 0 && c->groups != 1) return BAD("conv2d: only groups = 1 is defined");
    const uint32_t known = ACCEL_EPILOGUE_BIAS | ACCEL_EPILOGUE_RESIDUAL | ACCEL_EPILOGUE_RELU;
    if (c->epilogue & ~known)
        return BAD("conv2d: epilogue bits 0x%x are not defined for conv2d", c->epilogue & ~known);
    int64_t p, q;
    if (!accel_conv2d_out_hw(c, &p, &q)) return BAD("conv2d: sizes overflow");
    if (p <= 0 || q <= 0)
        return BAD("conv2d: the %lldx%lld kernel does not fit the padded %lldx%lld input",
                   (long long)c->r, (long long)c->s, (long long)c->h, (long long)c->w);
    int64_t t;
    if (!mul_ok(c->n, c->c, &t) || !mul_ok(t, c->h, &t) || !mul_ok(t, c->w, &t) ||
        !mul_ok(c->n, c->k, &t) || !mul_ok(t, p, &t) || !mul_ok(t, q, &t) ||
        !mul_ok(c->k, c->c, &t) || !mul_ok(t, c->r, &t) || !mul_ok(t, c->s, &t))
        return BAD("conv2d: tensor sizes overflow");
    return ACCEL_OK;
}

static accel_status validate_rows_cols(const char *op, accel_dtype t, int64_t rows, int64_t cols) {
    int64_t n;
    if (!dtype_ok(t)) return BAD("%s: invalid dtype", op);
    if (rows <= 0 || cols <= 0)
        return BAD("%s: rows and cols must be > 0 (got %lld, %lld)", op, (long long)rows,
                   (long long)cols);
    if (!mul_ok(rows, cols, &n)) return BAD("%s: rows x cols overflows", op);
    return ACCEL_OK;
}

static accel_status validate_eltwise(const accel_eltwise_desc *e) {
    if (e->kind < ACCEL_ELTWISE_COPY || e->kind > ACCEL_ELTWISE_GELU_TANH_BACKWARD)
        return BAD("eltwise: unknown kind %d", (int)e->kind);
    if (!dtype_ok(e->dtype)) return BAD("eltwise: invalid dtype");
    if (e->count <= 0) return BAD("eltwise: count must be > 0 (got %lld)", (long long)e->count);
    if (e->kind == ACCEL_ELTWISE_BIAS_ADD && (e->cols <= 0 || e->count % e->cols))
        return BAD("eltwise: bias_add needs cols > 0 dividing count (count %lld, cols %lld)",
                   (long long)e->count, (long long)e->cols);
    if (!isfinite(e->alpha) || !isfinite(e->beta)) return BAD("eltwise: alpha and beta must be finite");
    return ACCEL_OK;
}

static accel_status validate_permute(const accel_permute_desc *p) {
    if (!dtype_ok(p->dtype)) return BAD("permute: invalid dtype");
    if (p->ndims < 1 || p->ndims > ACCEL_PERMUTE_MAX_DIMS)
        return BAD("permute: ndims must be 1..%d (got %d)", ACCEL_PERMUTE_MAX_DIMS, p->ndims);
    int seen[ACCEL_PERMUTE_MAX_DIMS] = {0};
    int64_t total = 1;
    for (int i = 0; i < p->ndims; ++i) {
        if (p->dims[i] <= 0) return BAD("permute: dims[%d] must be > 0", i);
        if (!mul_ok(total, p->dims[i], &total)) return BAD("permute: size overflows");
        if (p->perm[i] < 0 || p->perm[i] >= p->ndims || seen[p->perm[i]]++)
            return BAD("permute: perm is not a permutation of 0..%d", p->ndims - 1);
    }
    return ACCEL_OK;
}

static accel_status validate_attention(const accel_attention_desc *a) {
    int64_t t;
    if (!dtype_ok(a->dtype)) return BAD("attention: invalid dtype");
    if (a->batch <= 0 || a->heads <= 0 || a->seq <= 0 || a->head_dim <= 0)
        return BAD("attention: batch, heads, seq and head_dim must be > 0");
    if (!mul_ok(a->batch, a->heads, &t) || !mul_ok(t, a->seq, &t) || !mul_ok(t, a->seq, &t) ||
        !mul_ok(a->batch, a->heads, &t) || !mul_ok(t, a->seq, &t) || !mul_ok(t, a->head_dim, &t))
        return BAD("attention: sizes overflow");
    if (!isfinite(a->scale)) return BAD("attention: scale must be finite");
    if (a->causal != 0 && a->causal != 1) return BAD("attention: causal must be 0 or 1, not %d", a->causal);
    return ACCEL_OK;
}

accel_status hal_op_validate(const accel_op_desc *d) {
    if (memchr(d->library, '\0', sizeof d->library) == NULL)
        return BAD("op: library name is not NUL-terminated within %zu bytes", sizeof d->library);
    switch (d->kind) {
    case ACCEL_OP_GEMM: return validate_gemm(&d->u.gemm);
    case ACCEL_OP_CONV2D: return validate_conv(&d->u.conv2d);
    case ACCEL_OP_LAYERNORM:
        if (!(d->u.layernorm.eps >= 0) || !isfinite(d->u.layernorm.eps))
            return BAD("layernorm: eps must be finite and >= 0");
        return validate_rows_cols("layernorm", d->u.layernorm.dtype, d->u.layernorm.rows,
                                  d->u.layernorm.cols);
    case ACCEL_OP_SOFTMAX:
        if (!isfinite(d->u.softmax.scale)) return BAD("softmax: scale must be finite");
        if (d->u.softmax.rows_per_mask_row < 0) return BAD("softmax: rows_per_mask_row < 0");
        if (d->u.softmax.rows_per_mask_row > 0 &&
            d->u.softmax.rows % d->u.softmax.rows_per_mask_row)
            return BAD("softmax: rows_per_mask_row %lld does not divide rows %lld",
                       (long long)d->u.softmax.rows_per_mask_row, (long long)d->u.softmax.rows);
        return validate_rows_cols("softmax", d->u.softmax.dtype, d->u.softmax.rows,
                                  d->u.softmax.cols);
    case ACCEL_OP_ELTWISE: return validate_eltwise(&d->u.eltwise);
    case ACCEL_OP_PERMUTE: return validate_permute(&d->u.permute);
    case ACCEL_OP_ATTENTION: return validate_attention(&d->u.attention);
    case ACCEL_OP_RMSNORM:
        if (!(d->u.rmsnorm.eps >= 0) || !isfinite(d->u.rmsnorm.eps))
            return BAD("rmsnorm: eps must be finite and >= 0");
        return validate_rows_cols("rmsnorm", d->u.rmsnorm.dtype, d->u.rmsnorm.rows, d->u.rmsnorm.cols);
    default: return hal_train_op_validate(d);
    }
}

operand_use hal_op_operand_use(const accel_op_desc *d, int i) {
    switch (d->kind) {
    case ACCEL_OP_GEMM:
        if (i == 2) return d->u.gemm.beta != 0 ? OPERAND_REQUIRED : OPERAND_UNUSED;
        if (i == 4) return d->u.gemm.epilogue & ACCEL_EPILOGUE_BIAS ? OPERAND_REQUIRED : OPERAND_UNUSED;
        if (i == 5) return accel_dtype_is_fp8(d->u.gemm.a_type) ? OPERAND_OPTIONAL : OPERAND_REJECTED;
        if (i == 6) return accel_dtype_is_fp8(d->u.gemm.b_type) ? OPERAND_OPTIONAL : OPERAND_REJECTED;
        return OPERAND_REQUIRED;
    case ACCEL_OP_CONV2D:
        if (i == 2) return d->u.conv2d.epilogue & ACCEL_EPILOGUE_BIAS ? OPERAND_REQUIRED : OPERAND_UNUSED;
        if (i == 3)
            return d->u.conv2d.epilogue & ACCEL_EPILOGUE_RESIDUAL ? OPERAND_REQUIRED : OPERAND_UNUSED;
        return OPERAND_REQUIRED;
    case ACCEL_OP_LAYERNORM:
        if (i == 1) return d->u.layernorm.has_residual ? OPERAND_REQUIRED : OPERAND_UNUSED;
        return OPERAND_REQUIRED;
    case ACCEL_OP_SOFTMAX:
        if (i == 1) return d->u.softmax.rows_per_mask_row > 0 ? OPERAND_OPTIONAL : OPERAND_UNUSED;
        return OPERAND_REQUIRED;
    case ACCEL_OP_ELTWISE:
        if (i == 1) {
            accel_eltwise_kind k = d->u.eltwise.kind;
            return k == ACCEL_ELTWISE_ADD || k == ACCEL_ELTWISE_MUL || k == ACCEL_ELTWISE_BIAS_ADD ||
                           k >= ACCEL_ELTWISE_RELU_BACKWARD
                       ? OPERAND_REQUIRED
                       : OPERAND_UNUSED;
        }
        return OPERAND_REQUIRED;
    case ACCEL_OP_PERMUTE: return OPERAND_REQUIRED;
    case ACCEL_OP_ATTENTION: return i == 3 ? OPERAND_OPTIONAL : OPERAND_REQUIRED;
    case ACCEL_OP_RMSNORM: return OPERAND_REQUIRED;
    default: return hal_train_op_operand_use(d, i);
    }
}

/* Elements of operand i (desc already validated). */
static int64_t operand_elements(const accel_op_desc *d, int i, accel_dtype *type) {
    switch (d->kind) {
    case ACCEL_OP_GEMM: {
        const accel_gemm_desc *g = &d->u.gemm;
        *type = gemm_type(g, i);
        if (i == 4) return (g->batch - 1) * g->stride_bias + g->n;
        if (i >= 5) return 1;
        int64_t rows, cols, ld, stride, span = 0;
        gemm_geometry(g, i, &rows, &cols, &ld, &stride);
        matrix_span(rows, cols, ld, g->batch, stride, &span);
        return span;
    }
    case ACCEL_OP_CONV2D: {
        const accel_conv2d_desc *c = &d->u.conv2d;
        int64_t p, q;
        accel_conv2d_out_hw(c, &p, &q);
        *type = i == 0 ? c->x_type : i == 1 ? c->w_type : c->y_type;
        if (i == 0) return c->n * c->c * c->h * c->w;
        if (i == 1) return c->k * c->c * c->r * c->s;
        if (i == 2) return c->k;
        return c->n * c->k * p * q;
    }
    case ACCEL_OP_LAYERNORM: {
        const accel_layernorm_desc *l = &d->u.layernorm;
        *type = l->dtype;
        return (i == 2 || i == 3) ? l->cols : l->rows * l->cols;
    }
    case ACCEL_OP_RMSNORM: {
        const accel_rmsnorm_desc *l = &d->u.rmsnorm;
        *type = l->dtype;
        return i == 1 ? l->cols : l->rows * l->cols;
    }
    case ACCEL_OP_SOFTMAX: {
        const accel_softmax_desc *s = &d->u.softmax;
        if (i == 1) {
            *type = ACCEL_DTYPE_F32;
            return s->rows / s->rows_per_mask_row * s->cols;
        }
        *type = s->dtype;
        return s->rows * s->cols;
    }
    case ACCEL_OP_ELTWISE: {
        const accel_eltwise_desc *e = &d->u.eltwise;
        *type = e->dtype;
        return (i == 1 && e->kind == ACCEL_ELTWISE_BIAS_ADD) ? e->cols : e->count;
    }
    case ACCEL_OP_PERMUTE: {
        int64_t n = 1;
        for (int k = 0; k < d->u.permute.ndims; ++k) n *= d->u.permute.dims[k];
        *type = d->u.permute.dtype;
        return n;
    }
    case ACCEL_OP_ATTENTION: {
        const accel_attention_desc *a = &d->u.attention;
        if (i == 3) {
            *type = ACCEL_DTYPE_F32;
            return a->batch * a->seq;
        }
        *type = a->dtype;
        return a->batch * a->heads * a->seq * a->head_dim;
    }
    default: return hal_train_op_operand_elements(d, i, type);
    }
}

ACCEL_API accel_status accel_op_operand_bytes(const accel_op_desc *desc, int operand,
                                              size_t *out_bytes) {
    HAL_CHECK_OUT(out_bytes);
    *out_bytes = 0;
    if (!desc) return BAD("accel_op_operand_bytes: desc is NULL");
    accel_status st = hal_op_validate(desc);
    if (st != ACCEL_OK) return st;
    if (operand < 0 || operand >= accel_op_operand_count(desc->kind))
        return BAD("accel_op_operand_bytes: %s has no operand %d", accel_op_kind_name(desc->kind),
                   operand);
    operand_use use = hal_op_operand_use(desc, operand);
    if (use == OPERAND_UNUSED || use == OPERAND_REJECTED) return ACCEL_OK;
    accel_dtype t;
    int64_t n = operand_elements(desc, operand, &t), bytes;
    if (!mul_ok(n, (int64_t)accel_dtype_size(t), &bytes)) return BAD("operand size overflows");
    *out_bytes = (size_t)bytes;
    return ACCEL_OK;
}
