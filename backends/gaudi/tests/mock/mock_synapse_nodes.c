/* The node kinds the mock SynapseAI knows, each with the shape rules the real graph compiler
 * applies and a host execution through the fp64 reference (hal/reference): values are read in the
 * tensor's type, computed in fp64 and rounded once into the output's type. GUIDs follow Intel's
 * kernel list: "<kernel>_<type>" for TPC kernels (only the types those kernels exist for), bare
 * names for the MME and data-movement nodes, "cast_<from>_to_<to>". Sizes are fastest-changing
 * first. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel/reference.h"
#include "mock_synapse.h"

typedef const mock_tensor_shape *const *shapes;
typedef void *const *buffers;

accel_dtype mock_accel_dtype(synapse_dtype t) {
    switch (t) {
    case SYNAPSE_DTYPE_F32: return ACCEL_DTYPE_F32;
    case SYNAPSE_DTYPE_BF16: return ACCEL_DTYPE_BF16;
    case SYNAPSE_DTYPE_F16: return ACCEL_DTYPE_F16;
    /* Gaudi 3's fp8_143 is OCP e4m3fn; Gaudi 2's differs above 240, which the backend refuses. */
    case SYNAPSE_DTYPE_FP8_E4M3: return ACCEL_DTYPE_F8_E4M3;
    case SYNAPSE_DTYPE_FP8_E5M2: return ACCEL_DTYPE_F8_E5M2;
    default: return ACCEL_DTYPE_INVALID;
    }
}

uint64_t mock_shape_elements(const mock_tensor_shape *s) {
    uint64_t n = 1;
    for (uint32_t i = 0; i < s->dims; ++i) n *= s->size[i];
    return n;
}

static int same_shape(const mock_tensor_shape *a, const mock_tensor_shape *b) {
    if (a->dims != b->dims) return 0;
    for (uint32_t i = 0; i < a->dims; ++i)
        if (a->size[i] != b->size[i]) return 0;
    return 1;
}

static double load(const mock_tensor_shape *s, const void *data, uint64_t i) {
    return accel_ref_load(mock_accel_dtype(s->dtype), data, (int64_t)i);
}

static void store(const mock_tensor_shape *s, void *data, uint64_t i, double v) {
    accel_ref_store(mock_accel_dtype(s->dtype), data, (int64_t)i, v);
}

static void store_all(const mock_tensor_shape *s, void *data, const double *values) {
    const uint64_t n = mock_shape_elements(s);
    for (uint64_t i = 0; i < n; ++i) store(s, data, i, values[i]);
}

static double *scratch(uint64_t n) { return malloc(sizeof(double) * (size_t)(n ? n : 1)); }

/* Every tensor in the GUID's type (outputs from first_other_output on are exempt). */
static const char *typed_io(const mock_node *n, shapes in, shapes out, int first_other_output) {
    for (int i = 0; i < n->nin; ++i)
        if (in[i]->dtype != n->typed) return "an input's type differs from the GUID's";
    for (int i = 0; i < n->nout && i < first_other_output; ++i)
        if (out[i]->dtype != n->typed) return "an output's type differs from the GUID's";
    return NULL;
}

/* ---- MME: gemm (2-D) and batch_gemm (batch dimensions after the two matrix ones, equal) ---- */

/* Row-major A[M][K] is {K, M}, B[K][N] is {N, K}, the output {N, M}; transposed operands come as
 * {M, K} and {K, N}. */
static void gemm_geometry(const mock_node *n, shapes in, uint64_t *m, uint64_t *k, uint64_t *nn, uint64_t *kb) {
    synapse_gemm_params p;
    memcpy(&p, n->params, sizeof p);
    *k = p.transpose_a ? in[0]->size[1] : in[0]->size[0];
    *m = p.transpose_a ? in[0]->size[0] : in[0]->size[1];
    *kb = p.transpose_b ? in[1]->size[0] : in[1]->size[1];
    *nn = p.transpose_b ? in[1]->size[1] : in[1]->size[0];
}

