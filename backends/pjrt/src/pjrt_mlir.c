#include "pjrt_mlir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pj_text_init(pj_text *t) { memset(t, 0, sizeof *t); }
void pj_text_free(pj_text *t) { free(t->s); memset(t, 0, sizeof *t); }

void pj_text_printf(pj_text *t, const char *fmt, ...) {
    if (t->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->s ? t->s + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) { t->failed = 1; return; }
        if ((size_t)n < room) { t->len += (size_t)n; return; }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap - t->len <= (size_t)n) cap *= 2;
        char *s = realloc(t->s, cap);
        if (!s) { t->failed = 1; return; }
        t->s = s;
        t->cap = cap;
    }
}

static pj_val new_val(pj_text *t, pj_shape s) {
    pj_val v;
    memset(&v, 0, sizeof v);
    snprintf(v.name, sizeof v.name, "%%v%d", t->next_id++);
    v.shape = s;
    return v;
}

/* The MLIR type of a value, in a static rotating buffer (a line names at most four). */
static const char *ty(const pj_shape *s) {
    static _Thread_local char buf[4][160];
    static _Thread_local int next;
    char *b = buf[next++ & 3];
    pj_shape_mlir(s, b, sizeof buf[0]);
    return b;
}

static void print_list(pj_text *t, int n, const int64_t *v) {
    for (int i = 0; i < n; ++i) pj_text_printf(t, "%s%lld", i ? ", " : "", (long long)v[i]);
}

pj_val pj_param(int index, pj_shape shape) {
    pj_val v;
    memset(&v, 0, sizeof v);
    snprintf(v.name, sizeof v.name, "%%p%d", index);
    v.shape = shape;
    return v;
}

static int is_float(pjrt_element_type e) {
    return e == PJRT_ELEM_F32 || e == PJRT_ELEM_F16 || e == PJRT_ELEM_BF16 || e == PJRT_ELEM_F64 ||
           e == PJRT_ELEM_F8E4M3FN || e == PJRT_ELEM_F8E5M2;
}

pj_val pj_constant(pj_text *t, pjrt_element_type type, double value, int rank, const int64_t *dims) {
    pj_val v = new_val(t, pj_shape_make(type, rank, dims));
    if (is_float(type)) pj_text_printf(t, "    %s = stablehlo.constant dense<%.17e> : %s\n", v.name, value, ty(&v.shape));
    else pj_text_printf(t, "    %s = stablehlo.constant dense<%lld> : %s\n", v.name, (long long)value, ty(&v.shape));
    return v;
}

pj_val pj_scalar(pj_text *t, pjrt_element_type type, double value) { return pj_constant(t, type, value, 0, NULL); }

pj_val pj_splat_like(pj_text *t, const pj_val *like, double value) {
    return pj_constant(t, like->shape.type, value, like->shape.rank, like->shape.dims);
}

pj_val pj_lowest(pj_text *t, pjrt_element_type type) {
    pj_val v = new_val(t, pj_shape_make(type, 0, NULL));
    /* -inf by its bit pattern: a decimal literal cannot spell it */
    const char *bits = type == PJRT_ELEM_F64 ? "0xFFF0000000000000" : type == PJRT_ELEM_F16 ? "0xFC00"
                       : type == PJRT_ELEM_BF16 ? "0xFF80" : "0xFF800000";
    pj_text_printf(t, "    %s = stablehlo.constant dense<%s> : %s\n", v.name, bits, ty(&v.shape));
    return v;
}

pj_val pj_convert(pj_text *t, const pj_val *v, pjrt_element_type to) {
    if (v->shape.type == to) return *v;
    pj_shape s = v->shape;
    s.type = to;
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.convert %s : (%s) -> %s\n", r.name, v->name, ty(&v->shape), ty(&s));
    return r;
}

pj_val pj_reshape(pj_text *t, const pj_val *v, int rank, const int64_t *dims) {
    pj_shape s = pj_shape_make(v->shape.type, rank, dims);
    if (pj_shape_equal(&s, &v->shape)) return *v;
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.reshape %s : (%s) -> %s\n", r.name, v->name, ty(&v->shape), ty(&s));
    return r;
}

