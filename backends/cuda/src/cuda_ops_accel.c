/* Ops on our own kernels: the .cu family's planner (backends/gpu_common) decides the kernel, grid
 * and arguments; here the recipe is compiled by NVRTC (through the cache) at plan time and becomes
 * cuLaunchKernel calls at execute. */
#include <stdio.h>
#include <string.h>

#include "cuda_ops.h"

accel_cu_target accel_cuda_cu_target(const accel_cuda_device *dev) {
    /* grid-stride kernels: 32 blocks per SM fill the GPU; the kernels loop over the rest */
    const unsigned sms = dev->sm_count > 0 ? (unsigned)dev->sm_count : 1u;
    accel_cu_target t = {"cuda", 32, sms * 32u, dev->sm >= 80, 0};
    return t;
}

accel_status accel_cuda_recipe_load(accel_cuda_plan *plan) {
    for (uint32_t i = 0; i < plan->recipe.nlaunches; ++i) {
        const accel_recipe_launch *l = &plan->recipe.launch[i];
        accel_status st = accel_cuda_builtin_function(plan->dev, l->source, l->entry, &plan->fn[i]);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}

accel_status accel_cuda_recipe_launch(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                                      accel_plugin_ref workspace) {
    accel_cuda_ctx *ctx = plan->dev->ctx;
    const accel_recipe *r = &plan->recipe;
    const int missing = accel_recipe_missing(r, operands, ACCEL_OP_MAX_OPERANDS);
    if (missing >= 0)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cuda %s: operand %d is required",
                                    r->launch[0].entry, missing);
    for (uint32_t i = 0; i < r->nlaunches; ++i) {
        const accel_recipe_launch *l = &r->launch[i];
        CUdeviceptr ptrs[ACCEL_RECIPE_MAX_ARGS];
        int32_t flags[ACCEL_RECIPE_MAX_ARGS];
        void *params[ACCEL_RECIPE_MAX_ARGS];
        for (uint32_t a = 0; a < l->nargs; ++a) {
            const accel_recipe_arg *arg = &l->args[a];
            const accel_plugin_ref ref = accel_recipe_ref(arg, operands, ACCEL_OP_MAX_OPERANDS, workspace);
            switch (arg->kind) {
            case ACCEL_RECIPE_ARG_SCALAR: params[a] = (void *)accel_recipe_scalar(r, arg); break;
            case ACCEL_RECIPE_ARG_PRESENT:
                flags[a] = ref.buffer != NULL;
                params[a] = &flags[a];
                break;
            default: /* OPERAND, NULL; ELEMENT_OFFSET is the .cl family's */
                ptrs[a] = ref.buffer ? accel_cuda_ref_ptr(ref) : 0;
                params[a] = &ptrs[a];
                break;
            }
        }
        char what[80];
        snprintf(what, sizeof what, "cuLaunchKernel(%s)", l->entry);
        accel_status st = ACCEL_CUDA_CALL(ctx,
                                          cuLaunchKernel(plan->fn[i], l->grid[0], l->grid[1], l->grid[2], l->group[0],
                                                         l->group[1], l->group[2], l->shared_bytes, s->stream,
                                                         l->nargs ? params : NULL, NULL),
                                          what);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}

static accel_status exec_accel(accel_cuda_plan *plan, accel_cuda_stream *s, const accel_plugin_ref *operands,
                               accel_plugin_ref workspace) {
    return accel_cuda_recipe_launch(plan, s, operands, workspace);
}

accel_status accel_cuda_plan_accel(accel_cuda_plan *plan, accel_plugin_plan_info *info) {
    const accel_cu_target t = accel_cuda_cu_target(plan->dev);
    char why[256];
    accel_status st = accel_cu_plan(&plan->desc, &t, &plan->recipe, why, sizeof why);
    if (st != ACCEL_OK) return plan->dev->ctx->host->set_error(st, "%s", why);
    st = accel_cuda_recipe_load(plan);
    if (st != ACCEL_OK) return st;
    plan->execute = exec_accel;
    snprintf(info->library, sizeof info->library, "accel-cuda");
    snprintf(info->algorithm, sizeof info->algorithm, "%s, nvrtc sm_%d", plan->recipe.algorithm, plan->dev->sm);
    info->workspace_bytes = plan->recipe.workspace_bytes;
    return ACCEL_OK;
}
