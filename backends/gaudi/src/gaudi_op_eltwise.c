/* Elementwise ops as TPC nodes in f32 ("mult_fwd", "add_fwd", "relu_fwd", "gelu_fwd", constants for
 * alpha and beta), a straight "memcpy" for copy, and permute as one "transpose" node. */
#include "gaudi_ops.h"

accel_status gaudi_describe_eltwise(gaudi_graph *g, const accel_eltwise_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "eltwise", d->dtype);
    if (g->status != ACCEL_OK) return g->status;
    /* bias_add views X as rows of cols and broadcasts Z over the rows. */
    const int bias_add = d->kind == ACCEL_ELTWISE_BIAS_ADD;
    const int64_t sizes[2] = {bias_add ? d->cols : d->count, bias_add ? d->count / d->cols : 1};
    const int64_t z_sizes[2] = {bias_add ? d->cols : d->count, 1};
    const gaudi_shape shape = gaudi_shape_of(2, sizes);
    const int x = gaudi_graph_operand(g, 0, t, shape);
    const int out = gaudi_graph_operand(g, 2, t, shape);
    if (d->kind == ACCEL_ELTWISE_COPY) {
        gaudi_graph_store(g, x, out);
        return g->status;
    }
    const int binary = d->kind == ACCEL_ELTWISE_ADD || d->kind == ACCEL_ELTWISE_MUL || bias_add;
    const int z = binary ? gaudi_graph_cast(g, gaudi_graph_operand(g, 1, t, gaudi_shape_of(2, z_sizes)), SYNAPSE_DTYPE_F32)
                         : -1;
    const int x32 = gaudi_graph_cast(g, x, SYNAPSE_DTYPE_F32);
    int y = -1;
    switch (d->kind) {
    case ACCEL_ELTWISE_SCALE: y = gaudi_graph_scale(g, x32, d->alpha); break;
    case ACCEL_ELTWISE_ADD:
        y = gaudi_graph_binary(g, "add_fwd", gaudi_graph_scale(g, x32, d->alpha), gaudi_graph_scale(g, z, d->beta));
        break;
    case ACCEL_ELTWISE_MUL: y = gaudi_graph_binary(g, "mult_fwd", gaudi_graph_scale(g, x32, d->alpha), z); break;
    case ACCEL_ELTWISE_RELU: y = gaudi_graph_relu(g, x32); break;
    case ACCEL_ELTWISE_GELU_ERF: y = gaudi_graph_gelu(g, x32, 0); break;
    case ACCEL_ELTWISE_GELU_TANH: y = gaudi_graph_gelu(g, x32, 1); break;
    case ACCEL_ELTWISE_BIAS_ADD: y = gaudi_graph_binary(g, "add_fwd", x32, z); break;
    default: return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: eltwise kind %d unknown", (int)d->kind);
    }
    gaudi_graph_store(g, y, out);
    return g->status;
}

accel_status gaudi_describe_permute(gaudi_graph *g, const accel_permute_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "permute", d->dtype);
    if (g->status != ACCEL_OK) return g->status;
    /* Dimension j fastest-first is row-major dimension nd-1-j; output row-major dimension i is input
     * dimension perm[i], so output fastest-first j is input fastest-first nd-1-perm[nd-1-j]. */
    const int nd = d->ndims;
    int64_t in_sizes[ACCEL_PERMUTE_MAX_DIMS], out_sizes[ACCEL_PERMUTE_MAX_DIMS];
    uint32_t permutation[ACCEL_PERMUTE_MAX_DIMS];
    for (int j = 0; j < nd; ++j) {
        in_sizes[j] = d->dims[nd - 1 - j];
        out_sizes[j] = d->dims[d->perm[nd - 1 - j]];
        permutation[j] = (uint32_t)(nd - 1 - d->perm[nd - 1 - j]);
    }
    const int x = gaudi_graph_operand(g, 0, t, gaudi_shape_of(nd, in_sizes));
    gaudi_graph_store(g, gaudi_graph_transpose(g, x, permutation), gaudi_graph_operand(g, 1, t, gaudi_shape_of(nd, out_sizes)));
    return g->status;
}
