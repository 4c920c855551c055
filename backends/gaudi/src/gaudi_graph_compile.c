/* Turning a described op graph into a SynapseAI recipe: synGraphCreate, a section and a tensor per
 * persistent operand, tensors for intermediates (they live in the workspace), synNodeCreate per
 * node, synGraphCompile, the launch ids of the persistent tensors, the workspace size, then the
 * graph and sections go (the recipe keeps what a launch needs). */
#include <stdio.h>
#include <string.h>

#include "gaudi_graph.h"

static accel_status create_tensor(gaudi_graph *g, synapse_graph graph, int t, const char *name,
                                  synapse_tensor *handle, synapse_section *section) {
    accel_gaudi_ctx *ctx = g->dev->ctx;
    const gaudi_tensor_desc *x = &g->tensors[t];
    accel_status st = ACCEL_GAUDI_CALL(ctx, synTensorHandleCreate(handle, graph, SYNAPSE_DATA_TENSOR, name),
                                       "synTensorHandleCreate");
    if (st == ACCEL_OK && x->operand >= 0) {
        st = ACCEL_GAUDI_CALL(ctx, synSectionCreate(section, 0, graph), "synSectionCreate");
        if (st == ACCEL_OK)
            st = ACCEL_GAUDI_CALL(ctx, synTensorAssignToSection(*handle, *section, 0), "synTensorAssignToSection");
    }
    synapse_tensor_geometry geometry;
    memset(&geometry, 0, sizeof geometry);
    geometry.dims = (uint32_t)x->shape.dims;
    for (int i = 0; i < x->shape.dims; ++i) geometry.sizes[i] = x->shape.size[i];
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synTensorSetGeometry(*handle, &geometry, SYNAPSE_GEOMETRY_SIZES),
                              "synTensorSetGeometry");
    synapse_tensor_layout layout;
    memset(&layout, 0, sizeof layout); /* zero strides: dense */
    layout.device_dtype = x->dtype;
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synTensorSetDeviceFullLayout(*handle, &layout), "synTensorSetDeviceFullLayout");
    return st;
}

/* "batch_gemm>add_fwd_f32>cast_f32_to_bf16", cut with "..." when long. */
static void describe_chain(const gaudi_graph *g, char *out, size_t len) {
    size_t used = 0;
    out[0] = '\0';
    for (int n = 0; n < g->nnodes; ++n) {
        int k = snprintf(out + used, len - used, "%s%s", n ? ">" : "", g->nodes[n].guid);
        if (k < 0 || (size_t)k >= len - used) {
            if (len > 4) snprintf(out + len - 4, 4, "...");
            return;
        }
        used += (size_t)k;
    }
}

static accel_status upload_constants(gaudi_graph *g, accel_gaudi_plan *plan) {
    accel_gaudi_device *dev = g->dev;
    if (!g->constants_bytes) return ACCEL_OK;
    accel_status st = ACCEL_GAUDI_CALL(dev->ctx, synDeviceMalloc(dev->id, g->constants_bytes, 0, 0, &plan->constants),
                                       "synDeviceMalloc");
    if (st != ACCEL_OK) return st;
    pthread_mutex_lock(&dev->utility_lock);
    st = accel_gaudi_upload(&dev->utility, plan->constants, g->constants, g->constants_bytes);
    pthread_mutex_unlock(&dev->utility_lock);
    return st;
}

