#include "pjrt_shape.h"

#include <stdio.h>
#include <string.h>

pjrt_element_type pj_element_of(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return PJRT_ELEM_F32;
    case ACCEL_DTYPE_F16: return PJRT_ELEM_F16;
    case ACCEL_DTYPE_BF16: return PJRT_ELEM_BF16;
    case ACCEL_DTYPE_F64: return PJRT_ELEM_F64;
    case ACCEL_DTYPE_I8: return PJRT_ELEM_S8;
    case ACCEL_DTYPE_I32: return PJRT_ELEM_S32;
    case ACCEL_DTYPE_F8_E4M3: return PJRT_ELEM_F8E4M3FN;
    case ACCEL_DTYPE_F8_E5M2: return PJRT_ELEM_F8E5M2;
    default: return PJRT_ELEM_INVALID;
    }
}

size_t pj_element_size(pjrt_element_type t) {
    switch (t) {
    case PJRT_ELEM_S8: case PJRT_ELEM_U8: case PJRT_ELEM_F8E5M2: case PJRT_ELEM_F8E4M3FN: return 1;
    case PJRT_ELEM_F16: case PJRT_ELEM_BF16: return 2;
    case PJRT_ELEM_S32: case PJRT_ELEM_F32: return 4;
    case PJRT_ELEM_F64: case PJRT_ELEM_S64: return 8;
    default: return 0;
    }
}

const char *pj_element_mlir(pjrt_element_type t) {
    switch (t) {
    case PJRT_ELEM_S8: return "i8";
    case PJRT_ELEM_U8: return "ui8";
    case PJRT_ELEM_F8E5M2: return "f8E5M2";
    case PJRT_ELEM_F8E4M3FN: return "f8E4M3FN";
    case PJRT_ELEM_F16: return "f16";
    case PJRT_ELEM_BF16: return "bf16";
    case PJRT_ELEM_S32: return "i32";
    case PJRT_ELEM_S64: return "i64";
    case PJRT_ELEM_F32: return "f32";
    case PJRT_ELEM_F64: return "f64";
    default: return "invalid";
    }
}

pj_shape pj_shape_make(pjrt_element_type t, int rank, const int64_t *dims) {
    pj_shape s;
    memset(&s, 0, sizeof s); /* shapes are compared with memcmp-like loops and keyed: no stray bytes */
    s.type = t;
    s.rank = rank < 0 ? 0 : rank > PJ_MAX_RANK ? PJ_MAX_RANK : rank;
    for (int i = 0; i < s.rank; ++i) s.dims[i] = dims[i];
    return s;
}

pj_shape pj_shape_1d(pjrt_element_type t, int64_t n) { return pj_shape_make(t, 1, &n); }

pj_shape pj_shape_2d(pjrt_element_type t, int64_t a, int64_t b) {
    const int64_t d[2] = {a, b};
    return pj_shape_make(t, 2, d);
}

int64_t pj_shape_elements(const pj_shape *s) {
    int64_t n = 1;
    for (int i = 0; i < s->rank; ++i) n *= s->dims[i];
    return n;
}

size_t pj_shape_bytes(const pj_shape *s) {
    return (size_t)pj_shape_elements(s) * pj_element_size(s->type);
}

int pj_shape_equal(const pj_shape *a, const pj_shape *b) {
    if (a->type != b->type || a->rank != b->rank) return 0;
    for (int i = 0; i < a->rank; ++i)
        if (a->dims[i] != b->dims[i]) return 0;
    return 1;
}

void pj_shape_mlir(const pj_shape *s, char *out, size_t out_len) {
    size_t n = (size_t)snprintf(out, out_len, "tensor<");
    for (int i = 0; i < s->rank && n < out_len; ++i)
        n += (size_t)snprintf(out + n, out_len - n, "%lldx", (long long)s->dims[i]);
    if (n < out_len) snprintf(out + n, out_len - n, "%s>", pj_element_mlir(s->type));
}
