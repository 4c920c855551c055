/* Op plans: pick the library path for each op and hand the execute call to the plan. */
#include <stdlib.h>
#include <string.h>

#include "cpu_internal.h"
#include "cpu_train.h"

const char *cpu_library_name(cpu_library lib) {
    switch (lib) {
    case CPU_LIB_ONEDNN: return "onednn";
    case CPU_LIB_OPENBLAS: return "openblas";
    default: return "accel";
    }
}

/* oneDNN 2.6 has neither fp8 matmul nor an attention primitive; of the training ops we take the
 * convolution backward passes from it (its norm backward primitives would need its own workspace
 * layouts; ours are memory-bound loops as fast). */
static int onednn_offers(const accel_op_desc *desc) {
    switch (desc->kind) {
    case ACCEL_OP_GEMM: return !accel_dtype_is_fp8(desc->u.gemm.a_type);
    case ACCEL_OP_CONV2D: case ACCEL_OP_LAYERNORM: case ACCEL_OP_SOFTMAX: case ACCEL_OP_ELTWISE:
    case ACCEL_OP_PERMUTE: return 1;
    case ACCEL_OP_CONV2D_BACKWARD_DATA: case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS: return 1;
    default: return 0;
    }
}

/* The training ops (ops_train.h). The memory-bound ones are ours whatever library is asked for but
 * "openblas", like layernorm and softmax; the conv backward passes run through oneDNN or ours as
 * chosen, never one in place of the other. */
static accel_status train_plan(cpu_context *ctx, cpu_library lib, const accel_op_desc *desc, cpu_plan **plan,
                               accel_plugin_plan_info *info) {
    const accel_host_services *host = ctx->host;
    const char *name = desc->kind == ACCEL_OP_CONV2D_BACKWARD_DATA      ? "conv2d_backward_data"
                       : desc->kind == ACCEL_OP_CONV2D_BACKWARD_WEIGHTS ? "conv2d_backward_weights"
                                                                        : "this training op";
    if (lib == CPU_LIB_OPENBLAS)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/openblas: %s is not a BLAS op", accel_op_kind_label(desc->kind));
    switch (desc->kind) {
    case ACCEL_OP_CONV2D_BACKWARD_DATA:
    case ACCEL_OP_CONV2D_BACKWARD_WEIGHTS:
#ifdef ACCEL_CPU_HAVE_ONEDNN
        if (lib == CPU_LIB_ONEDNN) return cpu_conv_backward_plan_onednn(ctx, desc->kind, &desc->u.conv2d, plan, info);
#endif
        if (lib == CPU_LIB_ONEDNN)
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/onednn: %s: this build has no oneDNN", name);
        return cpu_conv_backward_plan_accel(ctx, desc->kind, &desc->u.conv2d, plan, info);
    case ACCEL_OP_LAYERNORM_BACKWARD: return cpu_layernorm_backward_plan(ctx, &desc->u.layernorm_backward, plan, info);
    case ACCEL_OP_SOFTMAX_BACKWARD: return cpu_softmax_backward_plan(ctx, &desc->u.softmax, plan, info);
    case ACCEL_OP_REDUCE: return cpu_reduce_plan(ctx, &desc->u.reduce, plan, info);
    case ACCEL_OP_BATCHNORM: return cpu_batchnorm_plan(ctx, &desc->u.batchnorm, 0, plan, info);
    case ACCEL_OP_BATCHNORM_BACKWARD: return cpu_batchnorm_plan(ctx, &desc->u.batchnorm, 1, plan, info);
    case ACCEL_OP_ADAMW: return cpu_adamw_plan(ctx, &desc->u.adamw, plan, info);
    case ACCEL_OP_AMP_SCALE: return cpu_amp_scale_plan(ctx, &desc->u.amp_scale, plan, info);
    case ACCEL_OP_AMP_UPDATE_SCALE: return cpu_amp_update_plan(ctx, &desc->u.amp_update, plan, info);
    default: return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu: %s has no plan here", accel_op_kind_label(desc->kind));
    }
}

/* "" is the path that runs the description: oneDNN where it has one, else ours. */
static accel_status pick_library(cpu_context *ctx, const accel_op_desc *desc, cpu_library *out) {
    const accel_host_services *host = ctx->host;
    const char *name = desc->library;
    if (name[0] == '\0') {
        *out = ctx->onednn && onednn_offers(desc) ? CPU_LIB_ONEDNN : CPU_LIB_ACCEL;
        return ACCEL_OK;
    }
    if (strcmp(name, "accel") == 0) {
        *out = CPU_LIB_ACCEL;
        return ACCEL_OK;
    }
    if (strcmp(name, "onednn") == 0) {
        if (!ctx->onednn)
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu: library onednn unavailable: %s",
                                   ctx->onednn_reason);
        *out = CPU_LIB_ONEDNN;
        return ACCEL_OK;
    }
    if (strcmp(name, "openblas") == 0) {
        if (!ctx->openblas)
            return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                   "cpu: library openblas unavailable: %s", ctx->openblas_reason);
        *out = CPU_LIB_OPENBLAS;
        return ACCEL_OK;
    }
    return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                           "cpu: unknown library \"%s\" (this device offers onednn, openblas, accel "
                           "where available)",
                           name);
}

