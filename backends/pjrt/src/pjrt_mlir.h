/* Writing a StableHLO module as MLIR text: one function, values named %vN, each op one line. Every
 * helper appends one op and returns the value it defines (with its shape), so op bodies read as the
 * math they compute. Errors (out of memory) are sticky and checked once at the end. */
#ifndef ACCEL_PJRT_MLIR_H
#define ACCEL_PJRT_MLIR_H

#include "pjrt_shape.h"

typedef struct pj_text {
    char *s;
    size_t len, cap;
    int failed;
    int next_id;
} pj_text;

typedef struct pj_val {
    char name[16];
    pj_shape shape;
} pj_val;

void pj_text_init(pj_text *t);
void pj_text_free(pj_text *t);
void pj_text_printf(pj_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A named function argument: "%p<i>". */
pj_val pj_param(int index, pj_shape shape);

pj_val pj_constant(pj_text *t, pjrt_element_type type, double value, int rank, const int64_t *dims);
pj_val pj_scalar(pj_text *t, pjrt_element_type type, double value);
pj_val pj_splat_like(pj_text *t, const pj_val *like, double value);
pj_val pj_lowest(pj_text *t, pjrt_element_type type); /* -inf, the max-reduction's start */
pj_val pj_convert(pj_text *t, const pj_val *v, pjrt_element_type to);
pj_val pj_reshape(pj_text *t, const pj_val *v, int rank, const int64_t *dims);
pj_val pj_flatten(pj_text *t, const pj_val *v);
/* "add", "subtract", "multiply", "divide", "maximum" on same-shaped values. */
pj_val pj_binary(pj_text *t, const char *op, const pj_val *a, const pj_val *b);
/* "exponential", "tanh", "rsqrt", "negate"; "erf" is CHLO's. */
pj_val pj_unary(pj_text *t, const char *op, const pj_val *a);
pj_val pj_broadcast(pj_text *t, const pj_val *v, int rank, const int64_t *dims, const int64_t *map);
/* Reduction over `dims` with "add" or "maximum". */
pj_val pj_reduce(pj_text *t, const pj_val *v, const char *op, int ndims, const int64_t *dims);
pj_val pj_slice(pj_text *t, const pj_val *v, const int64_t *start, const int64_t *limit);
pj_val pj_pad(pj_text *t, const pj_val *v, const int64_t *low, const int64_t *high);
pj_val pj_update_slice(pj_text *t, const pj_val *base, const pj_val *update, const int64_t *start);
pj_val pj_transpose(pj_text *t, const pj_val *v, const int *perm);
/* Reinterprets the bytes of a 1-D value as n elements of `to` (total bytes equal). */
pj_val pj_bitcast_flat(pj_text *t, const pj_val *v, pjrt_element_type to);
/* dot_general with one batch dimension pair; result element type `out`. precision: "DEFAULT",
 * "HIGH", "HIGHEST". */
pj_val pj_dot(pj_text *t, const pj_val *a, const pj_val *b, int batch, int contract_a,
              int contract_b, pjrt_element_type out, const char *precision);

#endif