static const char *check_gemm(const mock_node *n, shapes in, shapes out) {
    const uint32_t dims = in[0]->dims;
    const int batched = strcmp(n->guid, "batch_gemm") == 0;
    if (in[1]->dims != dims || out[0]->dims != dims || (batched ? dims < 3 : dims != 2))
        return batched ? "batch_gemm takes tensors of 3 or more dims, all alike" : "gemm takes 2-D tensors";
    const int fp8 = synapse_dtype_bytes(in[0]->dtype) == 1;
    if (fp8 ? synapse_dtype_bytes(in[1]->dtype) != 1 : in[0]->dtype != in[1]->dtype)
        return "A and B of different types";
    if (synapse_dtype_bytes(out[0]->dtype) < 2) return "an fp8 output";
    uint64_t m, k, nn, kb;
    gemm_geometry(n, in, &m, &k, &nn, &kb);
    if (k != kb) return "A and B disagree on K";
    if (out[0]->size[0] != nn || out[0]->size[1] != m) return "the output is not N x M";
    for (uint32_t d = 2; d < dims; ++d)
        if (in[0]->size[d] != out[0]->size[d] || in[1]->size[d] != out[0]->size[d]) return "batch dimensions differ";
    return NULL;
}

static void run_gemm(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    synapse_gemm_params p;
    memcpy(&p, n->params, sizeof p);
    uint64_t m, k, nn, kb;
    gemm_geometry(n, in, &m, &k, &nn, &kb);
    const uint64_t batch = mock_shape_elements(out[0]) / (m * nn);
    accel_gemm_desc d;
    memset(&d, 0, sizeof d);
    d.a_type = mock_accel_dtype(in[0]->dtype);
    d.b_type = mock_accel_dtype(in[1]->dtype);
    d.c_type = d.d_type = ACCEL_DTYPE_F64;
    d.trans_a = p.transpose_a;
    d.trans_b = p.transpose_b;
    d.m = (int64_t)m;
    d.n = (int64_t)nn;
    d.k = (int64_t)k;
    d.batch = (int64_t)batch;
    d.alpha = 1.0;
    for (uint64_t b = 0; b < batch; ++b)
        for (uint64_t i = 0; i < m; ++i)
            for (uint64_t j = 0; j < nn; ++j) {
                double v;
                accel_ref_gemm_element(&d, in_data[0], in_data[1], NULL, NULL, (int64_t)b, (int64_t)i, (int64_t)j, &v, NULL);
                store(out[0], out_data[0], (b * m + i) * nn + j, v);
            }
}

/* ---- MME: spatial_convolution, activations {C, W, H, N}, weights {K, C, S, R} ---- */

static const char *check_conv(const mock_node *n, shapes in, shapes out) {
    synapse_conv_params p;
    memcpy(&p, n->params, sizeof p);
    const mock_tensor_shape *x = in[0], *w = in[1], *y = out[0];
    if (x->dims != 4 || w->dims != 4 || y->dims != 4) return "activations and weights are 4-D";
    if (x->dtype != w->dtype || synapse_dtype_bytes(y->dtype) < 2) return "X and W of different types, or an fp8 output";
    if (p.groups != 1 || p.activation.relu_enable) return "groups and fused activation are not modelled";
    if (p.pad_left != p.pad_right || p.pad_top != p.pad_bottom)
        return "asymmetric padding is not modelled by the mock";
    if (w->size[1] != x->size[0] || w->size[2] != p.kernel_w || w->size[3] != p.kernel_h)
        return "weights are not {K, C, S, R} for this input and kernel size";
    const uint64_t q = (x->size[1] + 2 * (uint64_t)p.pad_left - p.dilation_w * (p.kernel_w - 1) - 1) / p.stride_w + 1;
    const uint64_t pp = (x->size[2] + 2 * (uint64_t)p.pad_top - p.dilation_h * (p.kernel_h - 1) - 1) / p.stride_h + 1;
    if (y->size[0] != w->size[0] || y->size[1] != q || y->size[2] != pp || y->size[3] != x->size[3])
        return "the output is not {K, Q, P, N}";
    return NULL;
}