accel_status gaudi_graph_compile(gaudi_graph *g, const char *name, accel_gaudi_plan *plan,
                                 accel_plugin_plan_info *info) {
    if (g->status != ACCEL_OK) return g->status;
    accel_gaudi_device *dev = g->dev;
    accel_gaudi_ctx *ctx = dev->ctx;
    synapse_graph graph = NULL;
    synapse_tensor handles[GAUDI_GRAPH_MAX_TENSORS];
    synapse_section sections[ACCEL_GAUDI_MAX_BINDINGS];
    char names[GAUDI_GRAPH_MAX_TENSORS][24];
    int nsections = 0;
    memset(handles, 0, sizeof handles);
    memset(sections, 0, sizeof sections);
    plan->dev = dev;
    plan->nbindings = 0;

    accel_status st = ACCEL_GAUDI_CALL(ctx, synGraphCreate(&graph, dev->info.device_type), "synGraphCreate");
    for (int t = 0; t < g->ntensors && st == ACCEL_OK; ++t) {
        const gaudi_tensor_desc *x = &g->tensors[t];
        if (x->alias >= 0) continue; /* renamed to a persistent tensor by gaudi_graph_store */
        if (x->operand >= 0) {
            if (plan->nbindings == ACCEL_GAUDI_MAX_BINDINGS) {
                st = gaudi_graph_fail(g, ACCEL_ERR_INTERNAL, "gaudi: too many persistent tensors");
                break;
            }
            snprintf(names[t], sizeof names[t], "operand%d", x->operand);
            accel_gaudi_binding *b = &plan->bindings[plan->nbindings++];
            snprintf(b->name, sizeof b->name, "%s", names[t]);
            b->operand = x->operand;
            b->bytes = (size_t)(gaudi_shape_elements(&x->shape) * synapse_dtype_bytes(x->dtype));
            b->has_fallback = x->fallback;
            b->fallback_offset = x->fallback_offset;
            st = create_tensor(g, graph, t, names[t], &handles[t], &sections[nsections]);
            if (sections[nsections]) ++nsections;
        } else {
            snprintf(names[t], sizeof names[t], "t%d", t);
            st = create_tensor(g, graph, t, names[t], &handles[t], NULL);
        }
    }
    for (int n = 0; n < g->nnodes && st == ACCEL_OK; ++n) {
        const gaudi_node_desc *node = &g->nodes[n];
        synapse_tensor in[GAUDI_GRAPH_MAX_NODE_IO], out[GAUDI_GRAPH_MAX_NODE_IO];
        for (int i = 0; i < node->nin; ++i) in[i] = handles[node->in[i]];
        for (int i = 0; i < node->nout; ++i) out[i] = handles[node->out[i]];
        char node_name[48];
        snprintf(node_name, sizeof node_name, "%s_%d", node->guid, n);
        synapse_status s = ctx->syn.synNodeCreate(graph, in, out, (uint32_t)node->nin, (uint32_t)node->nout,
                                                  node->params_size ? node->params : NULL, node->params_size,
                                                  node->guid, node_name, NULL, NULL);
        if (s != SYNAPSE_SUCCESS) {
            char what[64];
            snprintf(what, sizeof what, "synNodeCreate(%s)", node->guid);
            st = accel_gaudi_check(ctx, s, what);
        }
    }
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synGraphCompile(&plan->recipe, graph, name, NULL), "synGraphCompile");
    if (st == ACCEL_OK) {
        const char *binding_names[ACCEL_GAUDI_MAX_BINDINGS];
        uint64_t ids[ACCEL_GAUDI_MAX_BINDINGS];
        for (int b = 0; b < plan->nbindings; ++b) binding_names[b] = plan->bindings[b].name;
        st = ACCEL_GAUDI_CALL(ctx, synTensorRetrieveIds(plan->recipe, binding_names, ids, (uint32_t)plan->nbindings),
                              "synTensorRetrieveIds");
        for (int b = 0; st == ACCEL_OK && b < plan->nbindings; ++b) plan->bindings[b].id = ids[b];
    }
    if (st == ACCEL_OK)
        st = ACCEL_GAUDI_CALL(ctx, synWorkspaceGetSize(&plan->workspace_bytes, plan->recipe), "synWorkspaceGetSize");
    if (st == ACCEL_OK) st = upload_constants(g, plan);

    for (int i = 0; i < nsections; ++i) ctx->syn.synSectionDestroy(sections[i]);
    if (graph) ctx->syn.synGraphDestroy(graph);
    if (st != ACCEL_OK) {
        if (plan->recipe) ctx->syn.synRecipeDestroy(plan->recipe);
        if (plan->constants) ctx->syn.synDeviceFree(dev->id, plan->constants, 0);
        plan->recipe = NULL;
        plan->constants = 0;
        return st;
    }
    info->workspace_bytes = (size_t)plan->workspace_bytes;
    snprintf(info->library, sizeof info->library, "synapse");
    describe_chain(g, info->algorithm, sizeof info->algorithm);
    return ACCEL_OK;
}
