/* Op plans: each op description becomes one SynapseAI graph, compiled once into a recipe at plan
 * time; execute binds the operand addresses to the recipe's persistent tensors and launches it. */
#include <stdlib.h>
#include <string.h>

#include "gaudi_ops.h"

synapse_dtype gaudi_op_dtype(gaudi_graph *g, const char *op, accel_dtype t) {
    synapse_dtype s = gaudi_dtype_from_accel(t);
    if (!s || (accel_dtype_is_fp8(t) && strcmp(op, "gemm") != 0)) {
        gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: %s in %s storage is not offered (f32, bf16, f16%s)", op,
                         accel_dtype_label(t), strcmp(op, "gemm") == 0 ? ", fp8" : "");
        return 0;
    }
    return s;
}

int gaudi_op_compute_ok(gaudi_graph *g, const char *op, accel_compute_type c, accel_dtype t) {
    if (accel_compute_is_fp32_on(c, t)) return 1;
    gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED,
                     "gaudi: %s with compute %s on %s: the graphs here compute in fp32 (MME with fp32 "
                     "accumulation, TPC kernels in f32); tf32 and fp16 accumulation are not selected",
                     op, accel_compute_type_label(c), accel_dtype_label(t));
    return 0;
}

static accel_status describe(gaudi_graph *g, const accel_op_desc *desc) {
    if (accel_op_is_row_wise(desc->kind)) return gaudi_describe_rows(g, desc);
    switch (desc->kind) {
    case ACCEL_OP_GEMM: return gaudi_describe_gemm(g, &desc->u.gemm);
    case ACCEL_OP_CONV2D: return gaudi_describe_conv2d(g, &desc->u.conv2d);
    case ACCEL_OP_ELTWISE: return gaudi_describe_eltwise(g, &desc->u.eltwise);
    case ACCEL_OP_PERMUTE: return gaudi_describe_permute(g, &desc->u.permute);
    case ACCEL_OP_ATTENTION: return gaudi_describe_attention(g, &desc->u.attention);
    default: return gaudi_graph_fail(g, ACCEL_ERR_UNIMPLEMENTED, "gaudi: %s has no graph here", accel_op_kind_label(desc->kind));
    }
}

accel_status accel_gaudi_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                        accel_plugin_plan_info *info) {
    accel_gaudi_device *dev = p;
    const accel_host_services *host = dev->ctx->host;
    if (desc->library[0] && strcmp(desc->library, "synapse") != 0)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "gaudi: no op library '%s' (this device offers: synapse)",
                               desc->library);
    gaudi_graph *g = calloc(1, sizeof *g);
    accel_gaudi_plan *plan = calloc(1, sizeof *plan);
    if (!g || !plan) {
        free(g);
        free(plan);
        return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    gaudi_graph_begin(g, dev);
    accel_status st = describe(g, desc);
    if (st == ACCEL_OK) st = gaudi_graph_compile(g, accel_op_kind_label(desc->kind), plan, info);
    gaudi_graph_end(g);
    free(g);
    if (st != ACCEL_OK) {
        free(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void accel_gaudi_op_plan_destroy(void *p) {
    accel_gaudi_plan *plan = p;
    accel_gaudi_ctx *ctx = plan->dev->ctx;
    ctx->syn.synRecipeDestroy(plan->recipe);
    if (plan->constants) ctx->syn.synDeviceFree(plan->dev->id, plan->constants, 0);
    free(plan);
}

/* Where a persistent tensor lives for this launch: its operand, or the plan's constant block when
 * the operand is optional and absent. */
static accel_status bind(const accel_gaudi_plan *plan, const accel_gaudi_binding *b, accel_plugin_ref ref,
                         uint64_t *address) {
    const accel_host_services *host = plan->dev->ctx->host;
    const accel_gaudi_buffer *buf = accel_gaudi_ref_buffer(ref);
    if (!buf) {
        if (!b->has_fallback)
            return host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "gaudi: operand %d is absent but the plan reads it",
                                   b->operand);
        *address = plan->constants + b->fallback_offset;
        return ACCEL_OK;
    }
    if (buf->pinned)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "gaudi: operand %d is pinned host memory; SynapseAI graphs read and write HBM",
                               b->operand);
    if (ref.offset > buf->bytes || buf->bytes - ref.offset < b->bytes)
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "gaudi: operand %d spans %zu bytes past offset %zu of %zu",
                               b->operand, b->bytes, ref.offset, buf->bytes);
    *address = buf->address + ref.offset;
    return ACCEL_OK;
}

accel_status accel_gaudi_op_plan_execute(void *p, void *sp, const accel_plugin_ref *operands, size_t noperands,
                                         accel_plugin_ref workspace) {
    accel_gaudi_plan *plan = p;
    accel_gaudi_stream *s = sp;
    accel_gaudi_ctx *ctx = plan->dev->ctx;
    accel_plugin_ref refs[ACCEL_OP_MAX_OPERANDS];
    memset(refs, 0, sizeof refs);
    memcpy(refs, operands, sizeof refs[0] * (noperands < ACCEL_OP_MAX_OPERANDS ? noperands : ACCEL_OP_MAX_OPERANDS));
    synapse_launch_tensor launch[ACCEL_GAUDI_MAX_BINDINGS];
    memset(launch, 0, sizeof launch);
    for (int i = 0; i < plan->nbindings; ++i) {
        const accel_gaudi_binding *b = &plan->bindings[i];
        accel_status st = bind(plan, b, refs[b->operand], &launch[i].address);
        if (st != ACCEL_OK) return st;
        launch[i].name = b->name;
        launch[i].tensor_type = SYNAPSE_DATA_TENSOR;
        launch[i].id = b->id;
    }
    uint64_t ws = 0;
    if (plan->workspace_bytes) {
        const accel_gaudi_buffer *buf = accel_gaudi_ref_buffer(workspace);
        if (!buf || buf->pinned || workspace.offset > buf->bytes || buf->bytes - workspace.offset < plan->workspace_bytes)
            return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                        "gaudi: the plan needs %llu bytes of device workspace",
                                        (unsigned long long)plan->workspace_bytes);
        ws = buf->address + workspace.offset;
    }
    return ACCEL_GAUDI_CALL(ctx, synLaunchExt(s->stream, launch, (uint32_t)plan->nbindings, ws, plan->recipe, 0),
                            "synLaunchExt");
}
