/* Describing an op graph: tensors, nodes, constants (no SynapseAI call here; see
 * gaudi_graph_compile.c). TPC kernel names are "<kernel>_<type>" as in Intel's kernel list
 * (perf_lib_layer_params.h); the MME and data-movement nodes ("gemm", "batch_gemm",
 * "spatial_convolution", "transpose", "memcpy") take their types from their tensors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaudi_graph.h"

void gaudi_graph_begin(gaudi_graph *g, accel_gaudi_device *dev) {
    memset(g, 0, sizeof *g);
    g->dev = dev;
}

void gaudi_graph_end(gaudi_graph *g) {
    free(g->constants);
    g->constants = NULL;
    g->constants_bytes = g->constants_capacity = 0;
}

accel_status gaudi_graph_fail(gaudi_graph *g, accel_status st, const char *fmt, ...) {
    if (g->status != ACCEL_OK) return g->status;
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g->status = g->dev->ctx->host->set_error(st, "%s", msg);
    return g->status;
}

gaudi_shape gaudi_shape_of(int dims, const int64_t *sizes) {
    gaudi_shape s;
    memset(&s, 0, sizeof s);
    s.dims = dims;
    for (int i = 0; i < dims && i < GAUDI_GRAPH_MAX_DIMS; ++i) s.size[i] = (uint64_t)sizes[i];
    return s;
}

uint64_t gaudi_shape_elements(const gaudi_shape *s) {
    uint64_t n = 1;
    for (int i = 0; i < s->dims; ++i) n *= s->size[i];
    return n;
}

static int same_shape(const gaudi_shape *a, const gaudi_shape *b) {
    if (a->dims != b->dims) return 0;
    for (int i = 0; i < a->dims; ++i)
        if (a->size[i] != b->size[i]) return 0;
    return 1;
}

const char *gaudi_dtype_suffix(synapse_dtype t) {
    switch (t) {
    case SYNAPSE_DTYPE_F32: return "f32";
    case SYNAPSE_DTYPE_BF16: return "bf16";
    case SYNAPSE_DTYPE_F16: return "f16";
    case SYNAPSE_DTYPE_FP8_E4M3: return "hf8";
    case SYNAPSE_DTYPE_FP8_E5M2: return "f8";
    default: return NULL;
    }
}

synapse_dtype gaudi_dtype_from_accel(accel_dtype t) {
    switch (t) {
    case ACCEL_DTYPE_F32: return SYNAPSE_DTYPE_F32;
    case ACCEL_DTYPE_BF16: return SYNAPSE_DTYPE_BF16;
    case ACCEL_DTYPE_F16: return SYNAPSE_DTYPE_F16;
    case ACCEL_DTYPE_F8_E4M3: return SYNAPSE_DTYPE_FP8_E4M3;
    case ACCEL_DTYPE_F8_E5M2: return SYNAPSE_DTYPE_FP8_E5M2;
    default: return 0;
    }
}

static int new_tensor(gaudi_graph *g, synapse_dtype t, gaudi_shape shape, int operand) {
    if (g->status != ACCEL_OK) return -1;
    if (g->ntensors == GAUDI_GRAPH_MAX_TENSORS) {
        gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: op graph needs more than %d tensors", GAUDI_GRAPH_MAX_TENSORS);
        return -1;
    }
    if (shape.dims < 1 || shape.dims > GAUDI_GRAPH_MAX_DIMS || !synapse_dtype_bytes(t)) {
        gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: tensor of %d dims, type %d", shape.dims, (int)t);
        return -1;
    }
    gaudi_tensor_desc *x = &g->tensors[g->ntensors];
    memset(x, 0, sizeof *x);
    x->dtype = t;
    x->shape = shape;
    x->operand = operand;
    x->alias = -1;
    return g->ntensors++;
}

int gaudi_graph_operand(gaudi_graph *g, int operand, synapse_dtype t, gaudi_shape shape) {
    return new_tensor(g, t, shape, operand);
}

int gaudi_graph_operand_or(gaudi_graph *g, int operand, gaudi_shape shape, float value) {
    int x = new_tensor(g, SYNAPSE_DTYPE_F32, shape, operand);
    if (x < 0) return -1;
    const size_t bytes = (size_t)gaudi_shape_elements(&shape) * sizeof value;
    /* Constants start on 128-byte boundaries, the alignment SynapseAI asks of device addresses. */
    const size_t at = (g->constants_bytes + 127) & ~(size_t)127;
    if (at + bytes > g->constants_capacity) {
        size_t capacity = g->constants_capacity ? g->constants_capacity : 4096;
        while (capacity < at + bytes) capacity *= 2;
        unsigned char *grown = realloc(g->constants, capacity);
        if (!grown) {
            gaudi_graph_fail(g, ACCEL_ERR_OUT_OF_MEMORY, "gaudi: out of host memory for %zu bytes of constants",
                             at + bytes);
            return -1;
        }
        memset(grown + g->constants_capacity, 0, capacity - g->constants_capacity);
        g->constants = grown;
        g->constants_capacity = capacity;
    }
    for (size_t i = 0; i < bytes; i += sizeof value) memcpy(g->constants + at + i, &value, sizeof value);
    g->constants_bytes = at + bytes;
    g->tensors[x].fallback = 1;
    g->tensors[x].fallback_offset = at;
    return x;
}

