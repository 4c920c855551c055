/* Op plans on the .cl kernel family, compiled to SPIR-V at build time: the family's planner
 * (backends/kernels_cl) chooses among the variants the build made (the -D options the OpenCL
 * backend would pass, baked into one image each), and this plugin only loads the image, checks the
 * launch against the device's limits and turns the recipe into zeKernelSetArgumentValue calls.
 * Buffers are USM pointers: an operand is passed as base + byte offset with element offset 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_cl_planner.h"
#include "ze_internal.h"

typedef struct ze_plan {
    accel_ze_device *dev;
    accel_recipe recipe;
    accel_ze_kernel *kernels[ACCEL_RECIPE_MAX_LAUNCHES]; /* owned by the device's module cache */
} ze_plan;

static const int64_t ze_zero_offset = 0;

/* The device must take each launch's fixed work-group and its grid. */
static accel_status check_geometry(const accel_ze_device *dev, const accel_recipe_launch *l) {
    const ze_device_compute_properties_t *c = &dev->compute_props;
    const uint64_t items = (uint64_t)l->group[0] * l->group[1] * l->group[2];
    if (items > c->maxTotalGroupSize || l->group[0] > c->maxGroupSizeX || l->group[1] > c->maxGroupSizeY ||
        l->group[2] > c->maxGroupSizeZ)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero %s: work-group %ux%ux%u exceeds the device's (max %u total, "
                                    "%ux%ux%u); SPIR-V variants have fixed tiles",
                                    l->entry, l->group[0], l->group[1], l->group[2], c->maxTotalGroupSize,
                                    c->maxGroupSizeX, c->maxGroupSizeY, c->maxGroupSizeZ);
    if (l->grid[0] > c->maxGroupCountX || l->grid[1] > c->maxGroupCountY || l->grid[2] > c->maxGroupCountZ ||
        !l->grid[0] || !l->grid[1] || !l->grid[2])
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero %s: grid %ux%ux%u groups exceeds the device's %ux%ux%u", l->entry,
                                    l->grid[0], l->grid[1], l->grid[2], c->maxGroupCountX, c->maxGroupCountY,
                                    c->maxGroupCountZ);
    return ACCEL_OK;
}

accel_status accel_ze_op_plan_create(void *opaque_dev, const accel_op_desc *desc, void **out,
                                     accel_plugin_plan_info *info) {
    accel_ze_device *dev = opaque_dev;
    if (desc->library[0] && strcmp(desc->library, "accel") != 0)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "level_zero: unknown op library \"%s\" (this device offers accel)",
                                    desc->library);
    accel_cl_target t;
    memset(&t, 0, sizeof t);
    t.backend = "level_zero";
    t.prebuilt = 1;
    ze_plan *p = calloc(1, sizeof *p);
    if (!p) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    p->dev = dev;
    char why[256];
    accel_status st = accel_cl_plan(desc, &t, &p->recipe, why, sizeof why);
    if (st != ACCEL_OK) st = dev->host->set_error(st, "%s", why);
    for (uint32_t i = 0; i < p->recipe.nlaunches && st == ACCEL_OK; i++) {
        const accel_recipe_launch *l = &p->recipe.launch[i];
        if (!l->variant[0])
            st = dev->host->set_error(ACCEL_ERR_INTERNAL, "level_zero %s: no prebuilt variant", l->entry);
        if (st == ACCEL_OK) st = accel_ze_embedded_kernel(dev, l->variant, l->entry, &p->kernels[i]);
        if (st == ACCEL_OK) st = check_geometry(dev, l);
    }
    if (st != ACCEL_OK) {
        free(p);
        return st;
    }
    snprintf(info->library, sizeof info->library, "accel-level-zero");
    snprintf(info->algorithm, sizeof info->algorithm, "%s SPIR-V %s", p->recipe.algorithm,
             p->recipe.launch[p->recipe.nlaunches - 1].variant);
    info->workspace_bytes = p->recipe.workspace_bytes;
    *out = p;
    return ACCEL_OK;
}

void accel_ze_op_plan_destroy(void *plan) { free(plan); }

accel_status accel_ze_op_plan_execute(void *opaque, void *stream, const accel_plugin_ref *operands,
                                      size_t noperands, accel_plugin_ref workspace) {
    ze_plan *p = opaque;
    const accel_recipe *r = &p->recipe;
    /* Plans index every operand slot of their kind; an older host passes fewer (plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++) all[i] = operands[i];
    const int missing = accel_recipe_missing(r, all, ACCEL_OP_MAX_OPERANDS);
    if (missing >= 0)
        return p->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "level_zero %s: operand %d is required",
                                       r->launch[r->nlaunches - 1].entry, missing);
    if (r->workspace_bytes && !workspace.buffer)
        return p->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "level_zero: this plan needs its %zu-byte workspace",
                                       r->workspace_bytes);
    for (uint32_t i = 0; i < r->nlaunches; i++) {
        const accel_recipe_launch *l = &r->launch[i];
        accel_plugin_arg args[ACCEL_RECIPE_MAX_ARGS];
        int32_t present[ACCEL_RECIPE_MAX_ARGS];
        for (uint32_t a = 0; a < l->nargs; a++) {
            const accel_recipe_arg *arg = &l->args[a];
            const accel_plugin_ref ref = accel_recipe_ref(arg, all, ACCEL_OP_MAX_OPERANDS, workspace);
            accel_plugin_arg *out = &args[a];
            memset(out, 0, sizeof *out);
            switch (arg->kind) {
            case ACCEL_RECIPE_ARG_SCALAR:
                out->kind = ACCEL_ARG_SCALAR;
                out->value = accel_recipe_scalar(r, arg);
                out->size = arg->size;
                break;
            case ACCEL_RECIPE_ARG_PRESENT:
                present[a] = ref.buffer != NULL;
                out->kind = ACCEL_ARG_SCALAR;
                out->value = &present[a];
                out->size = sizeof present[a];
                break;
            case ACCEL_RECIPE_ARG_ELEMENT_OFFSET: /* the pointer below already carries the offset */
                out->kind = ACCEL_ARG_SCALAR;
                out->value = &ze_zero_offset;
                out->size = sizeof ze_zero_offset;
                break;
            default: /* OPERAND, NULL */
                out->kind = ACCEL_ARG_BUFFER;
                out->buffer = ref;
                break;
            }
        }
        accel_status st = accel_ze_kernel_launch(stream, p->kernels[i], l->grid, l->group, args, l->nargs, 0);
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_OK;
}
