/* A module for one op bound to buffers: the parameters (one per distinct buffer, in the shape that
 * buffer's value has), where each operand is read from, and the output written in place into its
 * buffer's donated parameter. Shared by the plugin and the direct-PJRT benchmark. */
#ifndef ACCEL_PJRT_MODULE_H
#define ACCEL_PJRT_MODULE_H

#include "pjrt_ops.h"

#define PJ_MAX_PARAMS ACCEL_OP_MAX_OPERANDS

typedef struct pj_binding {
    int nparams;
    pj_shape param[PJ_MAX_PARAMS];
    int operand_param[PJ_MAX_PARAMS]; /* -1: absent */
    size_t operand_offset[PJ_MAX_PARAMS];
} pj_binding;

int pj_binding_equal(const pj_binding *a, const pj_binding *b);
/* The binding every workload here uses: each operand present, a whole buffer of its own, holding
 * the shape the op reads (or writes). */
pj_binding pj_binding_primary(const pj_op_spec *s);
/* Whether operand bytes of shape `want` can be read at `offset` of a value of shape `have`: whole
 * elements of both types (else why says so). */
int pj_binding_fits(const pj_shape *have, size_t offset, const pj_shape *want, char *why, size_t n);
/* The MLIR text of the module (malloc'ed, *len bytes); NULL when out of memory. */
char *pj_module_emit(const accel_op_desc *desc, const pj_op_spec *s, const pj_binding *b, size_t *len);

#endif
