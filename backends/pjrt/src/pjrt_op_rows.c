/* Row-wise ops over the last dimension: layernorm (with the residual add), rmsnorm and masked softmax, with
 * statistics in fp32 (fp64 for fp64 data). */
#include <stdio.h>

#include "pjrt_ops.h"

accel_status pj_rows_describe(const accel_op_desc *d, const char *platform, pj_op_spec *s, char *why, size_t n) {
    if (d->kind == ACCEL_OP_LAYERNORM) {
        const accel_layernorm_desc *l = &d->u.layernorm;
        if (!pj_float_ok(l->dtype, platform, "layernorm", why, n)) return ACCEL_ERR_UNIMPLEMENTED;
        pjrt_element_type e = pj_element_of(l->dtype);
        const int64_t rc[2] = {l->rows, l->cols};
        pj_spec_set(s, 0, 0, e, 2, rc);
        if (l->has_residual) pj_spec_set(s, 1, 0, e, 2, rc);
        pj_spec_set(s, 2, 0, e, 1, &l->cols);
        pj_spec_set(s, 3, 0, e, 1, &l->cols);
        pj_spec_set(s, 4, 0, e, 2, rc);
        s->output = 4;
        snprintf(s->summary, sizeof s->summary, "stablehlo reduce mean/variance %s%s", accel_dtype_label(l->dtype),
                 l->has_residual ? " +residual" : "");
        return ACCEL_OK;
    }
    if (d->kind == ACCEL_OP_RMSNORM) {
        const accel_rmsnorm_desc *l = &d->u.rmsnorm;
        if (!pj_float_ok(l->dtype, platform, "rmsnorm", why, n)) return ACCEL_ERR_UNIMPLEMENTED;
        pjrt_element_type e = pj_element_of(l->dtype);
        const int64_t rc[2] = {l->rows, l->cols};
        pj_spec_set(s, 0, 0, e, 2, rc);
        pj_spec_set(s, 1, 0, e, 1, &l->cols);
        pj_spec_set(s, 2, 0, e, 2, rc);
        s->output = 2;
        snprintf(s->summary, sizeof s->summary, "stablehlo reduce mean of squares %s", accel_dtype_label(l->dtype));
        return ACCEL_OK;
    }
    const accel_softmax_desc *m = &d->u.softmax;
    if (!pj_float_ok(m->dtype, platform, "softmax", why, n)) return ACCEL_ERR_UNIMPLEMENTED;
    const int64_t rc[2] = {m->rows, m->cols};
    pj_spec_set(s, 0, 0, pj_element_of(m->dtype), 2, rc);
    if (m->rows_per_mask_row > 0) {
        const int64_t mc[2] = {m->rows / m->rows_per_mask_row, m->cols};
        pj_spec_set(s, 1, 1, PJRT_ELEM_F32, 2, mc);
    }
    pj_spec_set(s, 2, 0, pj_element_of(m->dtype), 2, rc);
    s->output = 2;
    snprintf(s->summary, sizeof s->summary, "stablehlo reduce max/exp/sum %s", accel_dtype_label(m->dtype));
    return ACCEL_OK;
}

