/* Ops as StableHLO: what each op reads and writes (its operands' shapes), and its body as MLIR text.
 * pjrt_plan.c wraps a body into a module for the buffers it is bound to and compiles it. */
#ifndef ACCEL_PJRT_OPS_H
#define ACCEL_PJRT_OPS_H

#include "accel/ops.h"
#include "pjrt_mlir.h"

typedef struct pj_operand_spec {
    int used;       /* the HAL may pass it */
    int optional;   /* and may leave it absent */
    pj_shape shape; /* the shape the body reads it in (or, for the output, produces) */
} pj_operand_spec;

typedef struct pj_op_spec {
    int noperands;
    int output;      /* the operand written */
    int output_read; /* the body also reads the output's previous contents (GEMM D with gaps) */
    pj_operand_spec operand[ACCEL_OP_MAX_OPERANDS];
    char summary[160]; /* the plan's algorithm string */
} pj_op_spec;

/* UNIMPLEMENTED (reason in why) for what this backend does not run on `platform`. */
accel_status pj_op_describe(const accel_op_desc *d, const char *platform, pj_op_spec *spec, char *why,
                            size_t why_len);

/* The body: in[i] is operand i in its spec shape, or NULL when absent (in[output] is the output's
 * old contents when output_read). Returns the output value in its spec shape. */
pj_val pj_op_emit(pj_text *t, const accel_op_desc *d, const pj_op_spec *spec, const pj_val *const *in);

/* Per kind (pjrt_op_<kind>.c). */
accel_status pj_gemm_describe(const accel_gemm_desc *g, const char *platform, pj_op_spec *s, char *why, size_t n);
pj_val pj_gemm_emit(pj_text *t, const accel_gemm_desc *g, const pj_op_spec *s, const pj_val *const *in);
accel_status pj_conv_describe(const accel_conv2d_desc *c, const char *platform, pj_op_spec *s, char *why, size_t n);
pj_val pj_conv_emit(pj_text *t, const accel_conv2d_desc *c, const pj_val *const *in);
accel_status pj_rows_describe(const accel_op_desc *d, const char *platform, pj_op_spec *s, char *why, size_t n);
pj_val pj_rows_emit(pj_text *t, const accel_op_desc *d, const pj_val *const *in); /* layernorm, softmax */
accel_status pj_elem_describe(const accel_op_desc *d, const char *platform, pj_op_spec *s, char *why, size_t n);
pj_val pj_elem_emit(pj_text *t, const accel_op_desc *d, const pj_val *const *in); /* eltwise, permute */
accel_status pj_attention_describe(const accel_attention_desc *a, const char *platform, pj_op_spec *s, char *why,
                                   size_t n);
pj_val pj_attention_emit(pj_text *t, const accel_attention_desc *a, const pj_val *const *in);

/* Shared by the bodies (pjrt_op_common.c). */
/* The type products accumulate in: f64 for f64 storage, else f32. */
pjrt_element_type pj_accumulator(accel_dtype t);
/* 1 when the storage type is one this backend computes on ("f64" only off TPU); else why. */
int pj_float_ok(accel_dtype t, const char *platform, const char *op, char *why, size_t n);
/* Whether compute type c on inputs t is what XLA delivers, and the dot/conv precision for it. */
int pj_compute_precision(accel_compute_type c, accel_dtype t, const char **precision);
/* x * v for a constant v (skipped when v is 1). */
pj_val pj_scale(pj_text *t, const pj_val *x, double v);
/* The activation epilogue (RELU, GELU_ERF, GELU_TANH bits of e), or x itself. */
pj_val pj_activation(pj_text *t, const pj_val *x, uint32_t e);
/* softmax over the last dimension of a rank-2 value. */
pj_val pj_softmax_rows(pj_text *t, const pj_val *x);
void pj_spec_set(pj_op_spec *s, int i, int optional, pjrt_element_type type, int rank, const int64_t *dims);

#endif
