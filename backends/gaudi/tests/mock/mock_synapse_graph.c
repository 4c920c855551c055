/* Mock SynapseAI, graph half: graphs, sections, tensors, nodes, compilation into recipes, and
 * launches that run every node on the host (mock_synapse_nodes.c). What it insists on, as the real
 * graph compiler and runtime do: known GUIDs with parameters of the kernel's size and tensors of
 * the GUID's type; dense tensors (no strides); every intermediate written by exactly one node before
 * it is read; a recipe only from synGraphCompile; every persistent tensor bound at launch to a live
 * device allocation it fits in; and a workspace of the recipe's size whenever it needs one, which is
 * where the intermediates really live during the launch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_synapse.h"

#define MOCK_MAX_LIVE 1024

typedef struct registry {
    void *items[MOCK_MAX_LIVE];
} registry;
static registry graphs, sections, tensors, recipes;

static int registry_add(registry *r, void *p, int *counter) {
    for (int i = 0; i < MOCK_MAX_LIVE; ++i)
        if (!r->items[i]) {
            r->items[i] = p;
            if (counter) ++*counter;
            return 1;
        }
    return 0;
}

static int registry_has(const registry *r, const void *p) {
    for (int i = 0; p && i < MOCK_MAX_LIVE; ++i)
        if (r->items[i] == p) return 1;
    return 0;
}

static void registry_remove(registry *r, const void *p, int *counter) {
    for (int i = 0; i < MOCK_MAX_LIVE; ++i)
        if (r->items[i] == p) {
            r->items[i] = NULL;
            if (counter) --*counter;
        }
}

static int live(const registry *r, const void *p, const char *what) {
    if (registry_has(r, p)) return 1;
    mock_violation("%s %p is not live", what, p);
    return 0;
}

/* ---- graphs, sections, tensors ---- */