int gaudi_graph_temp(gaudi_graph *g, synapse_dtype t, gaudi_shape shape) { return new_tensor(g, t, shape, -1); }

void gaudi_graph_node(gaudi_graph *g, const char *guid, const int *in, int nin, const int *out, int nout,
                      const void *params, unsigned params_size) {
    if (g->status != ACCEL_OK) return;
    for (int i = 0; i < nin; ++i)
        if (in[i] < 0) return;
    for (int i = 0; i < nout; ++i)
        if (out[i] < 0) return;
    if (g->nnodes == GAUDI_GRAPH_MAX_NODES || nin > GAUDI_GRAPH_MAX_NODE_IO || nout > GAUDI_GRAPH_MAX_NODE_IO ||
        params_size > GAUDI_GRAPH_MAX_PARAMS) {
        gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: node %s does not fit the graph description", guid);
        return;
    }
    gaudi_node_desc *n = &g->nodes[g->nnodes++];
    memset(n, 0, sizeof *n);
    snprintf(n->guid, sizeof n->guid, "%s", guid);
    for (int i = 0; i < nin; ++i) n->in[i] = in[i];
    for (int i = 0; i < nout; ++i) n->out[i] = out[i];
    n->nin = nin;
    n->nout = nout;
    if (params_size) memcpy(n->params, params, params_size);
    n->params_size = params_size;
}

/* "<kernel>_<type of x>" */
static void typed_guid(char *out, size_t len, const char *kernel, synapse_dtype t) {
    const char *suffix = gaudi_dtype_suffix(t);
    snprintf(out, len, "%s_%s", kernel, suffix ? suffix : "?");
}

int gaudi_graph_cast(gaudi_graph *g, int x, synapse_dtype to) {
    if (x < 0 || g->status != ACCEL_OK) return -1;
    const synapse_dtype from = g->tensors[x].dtype;
    if (from == to) return x;
    int y = gaudi_graph_temp(g, to, g->tensors[x].shape);
    char guid[32];
    snprintf(guid, sizeof guid, "cast_%s_to_%s", gaudi_dtype_suffix(from), gaudi_dtype_suffix(to));
    const synapse_cast_params params = {SYNAPSE_CAST_ROUND_HALF_NE};
    gaudi_graph_node(g, guid, &x, 1, &y, 1, &params, sizeof params);
    return y;
}

int gaudi_graph_constant(gaudi_graph *g, double value, int dims) {
    gaudi_shape ones;
    memset(&ones, 0, sizeof ones);
    ones.dims = dims;
    for (int i = 0; i < dims; ++i) ones.size[i] = 1;
    int y = gaudi_graph_temp(g, SYNAPSE_DTYPE_F32, ones);
    const synapse_constant_params params = {(float)value};
    gaudi_graph_node(g, "constant_f32", NULL, 0, &y, 1, &params, sizeof params);
    return y;
}

int gaudi_graph_binary(gaudi_graph *g, const char *kernel, int a, int b) {
    if (a < 0 || b < 0 || g->status != ACCEL_OK) return -1;
    const gaudi_tensor_desc *ta = &g->tensors[a], *tb = &g->tensors[b];
    if (ta->dtype != tb->dtype || ta->shape.dims != tb->shape.dims) {
        gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: %s of mismatched tensors", kernel);
        return -1;
    }
    /* Broadcasting: a dimension of 1 on either side stretches to the other's. */
    gaudi_shape out = ta->shape;
    for (int i = 0; i < out.dims; ++i) {
        if (ta->shape.size[i] != tb->shape.size[i] && ta->shape.size[i] != 1 && tb->shape.size[i] != 1) {
            gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: %s cannot broadcast dimension %d", kernel, i);
            return -1;
        }
        if (ta->shape.size[i] == 1) out.size[i] = tb->shape.size[i];
    }
    int y = gaudi_graph_temp(g, ta->dtype, out);
    const int in[2] = {a, b};
    char guid[32];
    typed_guid(guid, sizeof guid, kernel, ta->dtype);
    gaudi_graph_node(g, guid, in, 2, &y, 1, NULL, 0);
    return y;
}

