/* GEMM as one dot_general with alpha, beta C, bias and the activation fused in the same module.
 * Operands with a leading dimension or batch stride other than packed are read from their flat
 * extent (pad to whole strides, reshape, slice); a D with gaps is merged into its old contents. */
#include <stdio.h>
#include <string.h>

#include "pjrt_ops.h"

typedef struct geometry {
    int64_t rows, cols, ld, stride; /* as stored; ld and stride resolved from 0 */
} geometry;

static geometry operand_geometry(const accel_gemm_desc *g, int i) {
    geometry m;
    switch (i) {
    case 0: m.rows = g->trans_a ? g->k : g->m; m.cols = g->trans_a ? g->m : g->k; m.ld = g->lda; m.stride = g->stride_a; break;
    case 1: m.rows = g->trans_b ? g->n : g->k; m.cols = g->trans_b ? g->k : g->n; m.ld = g->ldb; m.stride = g->stride_b; break;
    case 2: m.rows = g->m; m.cols = g->n; m.ld = g->ldc; m.stride = g->stride_c; break;
    default: m.rows = g->m; m.cols = g->n; m.ld = g->ldd; m.stride = g->stride_d; break;
    }
    if (m.ld == 0) m.ld = m.cols;
    if (m.stride == 0 || g->batch == 1) m.stride = m.rows * m.ld;
    return m;
}

static int is_dense(const geometry *m) { return m->ld == m->cols && m->stride == m->rows * m->cols; }

static int64_t extent(const geometry *m, int64_t batch) {
    return (batch - 1) * m->stride + (m->rows - 1) * m->ld + m->cols;
}

static accel_dtype operand_type(const accel_gemm_desc *g, int i) {
    switch (i) {
    case 0: return g->a_type;
    case 1: return g->b_type;
    case 2: return g->c_type;
    case 3: return g->d_type;
    case 4: return g->bias_type ? g->bias_type : g->d_type;
    default: return ACCEL_DTYPE_F32;
    }
}

static void matrix_spec(pj_op_spec *s, const accel_gemm_desc *g, int i) {
    geometry m = operand_geometry(g, i);
    pjrt_element_type e = pj_element_of(operand_type(g, i));
    if (!is_dense(&m)) {
        int64_t n = extent(&m, g->batch);
        pj_spec_set(s, i, 0, e, 1, &n);
    } else if (g->batch > 1) {
        const int64_t d[3] = {g->batch, m.rows, m.cols};
        pj_spec_set(s, i, 0, e, 3, d);
    } else {
        const int64_t d[2] = {m.rows, m.cols};
        pj_spec_set(s, i, 0, e, 2, d);
    }
}

static int float_or_fp8(accel_dtype t, const char *platform, char *why, size_t n) {
    return accel_dtype_is_fp8(t) || pj_float_ok(t, platform, "gemm", why, n);
}

