/* Each op kind described as a SynapseAI graph (gaudi_graph.h). A describer records refusals
 * (UNIMPLEMENTED with the reason) in the graph's status and returns it. */
#ifndef ACCEL_GAUDI_OPS_H
#define ACCEL_GAUDI_OPS_H

#include "gaudi_graph.h"

accel_status gaudi_describe_gemm(gaudi_graph *g, const accel_gemm_desc *d);
accel_status gaudi_describe_conv2d(gaudi_graph *g, const accel_conv2d_desc *d);
/* The row-wise family (accel_op_is_row_wise), gaudi_op_rows.c. */
accel_status gaudi_describe_rows(gaudi_graph *g, const accel_op_desc *desc);
accel_status gaudi_describe_eltwise(gaudi_graph *g, const accel_eltwise_desc *d);
accel_status gaudi_describe_permute(gaudi_graph *g, const accel_permute_desc *d);
accel_status gaudi_describe_attention(gaudi_graph *g, const accel_attention_desc *d);

/* The SynapseAI type of an op's element type, or 0 after recording the refusal ("layernorm"). */
synapse_dtype gaudi_op_dtype(gaudi_graph *g, const char *op, accel_dtype t);
/* Records the refusal of a compute type the TPCs and MME do not deliver (they compute in fp32). */
int gaudi_op_compute_ok(gaudi_graph *g, const char *op, accel_compute_type c, accel_dtype t);

#endif
