/* GEMM and batched GEMM as one graph: the MME node ("gemm", or "batch_gemm" with the batch as the
 * slowest dimension) with its transposes as parameters, then alpha, the fp8 scales, beta C, the bias
 * and the activation as TPC nodes on an fp32 intermediate, and one cast into D. With no epilogue the
 * MME writes D itself. */
#include <string.h>

#include "gaudi_ops.h"

/* The operand is packed when its leading dimension and batch stride are 0 or the packed value:
 * SynapseAI tensors are dense (synTensorSetDeviceFullLayout takes no strides). */
static int packed(int64_t ld, int64_t cols, int64_t stride, int64_t rows, int64_t batch) {
    return (ld == 0 || ld == cols) && (batch == 1 || stride == 0 || stride == rows * cols);
}

/* Shape of a rows x cols row-major matrix per batch, fastest-changing first. */
static gaudi_shape matrix_shape(int64_t rows, int64_t cols, int64_t batch) {
    const int64_t sizes[3] = {cols, rows, batch};
    return gaudi_shape_of(batch > 1 ? 3 : 2, sizes);
}

static int refuse_layout(gaudi_graph *g, const accel_gemm_desc *d) {
    const int ok = packed(d->lda, d->trans_a ? d->m : d->k, d->stride_a, d->trans_a ? d->k : d->m, d->batch) &&
                   packed(d->ldb, d->trans_b ? d->k : d->n, d->stride_b, d->trans_b ? d->n : d->k, d->batch) &&
                   (d->beta == 0.0 || packed(d->ldc, d->n, d->stride_c, d->m, d->batch)) &&
                   packed(d->ldd, d->n, d->stride_d, d->m, d->batch) &&
                   (!(d->epilogue & ACCEL_EPILOGUE_BIAS) || d->batch == 1 || d->stride_bias == 0 ||
                    d->stride_bias == d->n);
    if (!ok)
        gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED,
                         "gaudi: GEMM with leading dimensions or batch strides other than packed: "
                         "SynapseAI tensors are dense (no strided views are wired here)");
    return !ok;
}

static int refuse_types(gaudi_graph *g, const accel_gemm_desc *d) {
    const int fp8 = accel_dtype_is_fp8(d->a_type);
    if (!fp8 && d->a_type != d->b_type)
        return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: GEMM with A and B of different types") != ACCEL_OK;
    if (fp8 && g->dev->info.device_type == SYNAPSE_DEVICE_GAUDI2 &&
        (d->a_type == ACCEL_DTYPE_F8_E4M3 || d->b_type == ACCEL_DTYPE_F8_E4M3))
        return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED,
                                "gaudi: fp8 e4m3 on Gaudi 2: its e4m3 keeps IEEE-style infinities (range "
                                "240) and is not the OCP e4m3fn of F8_E4M3 (range 448); e5m2 runs") != ACCEL_OK;
    if (!fp8 && !gaudi_op_compute_ok(g, "gemm", d->compute, d->a_type)) return 1;
    if (d->scale_type != ACCEL_DTYPE_INVALID && d->scale_type != ACCEL_DTYPE_F32)
        return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: GEMM alpha/beta are applied in f32") != ACCEL_OK;
    return 0;
}

accel_status gaudi_describe_gemm(gaudi_graph *g, const accel_gemm_desc *d) {
    const synapse_dtype ta = gaudi_op_dtype(g, "gemm", d->a_type), tb = gaudi_op_dtype(g, "gemm", d->b_type);
    const synapse_dtype td = gaudi_op_dtype(g, "gemm output", d->d_type);
    if (g->status != ACCEL_OK || refuse_types(g, d) || refuse_layout(g, d)) return g->status;
    const int fp8 = accel_dtype_is_fp8(d->a_type);
    const int bias = (d->epilogue & ACCEL_EPILOGUE_BIAS) != 0;
    const int activation = (d->epilogue & (ACCEL_EPILOGUE_RELU | ACCEL_EPILOGUE_GELU_ERF | ACCEL_EPILOGUE_GELU_TANH)) != 0;
    const int direct = !fp8 && d->alpha == 1.0 && d->beta == 0.0 && !bias && !activation;

    const gaudi_shape out_shape = matrix_shape(d->m, d->n, d->batch);
    const int a = gaudi_graph_operand(g, 0, ta, d->trans_a ? matrix_shape(d->k, d->m, d->batch)
                                                          : matrix_shape(d->m, d->k, d->batch));
    const int b = gaudi_graph_operand(g, 1, tb, d->trans_b ? matrix_shape(d->n, d->k, d->batch)
                                                          : matrix_shape(d->k, d->n, d->batch));
    int p = gaudi_graph_temp(g, direct ? td : SYNAPSE_DTYPE_F32, out_shape);
    const synapse_gemm_params params = {d->trans_a != 0, d->trans_b != 0};
    const int in[2] = {a, b};
    gaudi_graph_node(g, d->batch > 1 ? "batch_gemm" : "gemm", in, 2, &p, 1, &params, sizeof params);

    if (fp8) {
        /* Per-tensor dequantisation scales, one f32 each in device memory; absent = 1. */
        gaudi_shape one = out_shape;
        for (int i = 0; i < one.dims; ++i) one.size[i] = 1;
        p = gaudi_graph_binary(g, "mult_fwd", p, gaudi_graph_operand_or(g, 5, one, 1.0f));
        p = gaudi_graph_binary(g, "mult_fwd", p, gaudi_graph_operand_or(g, 6, one, 1.0f));
    }
    p = gaudi_graph_scale(g, p, d->alpha);
    if (d->beta != 0.0) {
        const int c = gaudi_graph_operand(g, 2, gaudi_op_dtype(g, "gemm C", d->c_type), out_shape);
        p = gaudi_graph_binary(g, "add_fwd", p, gaudi_graph_scale(g, gaudi_graph_cast(g, c, SYNAPSE_DTYPE_F32), d->beta));
    }
    if (bias) {
        const accel_dtype bias_type = d->bias_type ? d->bias_type : d->d_type;
        const int per_batch = d->batch > 1 && d->stride_bias != 0;
        const int64_t sizes[3] = {d->n, 1, per_batch ? d->batch : 1};
        const int x = gaudi_graph_operand(g, 4, gaudi_op_dtype(g, "gemm bias", bias_type),
                                          gaudi_shape_of(out_shape.dims, sizes));
        p = gaudi_graph_binary(g, "add_fwd", p, gaudi_graph_cast(g, x, SYNAPSE_DTYPE_F32));
    }
    if (d->epilogue & ACCEL_EPILOGUE_RELU) p = gaudi_graph_relu(g, p);
    if (d->epilogue & ACCEL_EPILOGUE_GELU_ERF) p = gaudi_graph_gelu(g, p, 0);
    if (d->epilogue & ACCEL_EPILOGUE_GELU_TANH) p = gaudi_graph_gelu(g, p, 1);
    gaudi_graph_store(g, p, gaudi_graph_operand(g, 3, td, out_shape));
    return g->status;
}
