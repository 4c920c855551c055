/* Element types and dense shapes as PJRT and StableHLO text name them. */
#ifndef ACCEL_PJRT_SHAPE_H
#define ACCEL_PJRT_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "accel/types.h"
#include "pjrt_capi.h"

#define PJ_MAX_RANK 8

typedef struct pj_shape {
    pjrt_element_type type;
    int rank;
    int64_t dims[PJ_MAX_RANK];
} pj_shape;

/* PJRT_ELEM_INVALID for a dtype PJRT cannot hold. */
pjrt_element_type pj_element_of(accel_dtype t);
size_t pj_element_size(pjrt_element_type t);   /* 0 for INVALID */
const char *pj_element_mlir(pjrt_element_type t); /* "f32", "bf16", "ui8", "f8E4M3FN" */

pj_shape pj_shape_make(pjrt_element_type t, int rank, const int64_t *dims);
pj_shape pj_shape_1d(pjrt_element_type t, int64_t n);
pj_shape pj_shape_2d(pjrt_element_type t, int64_t a, int64_t b);
int64_t pj_shape_elements(const pj_shape *s);
size_t pj_shape_bytes(const pj_shape *s);
int pj_shape_equal(const pj_shape *a, const pj_shape *b);
/* "tensor<3x4xf32>" into out. */
void pj_shape_mlir(const pj_shape *s, char *out, size_t out_len);

#endif
