/* Pieces every op body shares: accumulator types, precision, epilogues, row softmax, dispatch. */
#include <stdio.h>
#include <string.h>

#include "pjrt_ops.h"

pjrt_element_type pj_accumulator(accel_dtype t) { return t == ACCEL_DTYPE_F64 ? PJRT_ELEM_F64 : PJRT_ELEM_F32; }

int pj_float_ok(accel_dtype t, const char *platform, const char *op, char *why, size_t n) {
    if (t == ACCEL_DTYPE_F32 || t == ACCEL_DTYPE_F16 || t == ACCEL_DTYPE_BF16) return 1;
    if (t == ACCEL_DTYPE_F64 && strcmp(platform, "tpu") != 0) return 1;
    snprintf(why, n, "pjrt: %s in %s is not offered%s", op, accel_dtype_label(t),
             t == ACCEL_DTYPE_F64 ? " (TPUs have no fp64)" : "");
    return 0;
}

int pj_compute_precision(accel_compute_type c, accel_dtype t, const char **precision) {
    /* HIGHEST: full fp32 products (TPUs emulate them in several bf16 passes); HIGH: TF32 on GPUs,
     * three bf16 passes on TPUs, both at least TF32's accuracy; DEFAULT: the inputs' own precision,
     * exact for 16-bit and fp8 inputs whose products XLA accumulates in fp32. */
    if (t == ACCEL_DTYPE_F32 && c == ACCEL_COMPUTE_TF32) {
        *precision = "HIGH";
        return 1;
    }
    if (t == ACCEL_DTYPE_F64) {
        *precision = "HIGHEST";
        return c == ACCEL_COMPUTE_DEFAULT || c == ACCEL_COMPUTE_F64;
    }
    if (accel_dtype_is_fp8(t)) {
        *precision = "DEFAULT";
        return c == ACCEL_COMPUTE_DEFAULT || c == ACCEL_COMPUTE_F32;
    }
    *precision = t == ACCEL_DTYPE_F32 ? "HIGHEST" : "DEFAULT";
    return accel_compute_is_fp32_on(c, t);
}

pj_val pj_scale(pj_text *t, const pj_val *x, double v) {
    if (v == 1.0) return *x;
    pj_val c = pj_splat_like(t, x, v);
    return pj_binary(t, "multiply", x, &c);
}

pj_val pj_activation(pj_text *t, const pj_val *x, uint32_t e) {
    if (e & ACCEL_EPILOGUE_RELU) {
        pj_val zero = pj_splat_like(t, x, 0.0);
        return pj_binary(t, "maximum", x, &zero);
    }
    if (!(e & (ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH))) return *x;
    pj_val inner;
    if (e & ACCEL_EPILOGUE_GELU_ERF) { /* 0.5 x (1 + erf(x / sqrt 2)) */
        pj_val s = pj_scale(t, x, 0.70710678118654752440);
        inner = pj_unary(t, "erf", &s);
    } else { /* 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) */
        pj_val x2 = pj_binary(t, "multiply", x, x);
        pj_val x3 = pj_binary(t, "multiply", &x2, x);
        pj_val c3 = pj_scale(t, &x3, 0.044715);
        pj_val sum = pj_binary(t, "add", x, &c3);
        pj_val arg = pj_scale(t, &sum, 0.79788456080286535588);
        inner = pj_unary(t, "tanh", &arg);
    }
    pj_val one = pj_splat_like(t, x, 1.0);
    pj_val onep = pj_binary(t, "add", &one, &inner);
    pj_val half = pj_scale(t, x, 0.5);
    return pj_binary(t, "multiply", &half, &onep);
}

pj_val pj_softmax_rows(pj_text *t, const pj_val *x) {
    const int64_t last[1] = {1}, first[1] = {0};
    pj_val max = pj_reduce(t, x, "maximum", 1, last);
    pj_val maxb = pj_broadcast(t, &max, 2, x->shape.dims, first);
    pj_val shifted = pj_binary(t, "subtract", x, &maxb);
    pj_val e = pj_unary(t, "exponential", &shifted);
    pj_val sum = pj_reduce(t, &e, "add", 1, last);
    pj_val sumb = pj_broadcast(t, &sum, 2, x->shape.dims, first);
    return pj_binary(t, "divide", &e, &sumb);
}

void pj_spec_set(pj_op_spec *s, int i, int optional, pjrt_element_type type, int rank, const int64_t *dims) {
    s->operand[i].used = 1;
    s->operand[i].optional = optional;
    s->operand[i].shape = pj_shape_make(type, rank, dims);
}

accel_status pj_op_describe(const accel_op_desc *d, const char *platform, pj_op_spec *spec, char *why,
                            size_t why_len) {
    memset(spec, 0, sizeof *spec);
    spec->noperands = accel_op_operand_slots(d->kind);
    if (accel_op_is_row_wise(d->kind)) return pj_rows_describe(d, platform, spec, why, why_len);
    switch (d->kind) {
    case ACCEL_OP_GEMM: return pj_gemm_describe(&d->u.gemm, platform, spec, why, why_len);
    case ACCEL_OP_CONV2D: return pj_conv_describe(&d->u.conv2d, platform, spec, why, why_len);
    case ACCEL_OP_ELTWISE:
    case ACCEL_OP_PERMUTE: return pj_elem_describe(d, platform, spec, why, why_len);
    case ACCEL_OP_ATTENTION: return pj_attention_describe(&d->u.attention, platform, spec, why, why_len);
    default:
        snprintf(why, why_len, "pjrt: op %s is not offered", accel_op_kind_label(d->kind));
        return ACCEL_ERR_UNIMPLEMENTED;
    }
}

pj_val pj_op_emit(pj_text *t, const accel_op_desc *d, const pj_op_spec *spec, const pj_val *const *in) {
    if (accel_op_is_row_wise(d->kind)) return pj_rows_emit(t, d, in);
    switch (d->kind) {
    case ACCEL_OP_GEMM: return pj_gemm_emit(t, &d->u.gemm, spec, in);
    case ACCEL_OP_CONV2D: return pj_conv_emit(t, &d->u.conv2d, in);
    case ACCEL_OP_ELTWISE:
    case ACCEL_OP_PERMUTE: return pj_elem_emit(t, d, in);
    default: return pj_attention_emit(t, &d->u.attention, in);
    }
}
