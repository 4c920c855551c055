/* Ops on our own kernels: the .cu family's planner (backends/gpu_common) decides the kernel, grid
 * and arguments; here the recipe is compiled by hiprtc for the device's ISA (through the cache) at
 * plan time and packed into HIP's argument blocks at execute. */
#define _POSIX_C_SOURCE 200809L
#include "hip_arch.h"
#include "hip_ops.h"

#include <stdio.h>
#include <string.h>

accel_cu_target hip_cu_target(const hip_device *dev) {
    /* Block sizes in whole 64-wide wavefronts, right on CDNA and RDNA (wave32) alike; grid-stride
     * kernels get enough groups to fill an MI300X many times over and loop over the rest. No PTX
     * mma.sync; the flash kernel's MFMA body on the CDNA ISAs that have its instructions. */
    accel_cu_target t = {"hip", 64, 65535, 0, hip_arch_has_flash_mfma(dev->arch)};
    return t;
}

accel_status hip_recipe_load(hip_plan *plan) {
    for (uint32_t i = 0; i < plan->recipe.nlaunches; ++i) {
        const accel_recipe_launch *l = &plan->recipe.launch[i];
        accel_status st = hip_device_function(plan->dev, l->source, l->entry, &plan->fn[i]);
        if (st != ACCEL_OK)
            return st;
    }
    return ACCEL_OK;
}

accel_status hip_recipe_launch(hip_plan *plan, hip_stream *s, const accel_plugin_ref *ops,
                               accel_plugin_ref workspace) {
    const accel_recipe *r = &plan->recipe;
    const int missing = accel_recipe_missing(r, ops, ACCEL_OP_MAX_OPERANDS);
    if (missing >= 0)
        return plan->dev->ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "hip %s: operand %d is required",
                                               r->launch[0].entry, missing);
    for (uint32_t i = 0; i < r->nlaunches; ++i) {
        const accel_recipe_launch *l = &r->launch[i];
        hip_args args = {0};
        for (uint32_t a = 0; a < l->nargs; ++a) {
            const accel_recipe_arg *arg = &l->args[a];
            const accel_plugin_ref ref = accel_recipe_ref(arg, ops, ACCEL_OP_MAX_OPERANDS, workspace);
            if (arg->kind == ACCEL_RECIPE_ARG_SCALAR) {
                hip_args_push(&args, accel_recipe_scalar(r, arg), arg->size, arg->align);
            } else if (arg->kind == ACCEL_RECIPE_ARG_PRESENT) {
                const int32_t given = ref.buffer != NULL;
                hip_args_push(&args, &given, sizeof given, sizeof given);
            } else { /* OPERAND, NULL */
                hip_args_ptr(&args, ref.buffer ? hip_ref_ptr(ref) : NULL);
            }
        }
        accel_status st = hip_launch(plan->dev, s->stream, plan->fn[i], l->grid, l->group, l->shared_bytes, &args);
        if (st != ACCEL_OK)
            return st;
    }
    return ACCEL_OK;
}

accel_status hip_plan_accel(hip_plan *plan, accel_plugin_plan_info *info) {
    const accel_cu_target t = hip_cu_target(plan->dev);
    char why[256];
    accel_status st = accel_cu_plan(&plan->desc, &t, &plan->recipe, why, sizeof why);
    if (st != ACCEL_OK)
        return plan->dev->ctx->host->set_error(st, "%s", why);
    st = hip_recipe_load(plan);
    if (st != ACCEL_OK)
        return st;
    plan->path = HIP_PATH_KERNEL;
    snprintf(info->library, sizeof info->library, "accel-hip");
    snprintf(info->algorithm, sizeof info->algorithm, "%s, hiprtc %s", plan->recipe.algorithm, plan->dev->arch);
    info->workspace_bytes = plan->recipe.workspace_bytes;
    return ACCEL_OK;
}