/* Memory-bound ops (the row-wise family, eltwise, permute) are ours whatever the library: oneDNN's
 * versions would add a reorder for the fp32 mask and BLAS has none. Only "openblas" refuses them:
 * it names a BLAS. */
static accel_status plan_memory_bound(cpu_context *ctx, cpu_library lib, const accel_op_desc *desc, cpu_plan **plan,
                                      accel_plugin_plan_info *info) {
    if (lib == CPU_LIB_OPENBLAS)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/openblas: %s is not a BLAS op",
                                    accel_op_kind_label(desc->kind));
    if (accel_op_is_row_wise(desc->kind)) return cpu_rowwise_plan(ctx, desc, plan, info);
    if (desc->kind == ACCEL_OP_ELTWISE) return cpu_eltwise_plan(ctx, &desc->u.eltwise, plan, info);
    return cpu_permute_plan(ctx, &desc->u.permute, plan, info);
}

accel_status cpu_op_plan_create(void *vdev, const accel_op_desc *desc, void **out_plan,
                                accel_plugin_plan_info *info) {
    cpu_device *dev = vdev;
    cpu_context *ctx = dev->ctx;
    const accel_host_services *host = ctx->host;
    cpu_library lib = CPU_LIB_ACCEL;
    accel_status st = pick_library(ctx, desc, &lib);
    if (st != ACCEL_OK) return st;
    cpu_plan *plan = NULL;
    info->workspace_bytes = 0;
    info->library[0] = info->algorithm[0] = '\0';

    switch (desc->kind) {
    case ACCEL_OP_GEMM:
#ifdef ACCEL_CPU_HAVE_ONEDNN
        if (lib == CPU_LIB_ONEDNN) st = cpu_gemm_plan_onednn(ctx, &desc->u.gemm, &plan, info);
        else
#endif
        if (lib == CPU_LIB_OPENBLAS) st = cpu_gemm_plan_openblas(ctx, &desc->u.gemm, &plan, info);
        else st = cpu_gemm_plan_accel(ctx, &desc->u.gemm, &plan, info);
        break;
    case ACCEL_OP_CONV2D:
#ifdef ACCEL_CPU_HAVE_ONEDNN
        if (lib == CPU_LIB_ONEDNN) st = cpu_conv_plan_onednn(ctx, &desc->u.conv2d, &plan, info);
        else
#endif
        if (lib == CPU_LIB_OPENBLAS)
            st = host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/openblas: conv2d is not a BLAS op");
        else st = cpu_conv_plan_accel(ctx, &desc->u.conv2d, &plan, info);
        break;
    case ACCEL_OP_ATTENTION:
        /* ours only: oneDNN 2.6 has no attention primitive and BLAS names none */
        if (lib != CPU_LIB_ACCEL)
            st = host->set_error(ACCEL_ERR_UNIMPLEMENTED, "cpu/%s: no fused attention in this library (library "
                                 "\"accel\" has one)", cpu_library_name(lib));
        else
            st = cpu_attention_plan(ctx, &desc->u.attention, &plan, info);
        break;
    case ACCEL_OP_ELTWISE:
    case ACCEL_OP_PERMUTE: st = plan_memory_bound(ctx, lib, desc, &plan, info); break;
    default:
        if (accel_op_is_row_wise(desc->kind)) {
            st = plan_memory_bound(ctx, lib, desc, &plan, info);
            break;
        }
        st = train_plan(ctx, lib, desc, &plan, info);
        break;
    }
    if (st != ACCEL_OK) return st;
    plan->ctx = ctx;
    info->workspace_bytes = plan->workspace_bytes;
    *out_plan = plan;
    return ACCEL_OK;
}

void cpu_op_plan_destroy(void *vplan) {
    cpu_plan *plan = vplan;
    if (plan) plan->destroy(plan);
}

accel_status cpu_op_plan_execute(void *vplan, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace) {
    (void)stream;
    cpu_plan *plan = vplan;
    void *ws = cpu_ref_ptr(workspace);
    if (plan->workspace_bytes && !ws)
        return plan->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "cpu plan: needs %zu bytes of workspace, none given",
                                          plan->workspace_bytes);
    /* Plans index every operand slot of their kind; an older host passes fewer (see plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++) all[i] = operands[i];
    return plan->execute(plan, all, ws);
}