accel_status pj_gemm_describe(const accel_gemm_desc *g, const char *platform, pj_op_spec *s, char *why, size_t n) {
    const int fp8 = accel_dtype_is_fp8(g->a_type);
    for (int i = 0; i < 5; ++i) {
        if ((i == 2 && g->beta == 0) || (i == 4 && !(g->epilogue & ACCEL_EPILOGUE_BIAS))) continue;
        if (!float_or_fp8(operand_type(g, i), platform, why, n)) return ACCEL_ERR_UNIMPLEMENTED;
    }
    if (g->a_type != g->b_type && !fp8) {
        snprintf(why, n, "pjrt: gemm with A in %s and B in %s is not offered", accel_dtype_label(g->a_type),
                 accel_dtype_label(g->b_type));
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    const char *precision;
    if (!pj_compute_precision(g->compute, g->a_type, &precision)) {
        snprintf(why, n, "pjrt: gemm compute %s on %s inputs is not offered (XLA accumulates in fp32)",
                 accel_compute_type_label(g->compute), accel_dtype_label(g->a_type));
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    for (int i = 0; i < 4; ++i) {
        geometry m = operand_geometry(g, i);
        if (g->batch > 1 && m.stride < m.rows * m.ld) {
            snprintf(why, n, "pjrt: gemm operand %c has overlapping batches (stride %lld < %lld), not offered",
                     "ABCD"[i], (long long)m.stride, (long long)(m.rows * m.ld));
            return ACCEL_ERR_UNIMPLEMENTED;
        }
    }
    if (g->batch > 1 && g->stride_bias != 0 && g->stride_bias < g->n) {
        snprintf(why, n, "pjrt: gemm bias batches overlap (stride_bias %lld < n %lld), not offered",
                 (long long)g->stride_bias, (long long)g->n);
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    matrix_spec(s, g, 0);
    matrix_spec(s, g, 1);
    if (g->beta != 0) matrix_spec(s, g, 2);
    matrix_spec(s, g, 3);
    s->output = 3;
    geometry d = operand_geometry(g, 3);
    s->output_read = !is_dense(&d);
    if (g->epilogue & ACCEL_EPILOGUE_BIAS) {
        pjrt_element_type e = pj_element_of(operand_type(g, 4));
        if (g->batch == 1 || g->stride_bias == 0) {
            pj_spec_set(s, 4, 0, e, 1, &g->n);
        } else if (g->stride_bias == g->n) {
            const int64_t dims[2] = {g->batch, g->n};
            pj_spec_set(s, 4, 0, e, 2, dims);
        } else {
            int64_t len = (g->batch - 1) * g->stride_bias + g->n;
            pj_spec_set(s, 4, 0, e, 1, &len);
        }
    }
    if (fp8) {
        const int64_t one = 1;
        pj_spec_set(s, 5, 1, PJRT_ELEM_F32, 1, &one);
        pj_spec_set(s, 6, 1, PJRT_ELEM_F32, 1, &one);
    }
    snprintf(s->summary, sizeof s->summary, "stablehlo dot_general %s%s precision %s%s%s%s%s",
             accel_dtype_label(g->a_type), fp8 ? " (widened to bf16)" : "", precision,
             g->beta != 0 ? " +beta*C" : "", g->epilogue & ACCEL_EPILOGUE_BIAS ? " +bias" : "",
             g->epilogue & ACCEL_EPILOGUE_RELU ? " +relu" : g->epilogue & ACCEL_EPILOGUE_GELU_ERF ? " +gelu_erf"
             : g->epilogue & ACCEL_EPILOGUE_GELU_TANH ? " +gelu_tanh" : "",
             s->output_read ? "; D merged into its gaps" : "");
    return ACCEL_OK;
}

/* The flat extent padded to whole batch strides, as [batch, stride]. */
static pj_val as_strides(pj_text *t, const pj_val *flat, const geometry *m, int64_t batch) {
    int64_t total = batch * m->stride, ext = pj_shape_elements(&flat->shape);
    const int64_t low[1] = {0}, high[1] = {total - ext};
    pj_val padded = pj_pad(t, flat, low, high);
    const int64_t d2[2] = {batch, m->stride};
    return pj_reshape(t, &padded, 2, d2);
}

/* [batch, rows, cols] of an operand given densely or as its flat extent. */
static pj_val gather(pj_text *t, const pj_val *v, const geometry *m, int64_t batch) {
    const int64_t d3[3] = {batch, m->rows, m->cols};
    if (v->shape.rank >= 2) return pj_reshape(t, v, 3, d3);
    pj_val strides = as_strides(t, v, m, batch);
    const int64_t s0[2] = {0, 0}, l0[2] = {batch, m->rows * m->ld};
    pj_val used = pj_slice(t, &strides, s0, l0);
    const int64_t rl[3] = {batch, m->rows, m->ld};
    pj_val rows = pj_reshape(t, &used, 3, rl);
    const int64_t s1[3] = {0, 0, 0};
    return pj_slice(t, &rows, s1, d3);
}

/* The flat extent `old` with [batch, rows, cols] `update` written where gather() reads. */
static pj_val scatter(pj_text *t, const pj_val *old, const pj_val *update, const geometry *m, int64_t batch) {
    int64_t ext = pj_shape_elements(&old->shape);
    pj_val strides = as_strides(t, old, m, batch);
    const int64_t s0[2] = {0, 0}, l0[2] = {batch, m->rows * m->ld};
    pj_val used = pj_slice(t, &strides, s0, l0);
    const int64_t rl[3] = {batch, m->rows, m->ld};
    pj_val rows = pj_reshape(t, &used, 3, rl);
    const int64_t z3[3] = {0, 0, 0};
    pj_val merged = pj_update_slice(t, &rows, update, z3);
    pj_val merged2 = pj_reshape(t, &merged, 2, l0);
    pj_val whole = pj_update_slice(t, &strides, &merged2, s0);
    pj_val flat = pj_flatten(t, &whole);
    const int64_t st[1] = {0}, lim[1] = {ext};
    return pj_slice(t, &flat, st, lim);
}

/* A scale operand (f32[1]) broadcast to the shape of `like`. */
static pj_val scale_operand(pj_text *t, const pj_val *s, const pj_val *like) {
    pj_val scalar = pj_reshape(t, s, 0, NULL);
    pj_val conv = pj_convert(t, &scalar, like->shape.type);
    return pj_broadcast(t, &conv, like->shape.rank, like->shape.dims, NULL);
}

pj_val pj_gemm_emit(pj_text *t, const accel_gemm_desc *g, const pj_op_spec *s, const pj_val *const *in) {
    const char *precision;
    pj_compute_precision(g->compute, g->a_type, &precision);
    const pjrt_element_type acc = pj_accumulator(g->d_type == ACCEL_DTYPE_F64 ? ACCEL_DTYPE_F64 : g->a_type);
    geometry ma = operand_geometry(g, 0), mb = operand_geometry(g, 1);
    pj_val a = gather(t, in[0], &ma, g->batch), b = gather(t, in[1], &mb, g->batch);
    if (accel_dtype_is_fp8(g->a_type)) { /* every e4m3 and e5m2 value is exact in bf16 */
        a = pj_convert(t, &a, PJRT_ELEM_BF16);
        b = pj_convert(t, &b, PJRT_ELEM_BF16);
    }
    pj_val x = pj_dot(t, &a, &b, 1, g->trans_a ? 1 : 2, g->trans_b ? 2 : 1, acc, precision);
    x = pj_scale(t, &x, g->alpha);
    for (int i = 5; i < 7; ++i)
        if (in[i]) {
            pj_val sc = scale_operand(t, in[i], &x);
            x = pj_binary(t, "multiply", &x, &sc);
        }
    if (g->beta != 0) {
        geometry mc = operand_geometry(g, 2);
        pj_val c = gather(t, in[2], &mc, g->batch);
        c = pj_convert(t, &c, acc);
        c = pj_scale(t, &c, g->beta);
        x = pj_binary(t, "add", &x, &c);
    }
    if (g->epilogue & ACCEL_EPILOGUE_BIAS) {
        pj_val bias = *in[4];
        if (bias.shape.rank == 1 && s->operand[4].shape.dims[0] != g->n) { /* strided per-batch bias */
            geometry mbias = {1, g->n, g->n, g->stride_bias};
            pj_val rows = gather(t, &bias, &mbias, g->batch);
            const int64_t d2[2] = {g->batch, g->n};
            bias = pj_reshape(t, &rows, 2, d2);
        }
        bias = pj_convert(t, &bias, acc);
        const int64_t shared[1] = {2}, per_batch[2] = {0, 2};
        pj_val bb = pj_broadcast(t, &bias, 3, x.shape.dims, bias.shape.rank == 1 ? shared : per_batch);
        x = pj_binary(t, "add", &x, &bb);
    }
    x = pj_activation(t, &x, g->epilogue);
    x = pj_convert(t, &x, pj_element_of(g->d_type));
    const pj_shape *dshape = &s->operand[3].shape;
    if (!s->output_read) return pj_reshape(t, &x, dshape->rank, dshape->dims);
    geometry md = operand_geometry(g, 3);
    return scatter(t, in[3], &x, &md, g->batch);
}