static void run_conv(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    synapse_conv_params p;
    memcpy(&p, n->params, sizeof p);
    const mock_tensor_shape *x = in[0], *w = in[1];
    const uint64_t K = w->size[0], C = w->size[1], S = w->size[2], R = w->size[3];
    /* The reference takes NHWC activations as they are and weights as KRSC. */
    double *krsc = scratch(K * R * S * C), *y = scratch(mock_shape_elements(out[0]));
    for (uint64_t r = 0; r < R; ++r)
        for (uint64_t s = 0; s < S; ++s)
            for (uint64_t c = 0; c < C; ++c)
                for (uint64_t k = 0; k < K; ++k)
                    krsc[((k * R + r) * S + s) * C + c] = load(w, in_data[1], ((r * S + s) * C + c) * K + k);
    accel_conv2d_desc d;
    memset(&d, 0, sizeof d);
    d.layout = ACCEL_LAYOUT_NHWC;
    d.x_type = mock_accel_dtype(x->dtype);
    d.w_type = ACCEL_DTYPE_F64;
    d.y_type = mock_accel_dtype(out[0]->dtype);
    d.n = (int64_t)x->size[3];
    d.h = (int64_t)x->size[2];
    d.w = (int64_t)x->size[1];
    d.c = (int64_t)C;
    d.k = (int64_t)K;
    d.r = (int64_t)R;
    d.s = (int64_t)S;
    d.stride_h = p.stride_h;
    d.stride_w = p.stride_w;
    d.pad_h = p.pad_top;
    d.pad_w = p.pad_left;
    d.dil_h = p.dilation_h;
    d.dil_w = p.dilation_w;
    accel_ref_conv2d(&d, in_data[0], krsc, NULL, NULL, y);
    store_all(out[0], out_data[0], y);
    free(krsc);
    free(y);
}

/* ---- data movement ---- */

static const char *check_transpose(const mock_node *n, shapes in, shapes out) {
    synapse_transpose_params p;
    memcpy(&p, n->params, sizeof p);
    if (p.dims != in[0]->dims || out[0]->dims != in[0]->dims || in[0]->dtype != out[0]->dtype)
        return "permutation, input and output disagree on rank or type";
    unsigned seen = 0;
    for (uint32_t i = 0; i < p.dims; ++i) {
        if (p.permutation[i] >= p.dims || (seen & (1u << p.permutation[i]))) return "not a permutation";
        seen |= 1u << p.permutation[i];
        if (out[0]->size[i] != in[0]->size[p.permutation[i]]) return "output dimension i is not input dimension perm[i]";
    }
    return NULL;
}

static void run_transpose(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    synapse_transpose_params p;
    memcpy(&p, n->params, sizeof p);
    /* As the reference's row-major permute: row-major dimension i is dimension dims-1-i here. */
    accel_permute_desc d;
    memset(&d, 0, sizeof d);
    const int nd = (int)p.dims;
    d.dtype = mock_accel_dtype(in[0]->dtype);
    d.ndims = nd;
    for (int i = 0; i < nd; ++i) {
        d.dims[i] = (int64_t)in[0]->size[nd - 1 - i];
        d.perm[i] = nd - 1 - (int)p.permutation[nd - 1 - i];
    }
    double *y = scratch(mock_shape_elements(out[0]));
    accel_ref_permute(&d, in_data[0], y);
    store_all(out[0], out_data[0], y);
    free(y);
}

static const char *check_copy(const mock_node *n, shapes in, shapes out) {
    (void)n;
    return same_shape(in[0], out[0]) && in[0]->dtype == out[0]->dtype ? NULL : "input and output differ";
}

static void run_memcpy(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    (void)n;
    (void)out;
    memmove(out_data[0], in_data[0], (size_t)(mock_shape_elements(in[0]) * synapse_dtype_bytes(in[0]->dtype)));
}

static const char *check_cast(const mock_node *n, shapes in, shapes out) {
    synapse_cast_params p;
    memcpy(&p, n->params, sizeof p);
    if (p.round_mode != SYNAPSE_CAST_ROUND_HALF_NE) return "the mock models round-half-to-even casts only";
    if (in[0]->dtype != n->typed || out[0]->dtype != n->cast_to) return "tensor types differ from the GUID's";
    return same_shape(in[0], out[0]) ? NULL : "input and output shapes differ";
}