static pj_val layernorm(pj_text *t, const accel_layernorm_desc *l, const pj_val *const *in) {
    const pjrt_element_type acc = pj_accumulator(l->dtype);
    pj_val x = pj_convert(t, in[0], acc);
    if (in[1]) {
        pj_val r = pj_convert(t, in[1], acc);
        x = pj_binary(t, "add", &x, &r);
    }
    const int64_t last[1] = {1}, rows[1] = {0}, cols[1] = {1};
    const double inv = 1.0 / (double)l->cols;
    pj_val sum = pj_reduce(t, &x, "add", 1, last);
    pj_val mean = pj_scale(t, &sum, inv);
    pj_val meanb = pj_broadcast(t, &mean, 2, x.shape.dims, rows);
    pj_val xc = pj_binary(t, "subtract", &x, &meanb);
    pj_val sq = pj_binary(t, "multiply", &xc, &xc);
    pj_val sqsum = pj_reduce(t, &sq, "add", 1, last);
    pj_val var = pj_scale(t, &sqsum, inv);
    pj_val eps = pj_splat_like(t, &var, l->eps);
    pj_val vare = pj_binary(t, "add", &var, &eps);
    pj_val rstd = pj_unary(t, "rsqrt", &vare);
    pj_val rstdb = pj_broadcast(t, &rstd, 2, x.shape.dims, rows);
    pj_val norm = pj_binary(t, "multiply", &xc, &rstdb);
    pj_val gamma = pj_convert(t, in[2], acc), beta = pj_convert(t, in[3], acc);
    pj_val gb = pj_broadcast(t, &gamma, 2, x.shape.dims, cols);
    pj_val bb = pj_broadcast(t, &beta, 2, x.shape.dims, cols);
    pj_val y = pj_binary(t, "multiply", &norm, &gb);
    y = pj_binary(t, "add", &y, &bb);
    return pj_convert(t, &y, pj_element_of(l->dtype));
}

static pj_val rmsnorm(pj_text *t, const accel_rmsnorm_desc *l, const pj_val *const *in) {
    const pjrt_element_type acc = pj_accumulator(l->dtype);
    pj_val x = pj_convert(t, in[0], acc);
    const int64_t last[1] = {1}, rows[1] = {0}, cols[1] = {1};
    pj_val sq = pj_binary(t, "multiply", &x, &x);
    pj_val sqsum = pj_reduce(t, &sq, "add", 1, last);
    pj_val ms = pj_scale(t, &sqsum, 1.0 / (double)l->cols);
    pj_val eps = pj_splat_like(t, &ms, l->eps);
    pj_val mse = pj_binary(t, "add", &ms, &eps);
    pj_val rrms = pj_unary(t, "rsqrt", &mse);
    pj_val rrmsb = pj_broadcast(t, &rrms, 2, x.shape.dims, rows);
    pj_val norm = pj_binary(t, "multiply", &x, &rrmsb);
    pj_val gamma = pj_convert(t, in[1], acc);
    pj_val gb = pj_broadcast(t, &gamma, 2, x.shape.dims, cols);
    pj_val y = pj_binary(t, "multiply", &norm, &gb);
    return pj_convert(t, &y, pj_element_of(l->dtype));
}

static pj_val softmax(pj_text *t, const accel_softmax_desc *m, const pj_val *const *in) {
    const pjrt_element_type acc = pj_accumulator(m->dtype);
    pj_val x = pj_convert(t, in[0], acc);
    x = pj_scale(t, &x, m->scale);
    if (in[1]) { /* mask row r / rows_per_mask_row, added to every row of its group */
        int64_t groups = m->rows / m->rows_per_mask_row;
        const int64_t g3[3] = {groups, m->rows_per_mask_row, m->cols}, map[2] = {0, 2};
        pj_val mask = pj_convert(t, in[1], acc);
        pj_val x3 = pj_reshape(t, &x, 3, g3);
        pj_val mb = pj_broadcast(t, &mask, 3, g3, map);
        pj_val sum = pj_binary(t, "add", &x3, &mb);
        x = pj_reshape(t, &sum, 2, x.shape.dims);
    }
    pj_val y = pj_softmax_rows(t, &x);
    return pj_convert(t, &y, pj_element_of(m->dtype));
}

pj_val pj_rows_emit(pj_text *t, const accel_op_desc *d, const pj_val *const *in) {
    if (d->kind == ACCEL_OP_RMSNORM) return rmsnorm(t, &d->u.rmsnorm, in);
    return d->kind == ACCEL_OP_LAYERNORM ? layernorm(t, &d->u.layernorm, in) : softmax(t, &d->u.softmax, in);
}
