/* Op graphs: an op plan describes its SynapseAI graph here (tensors, nodes, constants), then
 * gaudi_graph_compile makes every SynapseAI call at once: graph, sections, tensors, nodes,
 * synGraphCompile into a recipe, tensor ids for the launch, workspace size. Describing first lets
 * the last node write straight into the persistent output instead of through a copy, and keeps
 * each op's file free of vendor calls and error plumbing: a failed step is remembered (status) and
 * every later one does nothing. */
#ifndef ACCEL_GAUDI_GRAPH_H
#define ACCEL_GAUDI_GRAPH_H

#include "gaudi_internal.h"

#define GAUDI_GRAPH_MAX_DIMS 8
#define GAUDI_GRAPH_MAX_TENSORS 48
#define GAUDI_GRAPH_MAX_NODES 24
#define GAUDI_GRAPH_MAX_NODE_IO 4
#define GAUDI_GRAPH_MAX_PARAMS 128

/* Sizes fastest-changing first, as SynapseAI lists them: row-major [rows][cols] is {cols, rows}. */
typedef struct gaudi_shape {
    int dims;
    uint64_t size[GAUDI_GRAPH_MAX_DIMS];
} gaudi_shape;

typedef struct gaudi_tensor_desc {
    synapse_dtype dtype;
    gaudi_shape shape;
    int operand;      /* >= 0: persistent, bound to this op operand at launch; -1: intermediate */
    int fallback;     /* persistent with data for when the operand is absent */
    size_t fallback_offset;
    int alias;        /* an intermediate replaced by this tensor (see gaudi_graph_store) */
} gaudi_tensor_desc;

typedef struct gaudi_node_desc {
    char guid[32];
    int in[GAUDI_GRAPH_MAX_NODE_IO], out[GAUDI_GRAPH_MAX_NODE_IO];
    int nin, nout;
    unsigned char params[GAUDI_GRAPH_MAX_PARAMS];
    unsigned params_size;
} gaudi_node_desc;

typedef struct gaudi_graph {
    accel_gaudi_device *dev;
    accel_status status; /* the first failure; every later step is skipped */
    int ntensors, nnodes;
    gaudi_tensor_desc tensors[GAUDI_GRAPH_MAX_TENSORS];
    gaudi_node_desc nodes[GAUDI_GRAPH_MAX_NODES];
    unsigned char *constants; /* fallback data of absent operands, 128-byte aligned pieces */
    size_t constants_bytes, constants_capacity;
} gaudi_graph;

void gaudi_graph_begin(gaudi_graph *g, accel_gaudi_device *dev);
void gaudi_graph_end(gaudi_graph *g);
/* Records a failure (returns it) unless one is recorded already. */
accel_status gaudi_graph_fail(gaudi_graph *g, accel_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

gaudi_shape gaudi_shape_of(int dims, const int64_t *sizes_fastest_first);
uint64_t gaudi_shape_elements(const gaudi_shape *s);
/* The "bf16" of "relu_fwd_bf16"; NULL for a type with no TPC kernels. */
const char *gaudi_dtype_suffix(synapse_dtype t);
/* 0 when the storage type has no SynapseAI counterpart this backend uses. */
synapse_dtype gaudi_dtype_from_accel(accel_dtype t);

/* Tensors are small integers; -1 after a failure (and accepted as such by every call below). */
int gaudi_graph_operand(gaudi_graph *g, int operand, synapse_dtype t, gaudi_shape shape);
/* An f32 operand that may be absent at execute (a mask, an fp8 scale): it then reads a tensor of
 * `value`s, kept in device memory by the plan. */
int gaudi_graph_operand_or(gaudi_graph *g, int operand, gaudi_shape shape, float value);
int gaudi_graph_temp(gaudi_graph *g, synapse_dtype t, gaudi_shape shape);
void gaudi_graph_node(gaudi_graph *g, const char *guid, const int *in, int nin, const int *out,
                      int nout, const void *params, unsigned params_size);

/* Nodes with fp32 intermediates; each returns its output tensor. */
int gaudi_graph_cast(gaudi_graph *g, int x, synapse_dtype to);
int gaudi_graph_constant(gaudi_graph *g, double value, int dims);
int gaudi_graph_binary(gaudi_graph *g, const char *kernel, int a, int b); /* "add_fwd", "mult_fwd" */
int gaudi_graph_scale(gaudi_graph *g, int x, double alpha);                 /* x itself when 1 */
int gaudi_graph_relu(gaudi_graph *g, int x);
int gaudi_graph_gelu(gaudi_graph *g, int x, int tanh_approximation);
int gaudi_graph_transpose(gaudi_graph *g, int x, const uint32_t *permutation);
/* Writes value into the persistent tensor out (converting the type when they differ). When value
 * is an intermediate of out's type and shape, its producer writes out directly. */
void gaudi_graph_store(gaudi_graph *g, int value, int out);

/* Every SynapseAI call: the plan gets its recipe, bindings, workspace size and constants; info its
 * library ("synapse") and the node chain as algorithm. */
accel_status gaudi_graph_compile(gaudi_graph *g, const char *name, accel_gaudi_plan *plan,
                                 accel_plugin_plan_info *info);

#endif
