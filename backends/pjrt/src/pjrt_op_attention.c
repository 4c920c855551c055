/* Attention composed in one module: Q K^T, scale, mask, row softmax in fp32, then P V. XLA fuses
 * what it can; no separate kernel is claimed. */
#include <stdio.h>

#include "pjrt_ops.h"

accel_status pj_attention_describe(const accel_attention_desc *a, const char *platform, pj_op_spec *s, char *why,
                                   size_t n) {
    if (!pj_float_ok(a->dtype, platform, "attention", why, n)) return ACCEL_ERR_UNIMPLEMENTED;
    if (a->causal) {
        snprintf(why, n, "pjrt: causal attention is not composed (the module adds the batch x seq mask only)");
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    const char *precision;
    if (!pj_compute_precision(a->compute, a->dtype, &precision)) {
        snprintf(why, n, "pjrt: attention compute %s on %s is not offered", accel_compute_type_label(a->compute),
                 accel_dtype_label(a->dtype));
        return ACCEL_ERR_UNIMPLEMENTED;
    }
    pjrt_element_type e = pj_element_of(a->dtype);
    const int64_t qkv[4] = {a->batch, a->heads, a->seq, a->head_dim}, mask[2] = {a->batch, a->seq};
    for (int i = 0; i < 3; ++i) pj_spec_set(s, i, 0, e, 4, qkv);
    pj_spec_set(s, 3, 1, PJRT_ELEM_F32, 2, mask);
    pj_spec_set(s, 4, 0, e, 4, qkv);
    s->output = 4;
    snprintf(s->summary, sizeof s->summary, "stablehlo composed attention %s precision %s",
             accel_dtype_label(a->dtype), precision);
    return ACCEL_OK;
}

pj_val pj_attention_emit(pj_text *t, const accel_attention_desc *a, const pj_val *const *in) {
    const char *precision;
    pj_compute_precision(a->compute, a->dtype, &precision);
    const pjrt_element_type acc = pj_accumulator(a->dtype), store = pj_element_of(a->dtype);
    const int64_t bh = a->batch * a->heads;
    const int64_t d3[3] = {bh, a->seq, a->head_dim};
    pj_val q = pj_reshape(t, in[0], 3, d3), k = pj_reshape(t, in[1], 3, d3), v = pj_reshape(t, in[2], 3, d3);
    pj_val scores = pj_dot(t, &q, &k, 1, 2, 2, acc, precision); /* [bh, s, s] */
    scores = pj_scale(t, &scores, a->scale);
    if (in[3]) { /* mask[b, key] added to every head and query of sequence b */
        const int64_t d4[4] = {a->batch, a->heads, a->seq, a->seq}, map[2] = {0, 3};
        pj_val s4 = pj_reshape(t, &scores, 4, d4);
        pj_val mask = pj_convert(t, in[3], acc);
        pj_val mb = pj_broadcast(t, &mask, 4, d4, map);
        pj_val sum = pj_binary(t, "add", &s4, &mb);
        scores = pj_reshape(t, &sum, 3, scores.shape.dims);
    }
    const int64_t rows2[2] = {bh * a->seq, a->seq};
    pj_val s2 = pj_reshape(t, &scores, 2, rows2);
    pj_val p2 = pj_softmax_rows(t, &s2);
    pj_val p = pj_reshape(t, &p2, 3, scores.shape.dims);
    p = pj_convert(t, &p, store); /* P in the storage type, as fused attention kernels keep it */
    pj_val o = pj_dot(t, &p, &v, 1, 2, 1, acc, precision); /* [bh, s, d] */
    o = pj_convert(t, &o, store);
    return pj_reshape(t, &o, 4, in[0]->shape.dims);
}
