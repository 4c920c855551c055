/* Internals shared by the mock SynapseAI's files: its objects, the device-memory registry that
 * every address is checked against, and the node kinds it runs on the host. One lock guards all of
 * it; every exported call takes it. */
#ifndef ACCEL_GAUDI_MOCK_SYNAPSE_H
#define ACCEL_GAUDI_MOCK_SYNAPSE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "accel/types.h"
#include "gaudi_api.h"
#include "mock_control.h"

#define MOCK_EXPORT __attribute__((visibility("default")))
#define MOCK_MAX_DIMS 8 /* SYN_GAUDI_MAX_TENSOR_DIM */
#define MOCK_MAX_IO 8
#define MOCK_MAX_PARAMS 256

typedef struct mock_tensor_shape {
    synapse_dtype dtype; /* 0 until synTensorSetDeviceFullLayout */
    uint32_t dims;       /* 0 until synTensorSetGeometry */
    uint64_t size[MOCK_MAX_DIMS];
} mock_tensor_shape;

struct synapse_tensor_s {
    struct synapse_graph_s *graph;
    char name[96];
    mock_tensor_shape shape;
    struct synapse_section_s *section; /* NULL: an intermediate, placed in the workspace */
};

struct synapse_section_s {
    struct synapse_graph_s *graph;
};

/* A node as kept by a graph and a recipe: tensors are indices into the owner's tensor table. */
typedef struct mock_node {
    char guid[40];
    const struct mock_kind *kind;
    synapse_dtype typed;   /* the _<type> suffix (or a cast's source type) */
    synapse_dtype cast_to; /* a cast's target type */
    int nin, nout;
    int in[MOCK_MAX_IO], out[MOCK_MAX_IO];
    unsigned char params[MOCK_MAX_PARAMS];
    unsigned params_size;
} mock_node;

struct synapse_graph_s {
    synapse_device_type device_type;
    struct synapse_tensor_s **tensors;
    int ntensors;
    mock_node *nodes;
    int nnodes;
};

/* What a launch needs, copied out of the graph at compile time. */
typedef struct mock_recipe_tensor {
    char name[96];
    mock_tensor_shape shape;
    int persistent;
    uint64_t id;               /* persistent tensors: what synTensorRetrieveIds answers */
    uint64_t workspace_offset; /* intermediates */
} mock_recipe_tensor;

struct synapse_recipe_s {
    synapse_device_type device_type;
    int ntensors;
    mock_recipe_tensor *tensors;
    int nnodes;
    mock_node *nodes; /* in execution order */
    uint64_t workspace_size;
};

/* A node kind: how many operands, what parameters, the shape rules, and the host execution with
 * the fp64 reference (hal/reference). check returns NULL or why the real compiler would refuse. */
typedef struct mock_kind {
    const char *base; /* "add_fwd", "batch_gemm", ... */
    int typed;        /* GUID carries a _<type> suffix */
    int min_in, max_in, min_out, max_out;
    unsigned params_size; /* exact size the kernel takes (0: none) */
    const char *(*check)(const mock_node *n, const mock_tensor_shape *const *in, const mock_tensor_shape *const *out);
    void (*run)(const mock_node *n, const mock_tensor_shape *const *in, void *const *in_data,
                const mock_tensor_shape *const *out, void *const *out_data);
} mock_kind;

/* mock_synapse_nodes.c */
/* Parses guid ("relu_fwd_bf16", "cast_f32_to_bf16", "batch_gemm") into n; NULL or the reason. */
const char *mock_node_resolve(mock_node *n, const char *guid);
accel_dtype mock_accel_dtype(synapse_dtype t);
uint64_t mock_shape_elements(const mock_tensor_shape *s);

/* mock_synapse_runtime.c */
extern pthread_mutex_t mock_lock;
/* Every exported call: evaluates its body under the lock and returns the status. */
#define LOCKED(expr)                                                                               \
    do {                                                                                           \
        pthread_mutex_lock(&mock_lock);                                                            \
        synapse_status status_ = (expr);                                                           \
        pthread_mutex_unlock(&mock_lock);                                                          \
        return status_;                                                                            \
    } while (0)
extern mock_synapse_report mock_stats;
void mock_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int mock_initialized(void);
/* Device memory and mapped host memory: 1 when [address, address + bytes) lies inside one live
 * allocation of the kind. */
int mock_device_range(uint64_t address, uint64_t bytes);
int mock_host_range(uint64_t address, uint64_t bytes);
/* The acquired device a stream belongs to, its type; 0 when the stream is not live. */
int mock_stream_device_type(struct synapse_stream_s *s, synapse_device_type *type);

#endif