int gaudi_graph_scale(gaudi_graph *g, int x, double alpha) {
    if (x < 0 || alpha == 1.0) return x;
    int c = gaudi_graph_constant(g, alpha, g->tensors[x].shape.dims);
    return gaudi_graph_binary(g, "mult_fwd", x, c);
}

int gaudi_graph_relu(gaudi_graph *g, int x) {
    if (x < 0 || g->status != ACCEL_OK) return -1;
    int y = gaudi_graph_temp(g, g->tensors[x].dtype, g->tensors[x].shape);
    char guid[32];
    typed_guid(guid, sizeof guid, "relu_fwd", g->tensors[x].dtype);
    gaudi_graph_node(g, guid, &x, 1, &y, 1, NULL, 0);
    return y;
}

int gaudi_graph_gelu(gaudi_graph *g, int x, int tanh_approximation) {
    if (x < 0 || g->status != ACCEL_OK) return -1;
    /* The kernel's second output keeps what the backward pass reuses; forward ignores it. */
    const int out[2] = {gaudi_graph_temp(g, g->tensors[x].dtype, g->tensors[x].shape),
                        gaudi_graph_temp(g, g->tensors[x].dtype, g->tensors[x].shape)};
    char guid[32];
    typed_guid(guid, sizeof guid, "gelu_fwd", g->tensors[x].dtype);
    const synapse_gelu_params params = {tanh_approximation != 0};
    gaudi_graph_node(g, guid, &x, 1, out, 2, &params, sizeof params);
    return out[0];
}

int gaudi_graph_transpose(gaudi_graph *g, int x, const uint32_t *permutation) {
    if (x < 0 || g->status != ACCEL_OK) return -1;
    const gaudi_shape *in = &g->tensors[x].shape;
    gaudi_shape out = *in;
    synapse_transpose_params params;
    memset(&params, 0, sizeof params);
    params.dims = (uint32_t)in->dims;
    for (int i = 0; i < in->dims; ++i) {
        out.size[i] = in->size[permutation[i]];
        params.permutation[i] = permutation[i];
    }
    int y = gaudi_graph_temp(g, g->tensors[x].dtype, out);
    gaudi_graph_node(g, "transpose", &x, 1, &y, 1, &params, sizeof params);
    return y;
}

static int producer_of(const gaudi_graph *g, int t) {
    for (int n = 0; n < g->nnodes; ++n)
        for (int o = 0; o < g->nodes[n].nout; ++o)
            if (g->nodes[n].out[o] == t) return n;
    return -1;
}

void gaudi_graph_store(gaudi_graph *g, int value, int out) {
    if (value < 0 || out < 0 || g->status != ACCEL_OK) return;
    gaudi_tensor_desc *v = &g->tensors[value], *o = &g->tensors[out];
    if (gaudi_shape_elements(&v->shape) != gaudi_shape_elements(&o->shape)) {
        gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: storing %llu elements into %llu",
                         (unsigned long long)gaudi_shape_elements(&v->shape),
                         (unsigned long long)gaudi_shape_elements(&o->shape));
        return;
    }
    const int producer = v->operand < 0 ? producer_of(g, value) : -1;
    if (producer >= 0 && v->dtype == o->dtype && same_shape(&v->shape, &o->shape)) {
        /* Rename: every node that wrote or read the intermediate now uses the output. */
        for (int n = 0; n < g->nnodes; ++n) {
            for (int i = 0; i < g->nodes[n].nin; ++i)
                if (g->nodes[n].in[i] == value) g->nodes[n].in[i] = out;
            for (int i = 0; i < g->nodes[n].nout; ++i)
                if (g->nodes[n].out[i] == value) g->nodes[n].out[i] = out;
        }
        v->alias = out;
        return;
    }
    if (v->dtype != o->dtype && same_shape(&v->shape, &o->shape)) {
        char guid[32];
        snprintf(guid, sizeof guid, "cast_%s_to_%s", gaudi_dtype_suffix(v->dtype), gaudi_dtype_suffix(o->dtype));
        const synapse_cast_params params = {SYNAPSE_CAST_ROUND_HALF_NE};
        gaudi_graph_node(g, guid, &value, 1, &out, 1, &params, sizeof params);
        return;
    }
    if (v->dtype == o->dtype && same_shape(&v->shape, &o->shape)) {
        gaudi_graph_node(g, "memcpy", &value, 1, &out, 1, NULL, 0);
        return;
    }
    gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: store between tensors of different shapes");
}