static synapse_status graph_create(struct synapse_graph_s **out, synapse_device_type type) {
    if (!mock_initialized()) return SYNAPSE_UNINITIALIZED;
    if (type != SYNAPSE_DEVICE_GAUDI2 && type != SYNAPSE_DEVICE_GAUDI3) {
        mock_violation("synGraphCreate: device type %d", type);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    struct synapse_graph_s *g = calloc(1, sizeof *g);
    if (!g || !registry_add(&graphs, g, &mock_stats.live_graphs)) {
        free(g);
        return SYNAPSE_OUT_OF_HOST_MEMORY;
    }
    g->device_type = type;
    *out = g;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synGraphCreate(struct synapse_graph_s **out, synapse_device_type type) {
    LOCKED(graph_create(out, type));
}

static synapse_status graph_destroy(struct synapse_graph_s *g) {
    if (!mock_initialized() || !live(&graphs, g, "graph")) return SYNAPSE_INVALID_ARGUMENT;
    /* The graph takes its tensors and any section still alive with it. */
    for (int i = 0; i < g->ntensors; ++i) {
        registry_remove(&tensors, g->tensors[i], NULL);
        free(g->tensors[i]);
    }
    for (int i = 0; i < MOCK_MAX_LIVE; ++i) {
        struct synapse_section_s *s = sections.items[i];
        if (s && s->graph == g) {
            registry_remove(&sections, s, &mock_stats.live_sections);
            free(s);
        }
    }
    free(g->tensors);
    free(g->nodes);
    registry_remove(&graphs, g, &mock_stats.live_graphs);
    free(g);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synGraphDestroy(struct synapse_graph_s *g) { LOCKED(graph_destroy(g)); }

static synapse_status section_create(struct synapse_section_s **out, uint64_t descriptor, struct synapse_graph_s *g) {
    if (!mock_initialized() || !live(&graphs, g, "graph")) return SYNAPSE_INVALID_ARGUMENT;
    if (descriptor != 0) mock_violation("synSectionCreate: the descriptor is deprecated and must be 0");
    struct synapse_section_s *s = calloc(1, sizeof *s);
    if (!s || !registry_add(&sections, s, &mock_stats.live_sections)) {
        free(s);
        return SYNAPSE_OUT_OF_HOST_MEMORY;
    }
    s->graph = g;
    *out = s;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synSectionCreate(struct synapse_section_s **out, uint64_t descriptor,
                                            struct synapse_graph_s *g) {
    LOCKED(section_create(out, descriptor, g));
}

static synapse_status section_destroy(struct synapse_section_s *s) {
    if (!mock_initialized() || !live(&sections, s, "section (destroyed with its graph already?)"))
        return SYNAPSE_INVALID_ARGUMENT;
    registry_remove(&sections, s, &mock_stats.live_sections);
    free(s);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synSectionDestroy(struct synapse_section_s *s) { LOCKED(section_destroy(s)); }

static synapse_status tensor_create(struct synapse_tensor_s **out, struct synapse_graph_s *g, int type,
                                    const char *name) {
    if (!mock_initialized() || !live(&graphs, g, "graph")) return SYNAPSE_INVALID_ARGUMENT;
    if (type != SYNAPSE_DATA_TENSOR) {
        mock_violation("synTensorHandleCreate: tensor type %d (only data tensors here)", type);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    char generated[32];
    if (!name || !name[0]) {
        snprintf(generated, sizeof generated, "tensor_%d", g->ntensors);
        name = generated;
    }
    for (int i = 0; i < g->ntensors; ++i)
        if (strcmp(g->tensors[i]->name, name) == 0) {
            mock_violation("synTensorHandleCreate: name '%s' used twice in one graph", name);
            return 21; /* synNameIsAlreadyUsed */
        }
    struct synapse_tensor_s **grown = realloc(g->tensors, sizeof *grown * (size_t)(g->ntensors + 1));
    struct synapse_tensor_s *t = calloc(1, sizeof *t);
    if (grown) g->tensors = grown;
    if (!grown || !t || !registry_add(&tensors, t, NULL)) {
        free(t);
        return SYNAPSE_OUT_OF_HOST_MEMORY;
    }
    t->graph = g;
    snprintf(t->name, sizeof t->name, "%s", name);
    g->tensors[g->ntensors++] = t;
    *out = t;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synTensorHandleCreate(struct synapse_tensor_s **out, struct synapse_graph_s *g, int type,
                                                 const char *name) {
    LOCKED(tensor_create(out, g, type, name));
}

static synapse_status assign_section(struct synapse_tensor_s *t, struct synapse_section_s *s, uint64_t offset) {
    if (!mock_initialized() || !live(&tensors, t, "tensor") || !live(&sections, s, "section"))
        return SYNAPSE_INVALID_ARGUMENT;
    if (s->graph != t->graph || offset != 0) {
        mock_violation("synTensorAssignToSection: section of another graph, or offset %llu (the mock places one "
                       "tensor per section)", (unsigned long long)offset);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    t->section = s;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synTensorAssignToSection(struct synapse_tensor_s *t, struct synapse_section_s *s,
                                                    uint64_t offset) {
    LOCKED(assign_section(t, s, offset));
}

static synapse_status set_geometry(struct synapse_tensor_s *t, const synapse_tensor_geometry *geometry, int type) {
    if (!mock_initialized() || !live(&tensors, t, "tensor")) return SYNAPSE_INVALID_ARGUMENT;
    if (type != SYNAPSE_GEOMETRY_SIZES || geometry->dims < 1 || geometry->dims > MOCK_MAX_DIMS) {
        mock_violation("synTensorSetGeometry: geometry type %d, %u dims", type, geometry->dims);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    for (uint32_t i = 0; i < geometry->dims; ++i)
        if (geometry->sizes[i] == 0) {
            mock_violation("synTensorSetGeometry: '%s' dimension %u is 0", t->name, i);
            return 25; /* synInvalidTensorDimensions */
        }
    t->shape.dims = geometry->dims;
    memcpy(t->shape.size, geometry->sizes, sizeof(uint64_t) * geometry->dims);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synTensorSetGeometry(struct synapse_tensor_s *t, const synapse_tensor_geometry *geometry,
                                                int type) {
    LOCKED(set_geometry(t, geometry, type));
}

static synapse_status set_layout(struct synapse_tensor_s *t, const synapse_tensor_layout *layout) {
    if (!mock_initialized() || !live(&tensors, t, "tensor")) return SYNAPSE_INVALID_ARGUMENT;
    for (int i = 0; i < SYNAPSE_DIM_MAX; ++i)
        if (layout->strides[i] != 0) {
            mock_violation("synTensorSetDeviceFullLayout: '%s' has strides (unsupported: tensors are dense)", t->name);
            return SYNAPSE_UNSUPPORTED;
        }
    if (!synapse_dtype_bytes(layout->device_dtype)) {
        mock_violation("synTensorSetDeviceFullLayout: '%s' type %d", t->name, layout->device_dtype);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    t->shape.dtype = layout->device_dtype;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synTensorSetDeviceFullLayout(struct synapse_tensor_s *t,
                                                        const synapse_tensor_layout *layout) {
    LOCKED(set_layout(t, layout));
}

/* ---- nodes ---- */

static int index_in_graph(const struct synapse_graph_s *g, const struct synapse_tensor_s *t) {
    for (int i = 0; i < g->ntensors; ++i)
        if (g->tensors[i] == t) return i;
    return -1;
}

static synapse_status node_create(struct synapse_graph_s *g, struct synapse_tensor_s *const *in,
                                  struct synapse_tensor_s *const *out, uint32_t nin, uint32_t nout, const void *params,
                                  unsigned params_size, const char *guid, const char *name) {
    if (!mock_initialized() || !live(&graphs, g, "graph")) return SYNAPSE_INVALID_ARGUMENT;
    mock_node n;
    memset(&n, 0, sizeof n);
    const char *why = guid ? mock_node_resolve(&n, guid) : "no GUID";
    if (!why && ((int)nin < n.kind->min_in || (int)nin > n.kind->max_in || (int)nout < n.kind->min_out ||
                 (int)nout > n.kind->max_out))
        why = "wrong number of inputs or outputs";
    if (!why && (params_size != n.kind->params_size || (params_size && !params)))
        why = "parameters are not the kernel's parameter struct";
    for (uint32_t i = 0; !why && i < nin + nout; ++i) {
        struct synapse_tensor_s *t = i < nin ? in[i] : out[i - nin];
        const int at = registry_has(&tensors, t) ? index_in_graph(g, t) : -1;
        if (at < 0) why = "a tensor of another graph, or not live";
        else if (!t->shape.dims || !t->shape.dtype) why = "a tensor without geometry or device type";
        else if (i < nin) n.in[i] = at;
        else n.out[i - nin] = at;
    }
    if (why) {
        mock_violation("synNodeCreate(%s, '%s'): %s", guid ? guid : "?", name ? name : "", why);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    n.nin = (int)nin;
    n.nout = (int)nout;
    if (params_size) memcpy(n.params, params, params_size);
    n.params_size = params_size;
    mock_node *grown = realloc(g->nodes, sizeof *grown * (size_t)(g->nnodes + 1));
    if (!grown) return SYNAPSE_OUT_OF_HOST_MEMORY;
    g->nodes = grown;
    g->nodes[g->nnodes++] = n;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synNodeCreate(struct synapse_graph_s *g, struct synapse_tensor_s *const *in,
                                         struct synapse_tensor_s *const *out, uint32_t nin, uint32_t nout,
                                         const void *params, unsigned params_size, const char *guid,
                                         const char *name, const char **in_layouts, const char **out_layouts) {
    (void)in_layouts;
    (void)out_layouts;
    LOCKED(node_create(g, in, out, nin, nout, params, params_size, guid, name));
}

/* ---- compilation ---- */

static int producers_of(const struct synapse_graph_s *g, int t, int *producer) {
    int count = 0;
    for (int n = 0; n < g->nnodes; ++n)
        for (int o = 0; o < g->nodes[n].nout; ++o)
            if (g->nodes[n].out[o] == t) {
                *producer = n;
                ++count;
            }
    return count;
}

/* Execution order: a node runs once every tensor it reads is written (persistent inputs without a
 * producer count as written). NULL or why the graph cannot be scheduled. */
static const char *schedule(const struct synapse_graph_s *g, int *order) {
    int *done = calloc((size_t)g->nnodes, sizeof *done);
    if (!done) return "out of host memory";
    const char *why = NULL;
    for (int placed = 0; placed < g->nnodes && !why;) {
        int progress = 0;
        for (int n = 0; n < g->nnodes; ++n) {
            if (done[n]) continue;
            int ready = 1;
            for (int i = 0; i < g->nodes[n].nin && ready; ++i) {
                int producer = -1;
                const int count = producers_of(g, g->nodes[n].in[i], &producer);
                if (count == 0 && !g->tensors[g->nodes[n].in[i]]->section) why = "an intermediate is read but never written";
                ready = count == 0 || done[producer];
            }
            if (ready && !why) {
                done[n] = 1;
                order[placed++] = n;
                progress = 1;
            }
        }
        if (!progress && !why) why = "the graph has a cycle";
    }
    free(done);
    return why;
}

static void describe_chain(const mock_node *nodes, int n) {
    size_t used = 0;
    mock_stats.last_graph[0] = '\0';
    for (int i = 0; i < n; ++i) {
        int k = snprintf(mock_stats.last_graph + used, sizeof mock_stats.last_graph - used, "%s%s", i ? ">" : "",
                         nodes[i].guid);
        if (k < 0 || (size_t)k >= sizeof mock_stats.last_graph - used) return;
        used += (size_t)k;
    }
}

static synapse_status compile(struct synapse_recipe_s **out, struct synapse_graph_s *g, const char *name) {
    if (!mock_initialized() || !live(&graphs, g, "graph")) return SYNAPSE_INVALID_ARGUMENT;
    const char *why = g->nnodes ? NULL : "empty graph";
    for (int t = 0; t < g->ntensors && !why; ++t) {
        int producer = -1;
        if (producers_of(g, t, &producer) > 1) why = "a tensor written by two nodes";
    }
    int *order = calloc((size_t)(g->nnodes ? g->nnodes : 1), sizeof *order);
    if (!why) why = order ? schedule(g, order) : "out of host memory";
    for (int n = 0; n < g->nnodes && !why; ++n) {
        const mock_node *node = &g->nodes[n];
        const mock_tensor_shape *in[MOCK_MAX_IO], *outs[MOCK_MAX_IO];
        for (int i = 0; i < node->nin; ++i) in[i] = &g->tensors[node->in[i]]->shape;
        for (int i = 0; i < node->nout; ++i) outs[i] = &g->tensors[node->out[i]]->shape;
        why = node->kind->check ? node->kind->check(node, in, outs) : NULL;
        if (why) {
            static char detail[256];
            snprintf(detail, sizeof detail, "node %d (%s): %s", n, node->guid, why);
            why = detail;
        }
    }
    struct synapse_recipe_s *r = why ? NULL : calloc(1, sizeof *r);
    if (!why && r) {
        r->device_type = g->device_type;
        r->ntensors = g->ntensors;
        r->nnodes = g->nnodes;
        r->tensors = calloc((size_t)g->ntensors, sizeof *r->tensors);
        r->nodes = calloc((size_t)g->nnodes, sizeof *r->nodes);
        if (!r->tensors || !r->nodes) why = "out of host memory";
    }
    if (why || !r) {
        mock_violation("synGraphCompile('%s'): %s", name ? name : "", why ? why : "out of host memory");
        if (r) {
            free(r->tensors);
            free(r->nodes);
        }
        free(r);
        free(order);
        return SYNAPSE_FAIL;
    }
    uint64_t next_id = 1000;
    for (int t = 0; t < g->ntensors; ++t) {
        mock_recipe_tensor *rt = &r->tensors[t];
        snprintf(rt->name, sizeof rt->name, "%s", g->tensors[t]->name);
        rt->shape = g->tensors[t]->shape;
        rt->persistent = g->tensors[t]->section != NULL;
        if (rt->persistent) {
            rt->id = next_id++;
        } else {
            /* Intermediates live in the workspace, each on a 128-byte boundary. */
            rt->workspace_offset = r->workspace_size;
            r->workspace_size += (mock_shape_elements(&rt->shape) * synapse_dtype_bytes(rt->shape.dtype) + 127) & ~127ull;
        }
    }
    for (int n = 0; n < g->nnodes; ++n) r->nodes[n] = g->nodes[order[n]];
    free(order);
    registry_add(&recipes, r, &mock_stats.live_recipes);
    mock_stats.compiles++;
    describe_chain(r->nodes, r->nnodes);
    *out = r;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synGraphCompile(struct synapse_recipe_s **out, struct synapse_graph_s *g, const char *name,
                                           const char *log) {
    (void)log;
    LOCKED(compile(out, g, name));
}

static synapse_status recipe_destroy(struct synapse_recipe_s *r) {
    if (!mock_initialized() || !live(&recipes, r, "recipe")) return SYNAPSE_INVALID_ARGUMENT;
    registry_remove(&recipes, r, &mock_stats.live_recipes);
    free(r->tensors);
    free(r->nodes);
    free(r);
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synRecipeDestroy(struct synapse_recipe_s *r) { LOCKED(recipe_destroy(r)); }

static synapse_status retrieve_ids(struct synapse_recipe_s *r, const char **names, uint64_t *ids, uint32_t n) {
    if (!mock_initialized() || !live(&recipes, r, "recipe")) return SYNAPSE_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < n; ++i) {
        int found = 0;
        for (int t = 0; t < r->ntensors && !found; ++t)
            if (r->tensors[t].persistent && strcmp(r->tensors[t].name, names[i]) == 0) {
                ids[i] = r->tensors[t].id;
                found = 1;
            }
        if (!found) {
            mock_violation("synTensorRetrieveIds: no persistent tensor '%s' in the recipe", names[i]);
            return SYNAPSE_INVALID_ARGUMENT;
        }
    }
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synTensorRetrieveIds(struct synapse_recipe_s *r, const char **names, uint64_t *ids,
                                                uint32_t n) {
    LOCKED(retrieve_ids(r, names, ids, n));
}

static synapse_status workspace_size(uint64_t *size, struct synapse_recipe_s *r) {
    if (!mock_initialized() || !live(&recipes, r, "recipe")) return SYNAPSE_INVALID_ARGUMENT;
    *size = r->workspace_size;
    return SYNAPSE_SUCCESS;
}
MOCK_EXPORT synapse_status synWorkspaceGetSize(uint64_t *size, struct synapse_recipe_s *r) {
    LOCKED(workspace_size(size, r));
}

/* ---- launch ---- */

static const char *bind(const struct synapse_recipe_s *r, const synapse_launch_tensor *info, uint32_t flags,
                        void **data) {
    for (int t = 0; t < r->ntensors; ++t) {
        const mock_recipe_tensor *rt = &r->tensors[t];
        if (!rt->persistent) continue;
        const int match = flags ? info->name && strcmp(info->name, rt->name) == 0 : info->id == rt->id;
        if (!match) continue;
        if (data[t]) return "a tensor bound twice";
        if (info->tensor_type != SYNAPSE_DATA_TENSOR) return "not a data tensor";
        if (!mock_device_range(info->address, mock_shape_elements(&rt->shape) * synapse_dtype_bytes(rt->shape.dtype)))
            return "its address range is not inside one live device allocation";
        data[t] = (void *)(uintptr_t)info->address;
        return NULL;
    }
    return "no persistent tensor of the recipe has this id";
}

static synapse_status launch(struct synapse_stream_s *s, const synapse_launch_tensor *infos, uint32_t n,
                             uint64_t workspace, struct synapse_recipe_s *r, uint32_t flags) {
    synapse_device_type type = 0;
    if (!mock_initialized() || !mock_stream_device_type(s, &type) || !live(&recipes, r, "recipe (compiled?)"))
        return SYNAPSE_INVALID_ARGUMENT;
    if (type != r->device_type) {
        mock_violation("synLaunchExt: recipe compiled for device type %d launched on %d", r->device_type, type);
        return SYNAPSE_DEVICE_TYPE_MISMATCH;
    }
    void **data = calloc((size_t)r->ntensors, sizeof *data);
    if (!data) return SYNAPSE_OUT_OF_HOST_MEMORY;
    const char *why = flags > 1 ? "unknown flags" : NULL;
    for (uint32_t i = 0; i < n && !why; ++i) {
        why = bind(r, &infos[i], flags, data);
        if (why) {
            static char detail[256];
            snprintf(detail, sizeof detail, "tensor '%s' (id %llu) at 0x%llx: %s", infos[i].name ? infos[i].name : "",
                     (unsigned long long)infos[i].id, (unsigned long long)infos[i].address, why);
            why = detail;
        }
    }
    for (int t = 0; t < r->ntensors && !why; ++t)
        if (r->tensors[t].persistent && !data[t]) why = "a persistent tensor was not given an address";
    if (!why && r->workspace_size && !mock_device_range(workspace, r->workspace_size))
        why = "the workspace is not a device range of synWorkspaceGetSize bytes";
    if (why) {
        mock_violation("synLaunchExt: %s", why);
        free(data);
        return SYNAPSE_INVALID_ARGUMENT;
    }
    for (int t = 0; t < r->ntensors; ++t)
        if (!r->tensors[t].persistent) data[t] = (void *)(uintptr_t)(workspace + r->tensors[t].workspace_offset);
    for (int k = 0; k < r->nnodes; ++k) {
        const mock_node *node = &r->nodes[k];
        const mock_tensor_shape *in[MOCK_MAX_IO], *out[MOCK_MAX_IO];
        void *in_data[MOCK_MAX_IO], *out_data[MOCK_MAX_IO];
        for (int i = 0; i < node->nin; ++i) {
            in[i] = &r->tensors[node->in[i]].shape;
            in_data[i] = data[node->in[i]];
        }
        for (int i = 0; i < node->nout; ++i) {
            out[i] = &r->tensors[node->out[i]].shape;
            out_data[i] = data[node->out[i]];
        }
        node->kind->run(node, in, in_data, out, out_data);
    }
    free(data);
    mock_stats.launches++;
    mock_stats.last_workspace_size = r->workspace_size;
    mock_stats.last_workspace_address = workspace;
    return SYNAPSE_SUCCESS;
}
/* Built without it, this library stands for a SynapseAI too old for the backend. */
#ifndef MOCK_SYNAPSE_WITHOUT_LAUNCH_EXT
MOCK_EXPORT synapse_status synLaunchExt(struct synapse_stream_s *s, const synapse_launch_tensor *infos, uint32_t n,
                                        uint64_t workspace, struct synapse_recipe_s *r, uint32_t flags) {
    LOCKED(launch(s, infos, n, workspace, r, flags));
}
#else
/* The older entry point, so the library is still complete otherwise. */
MOCK_EXPORT synapse_status synLaunch(struct synapse_stream_s *s, const synapse_launch_tensor *infos, uint32_t n,
                                     uint64_t workspace, struct synapse_recipe_s *r, uint32_t flags) {
    LOCKED(launch(s, infos, n, workspace, r, flags));
}
#endif
