/* The training ops (accel/ops_train.h) in the HAL: names, operand counts, validation, which operands
 * each description uses and how many elements each spans. op_validate.c and dtype.c hand every kind
 * they do not know to these functions. */
#include <math.h>

#include "hal_internal.h"
#include "op_validate.h"

#define BAD(...) hal_error(ACCEL_ERR_INVALID_ARGUMENT, __VA_ARGS__)

static int mul_ok(int64_t a, int64_t b, int64_t *out) { return !__builtin_mul_overflow(a, b, out); }

static int float_type(accel_dtype t) {
    return t == ACCEL_DTYPE_F32 || t == ACCEL_DTYPE_F16 || t == ACCEL_DTYPE_BF16;
}

static accel_status rows_cols(const char *op, accel_dtype t, int64_t rows, int64_t cols) {
    int64_t n;
    if (!float_type(t)) return BAD("%s: dtype must be f32, f16 or bf16 (got %s)", op, accel_dtype_name(t));
    if (rows <= 0 || cols <= 0)
        return BAD("%s: rows and cols must be > 0 (got %lld, %lld)", op, (long long)rows, (long long)cols);
    if (!mul_ok(rows, cols, &n)) return BAD("%s: rows x cols overflows", op);
    return ACCEL_OK;
}

static accel_status validate_reduce(const accel_reduce_desc *r) {
    int64_t n;
    if (!float_type(r->x_type)) return BAD("reduce: x_type must be f32, f16 or bf16");
    if (r->y_type != ACCEL_DTYPE_F32 && r->y_type != r->x_type)
        return BAD("reduce: y_type must be f32 or x_type (got %s)", accel_dtype_name(r->y_type));
    if (r->outer <= 0 || r->channels <= 0 || r->inner <= 0)
        return BAD("reduce: outer, channels and inner must be > 0");
    if (!mul_ok(r->outer, r->channels, &n) || !mul_ok(n, r->inner, &n)) return BAD("reduce: size overflows");
    if (r->accumulate != 0 && r->accumulate != 1) return BAD("reduce: accumulate must be 0 or 1");
    return ACCEL_OK;
}

static accel_status validate_batchnorm(const char *op, const accel_batchnorm_desc *b) {
    int64_t n;
    if (b->layout != ACCEL_LAYOUT_NCHW && b->layout != ACCEL_LAYOUT_NHWC)
        return BAD("%s: unknown layout %d", op, (int)b->layout);
    if (!float_type(b->dtype)) return BAD("%s: dtype must be f32, f16 or bf16", op);
    if (b->n <= 0 || b->c <= 0 || b->h <= 0 || b->w <= 0) return BAD("%s: n, c, h, w must be > 0", op);
    if (!mul_ok(b->n, b->c, &n) || !mul_ok(n, b->h, &n) || !mul_ok(n, b->w, &n)) return BAD("%s: size overflows", op);
    if (b->n * b->h * b->w < 2) return BAD("%s: a batch of one value has no variance (n h w = 1)", op);
    if (!(b->eps > 0) || !isfinite(b->eps)) return BAD("%s: eps must be finite and > 0", op);
    if (!(b->momentum >= 0 && b->momentum <= 1)) return BAD("%s: momentum must be in [0, 1]", op);
    return ACCEL_OK;
}

/* The conv2d description of a backward op: the forward's, plain (no epilogue). */
static accel_status validate_conv_backward(const char *op, const accel_op_desc *d) {
    accel_op_desc fwd = *d;
    fwd.kind = ACCEL_OP_CONV2D;
    accel_status st = hal_op_validate(&fwd);
    if (st != ACCEL_OK) return st;
    if (d->u.conv2d.epilogue != ACCEL_EPILOGUE_NONE)
        return BAD("%s: epilogue must be none (bias gradients are a reduce, activations have backward "
                   "eltwise kinds)", op);
    return ACCEL_OK;
}

