/* Row-wise ops on the TPCs, in f32 between a cast in and a cast out: layernorm ("layer_norm_fwd",
 * inputs x, beta, gamma; outputs y, mean, inverse std) after an optional residual add, rmsnorm
 * ("rms_norm_ex_fwd", inputs x, gamma; outputs y, inverse rms), and softmax ("softmax_fwd" over
 * dimension 0) after the scale and the additive mask. */
#include "gaudi_ops.h"

static gaudi_shape shape2(int64_t fast, int64_t slow) {
    const int64_t sizes[2] = {fast, slow};
    return gaudi_shape_of(2, sizes);
}

static accel_status gaudi_describe_layernorm(gaudi_graph *g, const accel_layernorm_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "layernorm", d->dtype);
    if (g->status != ACCEL_OK) return g->status;
    const gaudi_shape rows = shape2(d->cols, d->rows);
    const int64_t cols = d->cols;
    int x = gaudi_graph_cast(g, gaudi_graph_operand(g, 0, t, rows), SYNAPSE_DTYPE_F32);
    if (d->has_residual)
        x = gaudi_graph_binary(g, "add_fwd", x, gaudi_graph_cast(g, gaudi_graph_operand(g, 1, t, rows), SYNAPSE_DTYPE_F32));
    const int gamma = gaudi_graph_cast(g, gaudi_graph_operand(g, 2, t, gaudi_shape_of(1, &cols)), SYNAPSE_DTYPE_F32);
    const int beta = gaudi_graph_cast(g, gaudi_graph_operand(g, 3, t, gaudi_shape_of(1, &cols)), SYNAPSE_DTYPE_F32);
    const int out[3] = {gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, rows),
                        gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, shape2(1, d->rows)),
                        gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, shape2(1, d->rows))};
    const int in[3] = {x, beta, gamma};
    const synapse_layernorm_params params = {true, (float)d->eps};
    gaudi_graph_node(g, "layer_norm_fwd_f32", in, 3, out, 3, &params, sizeof params);
    gaudi_graph_store(g, out[0], gaudi_graph_operand(g, 4, t, rows));
    return g->status;
}

static accel_status gaudi_describe_rmsnorm(gaudi_graph *g, const accel_rmsnorm_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "rmsnorm", d->dtype);
    if (g->status != ACCEL_OK) return g->status;
    const gaudi_shape rows = shape2(d->cols, d->rows);
    const int64_t cols = d->cols;
    const int in[2] = {gaudi_graph_cast(g, gaudi_graph_operand(g, 0, t, rows), SYNAPSE_DTYPE_F32),
                       gaudi_graph_cast(g, gaudi_graph_operand(g, 1, t, gaudi_shape_of(1, &cols)), SYNAPSE_DTYPE_F32)};
    const int out[2] = {gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, rows),
                        gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, shape2(1, d->rows))};
    const synapse_layernorm_params params = {true, (float)d->eps};
    gaudi_graph_node(g, "rms_norm_ex_fwd_f32", in, 2, out, 2, &params, sizeof params);
    gaudi_graph_store(g, out[0], gaudi_graph_operand(g, 2, t, rows));
    return g->status;
}

static accel_status gaudi_describe_softmax(gaudi_graph *g, const accel_softmax_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "softmax", d->dtype);
    if (g->status != ACCEL_OK) return g->status;
    /* With a mask, rows are grouped by the mask row they share: {cols, rows per mask row, mask rows}
     * against a mask of {cols, 1, mask rows} that broadcasts over the middle dimension. */
    const int64_t rpm = d->rows_per_mask_row;
    const int64_t sizes[3] = {d->cols, rpm > 0 ? rpm : d->rows, rpm > 0 ? d->rows / rpm : 1};
    const gaudi_shape shape = gaudi_shape_of(3, sizes);
    int x = gaudi_graph_scale(g, gaudi_graph_cast(g, gaudi_graph_operand(g, 0, t, shape), SYNAPSE_DTYPE_F32), d->scale);
    if (rpm > 0) {
        const int64_t mask_sizes[3] = {d->cols, 1, d->rows / rpm};
        /* Absent at execute = no mask: a plan-owned mask of zeros. */
        x = gaudi_graph_binary(g, "add_fwd", x, gaudi_graph_operand_or(g, 1, gaudi_shape_of(3, mask_sizes), 0.0f));
    }
    const int y = gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, shape);
    const synapse_softmax_params params = {0};
    gaudi_graph_node(g, "softmax_fwd_f32", &x, 1, &y, 1, &params, sizeof params);
    gaudi_graph_store(g, y, gaudi_graph_operand(g, 2, t, shape));
    return g->status;
}

accel_status gaudi_describe_rows(gaudi_graph *g, const accel_op_desc *desc) {
    switch (desc->kind) {
    case ACCEL_OP_LAYERNORM: return gaudi_describe_layernorm(g, &desc->u.layernorm);
    case ACCEL_OP_RMSNORM: return gaudi_describe_rmsnorm(g, &desc->u.rmsnorm);
    case ACCEL_OP_SOFTMAX: return gaudi_describe_softmax(g, &desc->u.softmax);
    default:
        return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: %s is not a row-wise op here",
                                accel_op_kind_label(desc->kind));
    }
}