pj_val pj_flatten(pj_text *t, const pj_val *v) {
    int64_t n = pj_shape_elements(&v->shape);
    return pj_reshape(t, v, 1, &n);
}

pj_val pj_binary(pj_text *t, const char *op, const pj_val *a, const pj_val *b) {
    pj_val r = new_val(t, a->shape);
    pj_text_printf(t, "    %s = stablehlo.%s %s, %s : %s\n", r.name, op, a->name, b->name, ty(&a->shape));
    return r;
}

pj_val pj_unary(pj_text *t, const char *op, const pj_val *a) {
    pj_val r = new_val(t, a->shape);
    if (strcmp(op, "erf") == 0)
        pj_text_printf(t, "    %s = chlo.erf %s : %s -> %s\n", r.name, a->name, ty(&a->shape), ty(&a->shape));
    else
        pj_text_printf(t, "    %s = stablehlo.%s %s : %s\n", r.name, op, a->name, ty(&a->shape));
    return r;
}

pj_val pj_broadcast(pj_text *t, const pj_val *v, int rank, const int64_t *dims, const int64_t *map) {
    pj_shape s = pj_shape_make(v->shape.type, rank, dims);
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.broadcast_in_dim %s, dims = [", r.name, v->name);
    print_list(t, v->shape.rank, map);
    pj_text_printf(t, "] : (%s) -> %s\n", ty(&v->shape), ty(&s));
    return r;
}

pj_val pj_reduce(pj_text *t, const pj_val *v, const char *op, int ndims, const int64_t *dims) {
    pj_val init = strcmp(op, "maximum") == 0 ? pj_lowest(t, v->shape.type) : pj_scalar(t, v->shape.type, 0.0);
    pj_shape s = pj_shape_make(v->shape.type, 0, NULL);
    for (int i = 0; i < v->shape.rank; ++i) {
        int reduced = 0;
        for (int k = 0; k < ndims; ++k) reduced |= dims[k] == i;
        if (!reduced) s.dims[s.rank++] = v->shape.dims[i];
    }
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.reduce(%s init: %s) applies stablehlo.%s across dimensions = [",
                   r.name, v->name, init.name, op);
    print_list(t, ndims, dims);
    pj_text_printf(t, "] : (%s, %s) -> %s\n", ty(&v->shape), ty(&init.shape), ty(&s));
    return r;
}

pj_val pj_slice(pj_text *t, const pj_val *v, const int64_t *start, const int64_t *limit) {
    pj_shape s = v->shape;
    int whole = 1;
    for (int i = 0; i < s.rank; ++i) {
        s.dims[i] = limit[i] - start[i];
        whole &= start[i] == 0 && limit[i] == v->shape.dims[i];
    }
    if (whole) return *v;
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.slice %s [", r.name, v->name);
    for (int i = 0; i < s.rank; ++i)
        pj_text_printf(t, "%s%lld:%lld", i ? ", " : "", (long long)start[i], (long long)limit[i]);
    pj_text_printf(t, "] : (%s) -> %s\n", ty(&v->shape), ty(&s));
    return r;
}

pj_val pj_pad(pj_text *t, const pj_val *v, const int64_t *low, const int64_t *high) {
    pj_shape s = v->shape;
    int none = 1;
    for (int i = 0; i < s.rank; ++i) {
        s.dims[i] += low[i] + high[i];
        none &= low[i] == 0 && high[i] == 0;
    }
    if (none) return *v;
    pj_val zero = pj_scalar(t, v->shape.type, 0.0);
    pj_val r = new_val(t, s);
    int64_t interior[PJ_MAX_RANK] = {0};
    pj_text_printf(t, "    %s = stablehlo.pad %s, %s, low = [", r.name, v->name, zero.name);
    print_list(t, s.rank, low);
    pj_text_printf(t, "], high = [");
    print_list(t, s.rank, high);
    pj_text_printf(t, "], interior = [");
    print_list(t, s.rank, interior);
    pj_text_printf(t, "] : (%s, %s) -> %s\n", ty(&v->shape), ty(&zero.shape), ty(&s));
    return r;
}

pj_val pj_update_slice(pj_text *t, const pj_val *base, const pj_val *update, const int64_t *start) {
    if (pj_shape_equal(&base->shape, &update->shape)) return *update;
    pj_val idx[PJ_MAX_RANK];
    for (int i = 0; i < base->shape.rank; ++i) idx[i] = pj_scalar(t, PJRT_ELEM_S64, (double)start[i]);
    pj_val r = new_val(t, base->shape);
    pj_text_printf(t, "    %s = stablehlo.dynamic_update_slice %s, %s", r.name, base->name, update->name);
    for (int i = 0; i < base->shape.rank; ++i) pj_text_printf(t, ", %s", idx[i].name);
    pj_text_printf(t, " : (%s, %s", ty(&base->shape), ty(&update->shape));
    for (int i = 0; i < base->shape.rank; ++i) pj_text_printf(t, ", tensor<i64>");
    pj_text_printf(t, ") -> %s\n", ty(&base->shape));
    return r;
}

pj_val pj_transpose(pj_text *t, const pj_val *v, const int *perm) {
    pj_shape s = v->shape;
    int identity = 1;
    int64_t p[PJ_MAX_RANK];
    for (int i = 0; i < s.rank; ++i) {
        s.dims[i] = v->shape.dims[perm[i]];
        p[i] = perm[i];
        identity &= perm[i] == i;
    }
    if (identity) return *v;
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.transpose %s, dims = [", r.name, v->name);
    print_list(t, s.rank, p);
    pj_text_printf(t, "] : (%s) -> %s\n", ty(&v->shape), ty(&s));
    return r;
}

pj_val pj_bitcast_flat(pj_text *t, const pj_val *v, pjrt_element_type to) {
    pjrt_element_type from = v->shape.type;
    if (from == to) return *v;
    size_t w1 = pj_element_size(from), w2 = pj_element_size(to);
    int64_t n1 = pj_shape_elements(&v->shape), n2 = n1 * (int64_t)w1 / (int64_t)w2;
    pj_val src = *v;
    if (w1 < w2) { /* group the narrow elements into the wide one's minor dimension first */
        const int64_t d[2] = {n2, (int64_t)(w2 / w1)};
        src = pj_reshape(t, v, 2, d);
    }
    pj_shape s = w1 > w2 ? pj_shape_2d(to, n1, (int64_t)(w1 / w2)) : pj_shape_1d(to, n2);
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.bitcast_convert %s : (%s) -> %s\n", r.name, src.name, ty(&src.shape), ty(&s));
    return w1 > w2 ? pj_flatten(t, &r) : r;
}

pj_val pj_dot(pj_text *t, const pj_val *a, const pj_val *b, int batch, int contract_a,
              int contract_b, pjrt_element_type out, const char *precision) {
    pj_shape s = pj_shape_make(out, 0, NULL);
    if (batch) s.dims[s.rank++] = a->shape.dims[0];
    for (int i = batch; i < a->shape.rank; ++i)
        if (i != contract_a) s.dims[s.rank++] = a->shape.dims[i];
    for (int i = batch; i < b->shape.rank; ++i)
        if (i != contract_b) s.dims[s.rank++] = b->shape.dims[i];
    pj_val r = new_val(t, s);
    pj_text_printf(t, "    %s = stablehlo.dot_general %s, %s, batching_dims = [%s] x [%s], contracting_dims = [%d] x [%d], "
                      "precision = [%s, %s] : (%s, %s) -> %s\n",
                   r.name, a->name, b->name, batch ? "0" : "", batch ? "0" : "", contract_a, contract_b,
                   precision, precision, ty(&a->shape), ty(&b->shape), ty(&s));
    return r;
}
