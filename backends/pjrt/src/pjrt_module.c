/* Writing the module of an op for a binding (pjrt_module.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pjrt_module.h"

int pj_binding_equal(const pj_binding *a, const pj_binding *b) {
    if (a->nparams != b->nparams) return 0;
    for (int i = 0; i < a->nparams; ++i)
        if (!pj_shape_equal(&a->param[i], &b->param[i])) return 0;
    for (int i = 0; i < PJ_MAX_PARAMS; ++i)
        if (a->operand_param[i] != b->operand_param[i] || a->operand_offset[i] != b->operand_offset[i]) return 0;
    return 1;
}

int pj_binding_fits(const pj_shape *have, size_t offset, const pj_shape *want, char *why, size_t n) {
    size_t w1 = pj_element_size(have->type), w2 = pj_element_size(want->type), bytes = pj_shape_bytes(want);
    if (offset % w1 == 0 && bytes % w1 == 0 && offset % w2 == 0 && offset + bytes <= pj_shape_bytes(have)) return 1;
    snprintf(why, n, "pjrt: an operand of %zu bytes of %s at byte offset %zu cannot be read from a buffer now "
                     "holding %s elements (offsets must be whole elements of both)",
             bytes, pj_element_mlir(want->type), offset, pj_element_mlir(have->type));
    return 0;
}

static pj_val load_operand(pj_text *t, const pj_val *param, size_t offset, const pj_shape *want) {
    if (offset == 0 && pj_shape_equal(&param->shape, want)) return *param;
    size_t w1 = pj_element_size(param->shape.type);
    pj_val flat = pj_flatten(t, param);
    const int64_t start[1] = {(int64_t)(offset / w1)}, limit[1] = {(int64_t)((offset + pj_shape_bytes(want)) / w1)};
    pj_val part = pj_slice(t, &flat, start, limit);
    pj_val typed = pj_bitcast_flat(t, &part, want->type);
    return pj_reshape(t, &typed, want->rank, want->dims);
}

static pj_val store_in_place(pj_text *t, const pj_val *param, size_t offset, const pj_val *result) {
    if (offset == 0 && pj_shape_equal(&param->shape, &result->shape)) return *result;
    size_t w1 = pj_element_size(param->shape.type);
    pj_val flat = pj_flatten(t, param);
    pj_val r = pj_flatten(t, result);
    pj_val bytes = pj_bitcast_flat(t, &r, param->shape.type);
    const int64_t start[1] = {(int64_t)(offset / w1)};
    pj_val merged = pj_update_slice(t, &flat, &bytes, start);
    return pj_reshape(t, &merged, param->shape.rank, param->shape.dims);
}

char *pj_module_emit(const accel_op_desc *desc, const pj_op_spec *s, const pj_binding *b, size_t *len) {
    pj_text t;
    pj_text_init(&t);
    char ty[160];
    pj_text_printf(&t, "module @accel_%s {\n  func.func public @main(", accel_op_kind_label(desc->kind));
    const int out_param = b->operand_param[s->output];
    for (int i = 0; i < b->nparams; ++i) {
        pj_shape_mlir(&b->param[i], ty, sizeof ty);
        pj_text_printf(&t, "%s%%p%d: %s%s", i ? ", " : "", i, ty,
                       i == out_param ? " {tf.aliasing_output = 0 : i32}" : "");
    }
    pj_shape_mlir(&b->param[out_param], ty, sizeof ty);
    pj_text_printf(&t, ") -> %s {\n", ty);
    pj_val loaded[PJ_MAX_PARAMS];
    const pj_val *in[PJ_MAX_PARAMS] = {0};
    for (int i = 0; i < s->noperands; ++i) {
        int j = b->operand_param[i];
        if (j < 0 || (i == s->output && !s->output_read)) continue;
        pj_val param = pj_param(j, b->param[j]);
        loaded[i] = load_operand(&t, &param, b->operand_offset[i], &s->operand[i].shape);
        in[i] = &loaded[i];
    }
    pj_val out = pj_op_emit(&t, desc, s, in);
    pj_val param = pj_param(out_param, b->param[out_param]);
    out = store_in_place(&t, &param, b->operand_offset[s->output], &out);
    pj_text_printf(&t, "    return %s : %s\n  }\n}\n", out.name, ty);
    if (t.failed) {
        pj_text_free(&t);
        return NULL;
    }
    *len = t.len;
    return t.s;
}

pj_binding pj_binding_primary(const pj_op_spec *s) {
    pj_binding b;
    memset(&b, 0, sizeof b);
    for (int i = 0; i < PJ_MAX_PARAMS; ++i) b.operand_param[i] = -1;
    for (int i = 0; i < s->noperands; ++i) {
        if (!s->operand[i].used) continue;
        b.operand_param[i] = b.nparams;
        b.param[b.nparams++] = s->operand[i].shape;
    }
    return b;
}