/* Elementwise in fp64, rounded once into the output (a cast is exactly this). */
static void run_cast(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    (void)n;
    const uint64_t count = mock_shape_elements(out[0]);
    for (uint64_t i = 0; i < count; ++i) store(out[0], out_data[0], i, load(in[0], in_data[0], i));
}

static const char *check_constant(const mock_node *n, shapes in, shapes out) {
    (void)in;
    return typed_io(n, in, out, 1);
}

static void run_constant(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    (void)in;
    (void)in_data;
    synapse_constant_params p;
    memcpy(&p, n->params, sizeof p);
    const uint64_t count = mock_shape_elements(out[0]);
    for (uint64_t i = 0; i < count; ++i) store(out[0], out_data[0], i, p.value);
}

/* ---- TPC elementwise: binary with broadcasting over dimensions of 1, unary ---- */

static const char *check_binary(const mock_node *n, shapes in, shapes out) {
    const char *why = typed_io(n, in, out, 1);
    if (why) return why;
    if (in[0]->dims != out[0]->dims || in[1]->dims != out[0]->dims) return "operands of different ranks";
    for (uint32_t d = 0; d < out[0]->dims; ++d) {
        const uint64_t a = in[0]->size[d], b = in[1]->size[d], o = out[0]->size[d];
        if ((a != o && a != 1) || (b != o && b != 1) || o != (a > b ? a : b)) return "shapes do not broadcast to the output";
    }
    return NULL;
}

static uint64_t broadcast_index(const mock_tensor_shape *s, const mock_tensor_shape *out, uint64_t o) {
    uint64_t index = 0, stride = 1;
    for (uint32_t d = 0; d < out->dims; ++d) {
        const uint64_t c = o % out->size[d];
        o /= out->size[d];
        if (s->size[d] != 1) index += c * stride;
        stride *= s->size[d];
    }
    return index;
}

static void run_binary(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    const int add = strncmp(n->guid, "add_fwd", 7) == 0;
    const uint64_t count = mock_shape_elements(out[0]);
    double *y = scratch(count);
    for (uint64_t o = 0; o < count; ++o) {
        const double a = load(in[0], in_data[0], broadcast_index(in[0], out[0], o));
        const double b = load(in[1], in_data[1], broadcast_index(in[1], out[0], o));
        y[o] = add ? a + b : a * b;
    }
    store_all(out[0], out_data[0], y);
    free(y);
}

static const char *check_unary(const mock_node *n, shapes in, shapes out) {
    const char *why = typed_io(n, in, out, n->nout);
    if (why) return why;
    for (int i = 0; i < n->nout; ++i)
        if (!same_shape(in[0], out[i])) return "input and output shapes differ";
    return NULL;
}

static void run_unary(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    const int relu = strncmp(n->guid, "relu_fwd", 8) == 0;
    synapse_gelu_params gelu = {false};
    if (!relu) memcpy(&gelu, n->params, sizeof gelu);
    const uint64_t count = mock_shape_elements(out[0]);
    double *y = scratch(count);
    for (uint64_t i = 0; i < count; ++i) {
        const double x = load(in[0], in_data[0], i);
        y[i] = relu ? (x > 0.0 ? x : 0.0) : gelu.approximation ? accel_ref_gelu_tanh(x) : accel_ref_gelu_erf(x);
    }
    store_all(out[0], out_data[0], y);
    if (n->nout > 1) run_memcpy(n, in, in_data, out + 1, out_data + 1); /* what the backward pass keeps */
    free(y);
}

/* ---- TPC row ops: softmax over dimension 0, layer_norm_fwd over dimension 0 ---- */

static const char *check_softmax(const mock_node *n, shapes in, shapes out) {
    synapse_softmax_params p;
    memcpy(&p, n->params, sizeof p);
    if (p.dim != 0) return "the mock models softmax over dimension 0 only";
    return check_unary(n, in, out);
}

static void run_softmax(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    (void)n;
    accel_softmax_desc d;
    memset(&d, 0, sizeof d);
    d.dtype = mock_accel_dtype(in[0]->dtype);
    d.cols = (int64_t)in[0]->size[0];
    d.rows = (int64_t)(mock_shape_elements(in[0]) / in[0]->size[0]);
    d.scale = 1.0;
    double *y = scratch(mock_shape_elements(out[0]));
    accel_ref_softmax(&d, in_data[0], NULL, y);
    store_all(out[0], out_data[0], y);
    free(y);
}

