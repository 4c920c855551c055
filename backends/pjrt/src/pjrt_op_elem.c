/* Elementwise ops (in fp32, fp64 for fp64 data) and permute (a transpose of the N-d view). */
#include <stdio.h>

#include "pjrt_ops.h"

static const char *eltwise_name(accel_eltwise_kind k) {
    static const char *const names[] = {"", "copy", "scale", "add", "mul", "relu", "gelu_erf", "gelu_tanh", "bias_add"};
    return (int)k >= 1 && (int)k <= 8 ? names[k] : "?";
}

accel_status pj_elem_describe(const accel_op_desc *d, const char *platform, pj_op_spec *s, char *why, size_t n) {
    if (d->kind == ACCEL_OP_PERMUTE) {
        const accel_permute_desc *p = &d->u.permute;
        pjrt_element_type e = pj_element_of(p->dtype);
        if (e == PJRT_ELEM_INVALID || (p->dtype == ACCEL_DTYPE_F64 && !pj_float_ok(p->dtype, platform, "permute", why, n))) {
            if (e == PJRT_ELEM_INVALID) snprintf(why, n, "pjrt: permute of %s is not offered", accel_dtype_label(p->dtype));
            return ACCEL_ERR_UNIMPLEMENTED;
        }
        int64_t out[ACCEL_PERMUTE_MAX_DIMS];
        for (int i = 0; i < p->ndims; ++i) out[i] = p->dims[p->perm[i]];
        pj_spec_set(s, 0, 0, e, p->ndims, p->dims);
        pj_spec_set(s, 1, 0, e, p->ndims, out);
        s->output = 1;
        snprintf(s->summary, sizeof s->summary, "stablehlo transpose %dd %s", p->ndims, accel_dtype_label(p->dtype));
        return ACCEL_OK;
    }
    const accel_eltwise_desc *e = &d->u.eltwise;
    if (e->kind < ACCEL_ELTWISE_COPY || e->kind > ACCEL_ELTWISE_BIAS_ADD) {
        snprintf(why, n, "pjrt: eltwise kind %d (the activation backward kinds) has no StableHLO emitter yet",
                 (int)e->kind);
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    if (!pj_float_ok(e->dtype, platform, "eltwise", why, n)) return ACCEL_ERR_UNIMPLEMENTED;
    pjrt_element_type t = pj_element_of(e->dtype);
    pj_spec_set(s, 0, 0, t, 1, &e->count);
    if (e->kind == ACCEL_ELTWISE_BIAS_ADD) pj_spec_set(s, 1, 0, t, 1, &e->cols);
    else if (e->kind == ACCEL_ELTWISE_ADD || e->kind == ACCEL_ELTWISE_MUL) pj_spec_set(s, 1, 0, t, 1, &e->count);
    pj_spec_set(s, 2, 0, t, 1, &e->count);
    s->output = 2;
    snprintf(s->summary, sizeof s->summary, "stablehlo elementwise %s %s", eltwise_name(e->kind), accel_dtype_label(e->dtype));
    return ACCEL_OK;
}

static pj_val eltwise(pj_text *t, const accel_eltwise_desc *e, const pj_val *const *in) {
    if (e->kind == ACCEL_ELTWISE_COPY) return *in[0];
    const pjrt_element_type acc = pj_accumulator(e->dtype);
    pj_val x = pj_convert(t, in[0], acc), y;
    switch (e->kind) {
    case ACCEL_ELTWISE_SCALE: y = pj_scale(t, &x, e->alpha); break;
    case ACCEL_ELTWISE_ADD: {
        pj_val z = pj_convert(t, in[1], acc);
        pj_val ax = pj_scale(t, &x, e->alpha), bz = pj_scale(t, &z, e->beta);
        y = pj_binary(t, "add", &ax, &bz);
        break;
    }
    case ACCEL_ELTWISE_MUL: {
        pj_val z = pj_convert(t, in[1], acc);
        pj_val ax = pj_scale(t, &x, e->alpha);
        y = pj_binary(t, "multiply", &ax, &z);
        break;
    }
    case ACCEL_ELTWISE_RELU: y = pj_activation(t, &x, ACCEL_EPILOGUE_RELU); break;
    case ACCEL_ELTWISE_GELU_ERF: y = pj_activation(t, &x, ACCEL_EPILOGUE_GELU_ERF); break;
    case ACCEL_ELTWISE_GELU_TANH: y = pj_activation(t, &x, ACCEL_EPILOGUE_GELU_TANH); break;
    default: { /* BIAS_ADD: X as (count / cols) x cols, Z added to every row */
        const int64_t d2[2] = {e->count / e->cols, e->cols}, map[1] = {1};
        pj_val x2 = pj_reshape(t, &x, 2, d2);
        pj_val z = pj_convert(t, in[1], acc);
        pj_val zb = pj_broadcast(t, &z, 2, d2, map);
        pj_val sum = pj_binary(t, "add", &x2, &zb);
        y = pj_flatten(t, &sum);
        break;
    }
    }
    return pj_convert(t, &y, pj_element_of(e->dtype));
}

pj_val pj_elem_emit(pj_text *t, const accel_op_desc *d, const pj_val *const *in) {
    if (d->kind == ACCEL_OP_PERMUTE) return pj_transpose(t, in[0], d->u.permute.perm);
    return eltwise(t, &d->u.eltwise, in);
}
