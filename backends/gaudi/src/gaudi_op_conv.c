/* conv2d as one graph around the MME's "spatial_convolution". SynapseAI convolves activations laid
 * out NHWC (sizes {C, W, H, N}) with weights {K, C, S, R} (row-major R, S, C, K): NHWC input goes in
 * as is, KRSC or KCRS weights and NCHW activations through "transpose" nodes. Bias, residual and
 * ReLU are TPC nodes on the fp32 result, which is cast (and for NCHW transposed back) into Y. */
#include "gaudi_ops.h"

static gaudi_shape shape4(int64_t a, int64_t b, int64_t c, int64_t d) {
    const int64_t sizes[4] = {a, b, c, d};
    return gaudi_shape_of(4, sizes);
}

accel_status gaudi_describe_conv2d(gaudi_graph *g, const accel_conv2d_desc *d) {
    const synapse_dtype t = gaudi_op_dtype(g, "conv2d", d->x_type);
    if (g->status != ACCEL_OK) return g->status;
    if (d->w_type != d->x_type || d->y_type != d->x_type)
        return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: conv2d with X, W and Y of different types");
    if (!gaudi_op_compute_ok(g, "conv2d", d->compute, d->x_type)) return g->status;
    const int64_t sh = d->stride_h ? d->stride_h : 1, sw = d->stride_w ? d->stride_w : 1;
    const int64_t dh = d->dil_h ? d->dil_h : 1, dw = d->dil_w ? d->dil_w : 1;
    int64_t p, q;
    accel_conv2d_out_hw(d, &p, &q);
    const int nchw = d->layout == ACCEL_LAYOUT_NCHW;
    const int epilogue = d->epilogue != 0;

    int x = gaudi_graph_operand(g, 0, t, nchw ? shape4(d->w, d->h, d->c, d->n) : shape4(d->c, d->w, d->h, d->n));
    int w = gaudi_graph_operand(g, 1, t, nchw ? shape4(d->s, d->r, d->c, d->k) : shape4(d->c, d->s, d->r, d->k));
    if (nchw) {
        static const uint32_t to_nhwc[4] = {2, 0, 1, 3};      /* {W,H,C,N} -> {C,W,H,N} */
        static const uint32_t kcrs_to_kcsr[4] = {3, 2, 0, 1}; /* {S,R,C,K} -> {K,C,S,R} */
        x = gaudi_graph_transpose(g, x, to_nhwc);
        w = gaudi_graph_transpose(g, w, kcrs_to_kcsr);
    } else {
        static const uint32_t krsc_to_kcsr[4] = {3, 0, 1, 2}; /* {C,S,R,K} -> {K,C,S,R} */
        w = gaudi_graph_transpose(g, w, krsc_to_kcsr);
    }
    const synapse_conv_params params = {
        .kernel_w = (uint32_t)d->s, .kernel_h = (uint32_t)d->r, .stride_w = (uint32_t)sw, .stride_h = (uint32_t)sh,
        .pad_left = (int32_t)d->pad_w, .pad_right = (int32_t)d->pad_w, .pad_top = (int32_t)d->pad_h,
        .pad_bottom = (int32_t)d->pad_h, .dilation_w = (uint32_t)dw, .dilation_h = (uint32_t)dh,
        .activation = {.channels = 1}, .groups = 1};
    const gaudi_shape nhwc_out = shape4(d->k, q, p, d->n);
    int y = gaudi_graph_temp(g, epilogue || nchw ? SYNAPSE_DTYPE_F32 : t, nhwc_out);
    const int in[2] = {x, w};
    gaudi_graph_node(g, "spatial_convolution", in, 2, &y, 1, &params, sizeof params);
    if (nchw) {
        static const uint32_t to_nchw[4] = {1, 2, 0, 3}; /* {K,Q,P,N} -> {Q,P,K,N} */
        y = gaudi_graph_transpose(g, y, to_nchw);
    }
    const gaudi_shape out_shape = nchw ? shape4(q, p, d->k, d->n) : nhwc_out;
    if (d->epilogue & ACCEL_EPILOGUE_BIAS) {
        const int bias = gaudi_graph_operand(g, 2, t, nchw ? shape4(1, 1, d->k, 1) : shape4(d->k, 1, 1, 1));
        y = gaudi_graph_binary(g, "add_fwd", y, gaudi_graph_cast(g, bias, SYNAPSE_DTYPE_F32));
    }
    if (d->epilogue & ACCEL_EPILOGUE_RESIDUAL) {
        const int residual = gaudi_graph_operand(g, 3, t, out_shape);
        y = gaudi_graph_binary(g, "add_fwd", y, gaudi_graph_cast(g, residual, SYNAPSE_DTYPE_F32));
    }
    if (d->epilogue & ACCEL_EPILOGUE_RELU) y = gaudi_graph_relu(g, y);
    gaudi_graph_store(g, y, gaudi_graph_operand(g, 4, t, out_shape));
    return g->status;
}