static const char *check_layernorm(const mock_node *n, shapes in, shapes out) {
    synapse_layernorm_params p;
    memcpy(&p, n->params, sizeof p);
    const char *why = typed_io(n, in, out, 1);
    if (why) return why;
    if (!p.eps_valid) return "eps not marked valid";
    const uint64_t cols = in[0]->size[0], rows = mock_shape_elements(in[0]) / cols;
    if (mock_shape_elements(in[1]) != cols || mock_shape_elements(in[2]) != cols) return "beta and gamma are not C long";
    if (!same_shape(in[0], out[0])) return "y is not shaped like x";
    for (int i = 1; i < 3; ++i)
        if (mock_shape_elements(out[i]) != rows || out[i]->dtype != SYNAPSE_DTYPE_F32)
            return "mean and inverse std are not one f32 per row";
    return NULL;
}

static void run_layernorm(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    synapse_layernorm_params p;
    memcpy(&p, n->params, sizeof p);
    accel_layernorm_desc d;
    memset(&d, 0, sizeof d);
    d.dtype = mock_accel_dtype(n->typed);
    d.cols = (int64_t)in[0]->size[0];
    d.rows = (int64_t)(mock_shape_elements(in[0]) / in[0]->size[0]);
    d.eps = p.eps;
    double *y = scratch(mock_shape_elements(out[0]));
    /* Inputs are x, beta, gamma; the reference takes gamma before beta. */
    accel_ref_layernorm(&d, in_data[0], NULL, in_data[2], in_data[1], y);
    store_all(out[0], out_data[0], y);
    for (int64_t r = 0; r < d.rows; ++r) {
        double mean = 0, var = 0;
        for (int64_t j = 0; j < d.cols; ++j) mean += load(in[0], in_data[0], (uint64_t)(r * d.cols + j));
        mean /= (double)d.cols;
        for (int64_t j = 0; j < d.cols; ++j) {
            const double t = load(in[0], in_data[0], (uint64_t)(r * d.cols + j)) - mean;
            var += t * t;
        }
        store(out[1], out_data[1], (uint64_t)r, mean);
        store(out[2], out_data[2], (uint64_t)r, 1.0 / sqrt(var / (double)d.cols + p.eps));
    }
    free(y);
}

static const char *check_rmsnorm(const mock_node *n, shapes in, shapes out) {
    synapse_layernorm_params p;
    memcpy(&p, n->params, sizeof p);
    const char *why = typed_io(n, in, out, 1);
    if (why) return why;
    if (!p.eps_valid) return "eps not marked valid";
    const uint64_t cols = in[0]->size[0], rows = mock_shape_elements(in[0]) / cols;
    if (mock_shape_elements(in[1]) != cols) return "gamma is not C long";
    if (!same_shape(in[0], out[0])) return "y is not shaped like x";
    if (mock_shape_elements(out[1]) != rows || out[1]->dtype != SYNAPSE_DTYPE_F32)
        return "the inverse rms is not one f32 per row";
    return NULL;
}

static void run_rmsnorm(const mock_node *n, shapes in, buffers in_data, shapes out, buffers out_data) {
    synapse_layernorm_params p;
    memcpy(&p, n->params, sizeof p);
    accel_rmsnorm_desc d;
    memset(&d, 0, sizeof d);
    d.dtype = mock_accel_dtype(n->typed);
    d.cols = (int64_t)in[0]->size[0];
    d.rows = (int64_t)(mock_shape_elements(in[0]) / in[0]->size[0]);
    d.eps = p.eps;
    double *y = scratch(mock_shape_elements(out[0]));
    accel_ref_rmsnorm(&d, in_data[0], in_data[1], y);
    store_all(out[0], out_data[0], y);
    for (int64_t r = 0; r < d.rows; ++r) {
        double sq = 0;
        for (int64_t j = 0; j < d.cols; ++j) {
            const double v = load(in[0], in_data[0], (uint64_t)(r * d.cols + j));
            sq += v * v;
        }
        store(out[1], out_data[1], (uint64_t)r, 1.0 / sqrt(sq / (double)d.cols + p.eps));
    }
    free(y);
}