static accel_status validate_adamw(const accel_adamw_desc *a) {
    if (!float_type(a->grad_type)) return BAD("adamw: grad_type must be f32, f16 or bf16");
    if (a->model_type != ACCEL_DTYPE_INVALID && a->model_type != ACCEL_DTYPE_F16 && a->model_type != ACCEL_DTYPE_BF16)
        return BAD("adamw: model_type must be f16, bf16 or none (got %s)", accel_dtype_name(a->model_type));
    if (a->count <= 0) return BAD("adamw: count must be > 0");
    if (a->step < 1) return BAD("adamw: step must be >= 1 (the bias correction divides by 1 - beta^step)");
    if (!isfinite(a->lr) || !(a->lr >= 0)) return BAD("adamw: lr must be finite and >= 0");
    if (!(a->beta1 >= 0 && a->beta1 < 1) || !(a->beta2 >= 0 && a->beta2 < 1))
        return BAD("adamw: beta1 and beta2 must be in [0, 1)");
    if (!(a->eps > 0) || !isfinite(a->eps)) return BAD("adamw: eps must be finite and > 0");
    if (!isfinite(a->weight_decay) || !(a->weight_decay >= 0)) return BAD("adamw: weight_decay must be finite and >= 0");
    return ACCEL_OK;
}

static accel_status validate_amp_update(const accel_amp_update_desc *u) {
    if (!(u->growth_factor > 1) || !isfinite(u->growth_factor)) return BAD("amp_update_scale: growth_factor must be > 1");
    if (!(u->backoff_factor > 0 && u->backoff_factor < 1)) return BAD("amp_update_scale: backoff_factor must be in (0, 1)");
    if (u->growth_interval < 1) return BAD("amp_update_scale: growth_interval must be >= 1");
    return ACCEL_OK;
}

accel_status hal_train_op_validate(const accel_op_desc *d) {
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM_BACKWARD: {
        const accel_layernorm_backward_desc *l = &d->u.layernorm_backward;
        if (!(l->eps >= 0) || !isfinite(l->eps)) return BAD("layernorm_backward: eps must be finite and >= 0");
        if (l->accumulate != 0 && l->accumulate != 1) return BAD("layernorm_backward: accumulate must be 0 or 1");
        return rows_cols("layernorm_backward", l->dtype, l->rows, l->cols);
    }
    case ACCEL_OP_SOFTMAX_BACKWARD:
        if (!isfinite(d->u.softmax.scale)) return BAD("softmax_backward: scale must be finite");
        return rows_cols("softmax_backward", d->u.softmax.dtype, d->u.softmax.rows, d->u.softmax.cols);
    case ACCEL_OP_REDUCE: return validate_reduce(&d->u.reduce);
    case ACCEL_OP_BATCHNORM: return validate_batchnorm("batchnorm", &d->u.batchnorm);
    case ACCEL_OP_BATCHNORM_BACKWARD: return validate_batchnorm("batchnorm_backward", &d->u.batchnorm);
    case ACCEL_OP_CONV2D_BACKWARD_DATA: return validate_conv_backward("conv2d_backward_data", d);
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: return validate_conv_backward("conv2d_backward_weights", d);
    case ACCEL_OP_ADAMW: return validate_adamw(&d->u.adamw);
    case ACCEL_OP_AMP_SCALE:
        if (!float_type(d->u.amp_scale.dtype)) return BAD("amp_scale: dtype must be f32, f16 or bf16");
        if (d->u.amp_scale.count <= 0) return BAD("amp_scale: count must be > 0");
        if (d->u.amp_scale.invert != 0 && d->u.amp_scale.invert != 1) return BAD("amp_scale: invert must be 0 or 1");
        return ACCEL_OK;
    case ACCEL_OP_AMP_UPDATE_SCALE: return validate_amp_update(&d->u.amp_update);
    default: return BAD("op: unknown kind %d", (int)d->kind);
    }
}