/* ---- the table and GUID parsing ---- */

#define F32 SYNAPSE_DTYPE_F32
#define BF16 SYNAPSE_DTYPE_BF16
#define F16 SYNAPSE_DTYPE_F16

typedef struct mock_kind_entry {
    mock_kind kind;
    int types; /* typed kinds: the suffixes Intel's kernel list offers */
} mock_kind_entry;

static const mock_kind_entry kinds[] = {
    {{"gemm", 0, 2, 2, 1, 1, sizeof(synapse_gemm_params), check_gemm, run_gemm}, 0},
    {{"batch_gemm", 0, 2, 2, 1, 1, sizeof(synapse_gemm_params), check_gemm, run_gemm}, 0},
    {{"spatial_convolution", 0, 2, 2, 1, 1, sizeof(synapse_conv_params), check_conv, run_conv}, 0},
    {{"transpose", 0, 1, 1, 1, 1, sizeof(synapse_transpose_params), check_transpose, run_transpose}, 0},
    {{"memcpy", 0, 1, 1, 1, 1, 0, check_copy, run_memcpy}, 0},
    {{"cast", 1, 1, 1, 1, 1, sizeof(synapse_cast_params), check_cast, run_cast}, F32 | BF16 | F16},
    {{"constant", 1, 0, 0, 1, 1, sizeof(synapse_constant_params), check_constant, run_constant}, F32},
    {{"add_fwd", 1, 2, 2, 1, 1, 0, check_binary, run_binary}, F32 | BF16 | F16},
    {{"mult_fwd", 1, 2, 2, 1, 1, 0, check_binary, run_binary}, F32 | BF16 | F16},
    {{"relu_fwd", 1, 1, 1, 1, 1, 0, check_unary, run_unary}, F32 | BF16 | F16},
    {{"gelu_fwd", 1, 1, 1, 1, 2, sizeof(synapse_gelu_params), check_unary, run_unary}, F32 | BF16},
    {{"softmax_fwd", 1, 1, 1, 1, 1, sizeof(synapse_softmax_params), check_softmax, run_softmax}, F32 | BF16},
    {{"layer_norm_fwd", 1, 3, 3, 3, 3, sizeof(synapse_layernorm_params), check_layernorm, run_layernorm}, F32 | BF16},
    {{"rms_norm_ex_fwd", 1, 2, 2, 2, 2, sizeof(synapse_layernorm_params), check_rmsnorm, run_rmsnorm}, F32 | BF16 | F16},
};

static synapse_dtype parse_suffix(const char *s) {
    if (strcmp(s, "f32") == 0) return F32;
    if (strcmp(s, "bf16") == 0) return BF16;
    if (strcmp(s, "f16") == 0) return F16;
    return 0;
}

const char *mock_node_resolve(mock_node *n, const char *guid) {
    snprintf(n->guid, sizeof n->guid, "%s", guid);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; ++i) {
        const mock_kind_entry *e = &kinds[i];
        const size_t len = strlen(e->kind.base);
        if (!e->kind.typed) {
            if (strcmp(guid, e->kind.base) != 0) continue;
            n->kind = &e->kind;
            return NULL;
        }
        if (strncmp(guid, e->kind.base, len) != 0 || guid[len] != '_') continue;
        const char *suffix = guid + len + 1;
        if (strcmp(e->kind.base, "cast") == 0) {
            char from[8] = "";
            const char *to = strstr(suffix, "_to_");
            if (!to || (size_t)(to - suffix) >= sizeof from) return "unknown cast";
            memcpy(from, suffix, (size_t)(to - suffix));
            n->typed = parse_suffix(from);
            n->cast_to = parse_suffix(to + 4);
            if (!n->typed || !n->cast_to || n->typed == n->cast_to) return "unknown cast";
        } else {
            n->typed = parse_suffix(suffix);
            if (!(n->typed & e->types)) return "no such type variant of the kernel";
        }
        n->kind = &e->kind;
        return NULL;
    }
    return "unknown GUID";
}