operand_use hal_train_op_operand_use(const accel_op_desc *d, int i) {
    switch (d->kind) {
    case ACCEL_OP_ADAMW:
        if (i == 4) return d->u.adamw.model_type ? OPERAND_REQUIRED : OPERAND_REJECTED;
        if (i == 5) return OPERAND_OPTIONAL;
        return OPERAND_REQUIRED;
    case ACCEL_OP_AMP_SCALE: return i == 2 ? OPERAND_OPTIONAL : OPERAND_REQUIRED;
    case ACCEL_OP_AMP_UPDATE_SCALE: return i == 3 ? OPERAND_OPTIONAL : OPERAND_REQUIRED;
    default: return i < accel_op_operand_slots(d->kind) ? OPERAND_REQUIRED : OPERAND_UNUSED;
    }
}

/* Elements and type of operand i (desc already validated). */
int64_t hal_train_op_operand_elements(const accel_op_desc *d, int i, accel_dtype *type) {
    switch (d->kind) {
    case ACCEL_OP_LAYERNORM_BACKWARD: {
        const accel_layernorm_backward_desc *l = &d->u.layernorm_backward;
        *type = i >= 4 ? ACCEL_DTYPE_F32 : l->dtype;
        return (i == 1 || i >= 4) ? l->cols : l->rows * l->cols;
    }
    case ACCEL_OP_SOFTMAX_BACKWARD:
        *type = d->u.softmax.dtype;
        return d->u.softmax.rows * d->u.softmax.cols;
    case ACCEL_OP_REDUCE: {
        const accel_reduce_desc *r = &d->u.reduce;
        *type = i == 0 ? r->x_type : r->y_type;
        return i == 0 ? r->outer * r->channels * r->inner : r->channels;
    }
    case ACCEL_OP_BATCHNORM:
    case ACCEL_OP_BATCHNORM_BACKWARD: {
        const accel_batchnorm_desc *b = &d->u.batchnorm;
        /* tensors: BATCHNORM 0 X, 3 Y; BACKWARD 0 X, 2 dY, 5 dX. The rest are per-channel fp32. */
        const int tensor = d->kind == ACCEL_OP_BATCHNORM ? (i == 0 || i == 3) : (i == 0 || i == 2 || i == 5);
        *type = tensor ? b->dtype : ACCEL_DTYPE_F32;
        return tensor ? b->n * b->c * b->h * b->w : b->c;
    }
    case ACCEL_OP_CONV2D_BACKWARD_DATA:
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: {
        const accel_conv2d_desc *c = &d->u.conv2d;
        int64_t p, q;
        accel_conv2d_out_hw(c, &p, &q);
        const int64_t x = c->n * c->c * c->h * c->w, w = c->k * c->c * c->r * c->s, y = c->n * c->k * p * q;
        /* DATA: dY, W, dX;  WEIGHTS: X, dY, dW */
        const int is_data = d->kind == ACCEL_OP_CONV2D_BACKWARD_DATA;
        const int which = is_data ? (i == 0 ? 'y' : i == 1 ? 'w' : 'x') : (i == 0 ? 'x' : i == 1 ? 'y' : 'w');
        *type = which == 'x' ? c->x_type : which == 'w' ? c->w_type : c->y_type;
        return which == 'x' ? x : which == 'w' ? w : y;
    }
    case ACCEL_OP_ADAMW: {
        const accel_adamw_desc *a = &d->u.adamw;
        *type = i == 1 ? a->grad_type : i == 4 ? a->model_type : i == 5 ? ACCEL_DTYPE_I32 : ACCEL_DTYPE_F32;
        return i == 5 ? 1 : a->count;
    }
    case ACCEL_OP_AMP_SCALE:
        *type = i == 0 ? d->u.amp_scale.dtype : i == 1 ? ACCEL_DTYPE_F32 : ACCEL_DTYPE_I32;
        return i == 0 ? d->u.amp_scale.count : 1;
    case ACCEL_OP_AMP_UPDATE_SCALE:
        *type = i == 0 ? ACCEL_DTYPE_F32 : ACCEL_DTYPE_I32;
        return 1;
    default: *type = ACCEL_DTYPE_INVALID; return 0;
    }
}
