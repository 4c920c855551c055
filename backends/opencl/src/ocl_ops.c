/* Op plans: the .cl family's planner decides kernel, defines, geometry and arguments; here each
 * recipe launch is built from the embedded source (program cache), warmed up once on an empty
 * problem (PoCL compiles per launch geometry, better now than inside a timed execute), and its
 * constant arguments set; execute binds the buffers and enqueues. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The device as the planner sees it, with the ACCEL_OPENCL_* tuning overrides. */
static accel_cl_target ocl_cl_target(const ocl_device *dev) {
    accel_cl_target t;
    memset(&t, 0, sizeof t);
    t.backend = "opencl";
    t.cpu = (dev->type & CL_DEVICE_TYPE_CPU) != 0;
    t.max_group = dev->max_work_group;
    for (int d = 0; d < 3; d++)
        t.max_item[d] = dev->max_work_item[d];
    t.local_mem = (size_t)dev->local_mem;
    t.pref_vec_float = dev->pref_vec_float;
    t.gemm_kernel = getenv("ACCEL_OPENCL_GEMM_KERNEL");
    t.gemm_tile = getenv("ACCEL_OPENCL_GEMM_TILE");
    t.gemm_vec = getenv("ACCEL_OPENCL_GEMM_VEC");
    t.gemm_pack_b = getenv("ACCEL_OPENCL_GEMM_PACK_B");
    t.conv_kernel = getenv("ACCEL_OPENCL_CONV_KERNEL");
    t.conv_tile = getenv("ACCEL_OPENCL_CONV_TILE");
    t.conv_kc = getenv("ACCEL_OPENCL_CONV_KC");
    return t;
}

static void release_kernels(ocl_plan *plan) {
    for (int i = 0; i < ACCEL_RECIPE_MAX_LAUNCHES; i++) {
        if (plan->kernels[i])
            plan->dev->cl->clReleaseKernel(plan->kernels[i]);
        plan->kernels[i] = NULL;
    }
}

static accel_status set_arg(ocl_plan *plan, cl_kernel k, cl_uint index, size_t size, const void *value) {
    cl_int err = plan->dev->cl->clSetKernelArg(k, index, size, value);
    if (err != CL_SUCCESS)
        return plan->dev->host->set_error(ACCEL_ERR_INTERNAL, "clSetKernelArg(%u): %s (%d)", index,
                                          ocl_error_name(err), (int)err);
    return ACCEL_OK;
}

/* The buffer an argument names (absent: the device's dummy buffer) and its element offset. */
static accel_status bind_buffer(ocl_plan *plan, cl_kernel k, cl_uint index, accel_plugin_ref ref) {
    ocl_buffer *b = ref.buffer;
    cl_mem mem = b ? b->mem : plan->dev->timer_scratch;
    return set_arg(plan, k, index, sizeof(cl_mem), &mem);
}

static accel_status bind_offset(ocl_plan *plan, cl_kernel k, cl_uint index, accel_plugin_ref ref, size_t elem) {
    if (ref.buffer && elem && ref.offset % elem != 0)
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl: operand offset %zu is not a multiple of the element size %zu",
                                          ref.offset, elem);
    cl_long off = ref.buffer && elem ? (cl_long)(ref.offset / elem) : 0;
    return set_arg(plan, k, index, sizeof off, &off);
}

/* Every argument of launch i. warm_up: the empty problem (sizes flagged zero, dummy buffers);
 * scalars_only: the arguments that do not change between executes; else the operand ones. */
enum { ARGS_WARM_UP, ARGS_CONSTANT, ARGS_OPERANDS };
static accel_status set_args(ocl_plan *plan, uint32_t i, int which, const accel_plugin_ref *ops) {
    const accel_recipe *r = &plan->recipe;
    const accel_recipe_launch *l = &r->launch[i];
    const accel_plugin_ref none = {NULL, 0};
    accel_status st = ACCEL_OK;
    for (uint32_t a = 0; a < l->nargs && st == ACCEL_OK; a++) {
        const accel_recipe_arg *arg = &l->args[a];
        const accel_plugin_ref ref =
            which == ARGS_OPERANDS ? accel_recipe_ref(arg, ops, ACCEL_OP_MAX_OPERANDS, plan->workspace) : none;
        switch (arg->kind) {
        case ACCEL_RECIPE_ARG_SCALAR:
            if (which == ARGS_OPERANDS)
                break;
            if (which == ARGS_WARM_UP && (arg->flags & ACCEL_RECIPE_ZERO_IN_WARM_UP)) {
                const uint64_t zero = 0;
                st = set_arg(plan, plan->kernels[i], a, arg->size, &zero);
            } else {
                st = set_arg(plan, plan->kernels[i], a, arg->size, accel_recipe_scalar(r, arg));
            }
            break;
        case ACCEL_RECIPE_ARG_PRESENT: {
            if (which == ARGS_CONSTANT)
                break;
            const cl_int given = ref.buffer != NULL;
            st = set_arg(plan, plan->kernels[i], a, sizeof given, &given);
            break;
        }
        case ACCEL_RECIPE_ARG_ELEMENT_OFFSET:
            if (which != ARGS_CONSTANT)
                st = bind_offset(plan, plan->kernels[i], a, ref, arg->elem_size);
            break;
        default: /* OPERAND, NULL */
            if (which != ARGS_CONSTANT)
                st = bind_buffer(plan, plan->kernels[i], a, ref);
            break;
        }
    }
    return st;
}

static void geometry(const accel_recipe_launch *l, size_t global[3], size_t local[3]) {
    for (int d = 0; d < 3; d++) {
        local[d] = l->group[d];
        global[d] = (size_t)l->grid[d] * l->group[d];
    }
}

/* One group of launch i on the empty problem, on the device's internal queue. */
static accel_status warm_up(ocl_plan *plan, uint32_t i) {
    ocl_device *dev = plan->dev;
    size_t global[3], local[3];
    geometry(&plan->recipe.launch[i], global, local);
    accel_status st = set_args(plan, i, ARGS_WARM_UP, NULL);
    if (st != ACCEL_OK)
        return st;
    cl_int err = dev->cl->clEnqueueNDRangeKernel(dev->internal_queue, plan->kernels[i], 3, NULL, local, local, 0,
                                                 NULL, NULL);
    if (err == CL_SUCCESS)
        err = dev->cl->clFinish(dev->internal_queue);
    OCL_CHECK(dev, "clEnqueueNDRangeKernel (plan warm-up)", err);
    return set_args(plan, i, ARGS_CONSTANT, NULL);
}

static accel_status exec_recipe(ocl_plan *plan, ocl_stream *s, const accel_plugin_ref *ops) {
    ocl_device *dev = plan->dev;
    const accel_recipe *r = &plan->recipe;
    const int missing = accel_recipe_missing(r, ops, ACCEL_OP_MAX_OPERANDS);
    if (missing >= 0)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "opencl %s: operand %d is required",
                                    r->launch[r->nlaunches - 1].entry, missing);
    if (r->workspace_bytes && !plan->workspace.buffer)
        return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "opencl %s: this plan needs its %zu-byte workspace",
                                    r->launch[r->nlaunches - 1].entry, r->workspace_bytes);
    for (uint32_t i = 0; i < r->nlaunches; i++) {
        accel_status st = set_args(plan, i, ARGS_OPERANDS, ops);
        if (st != ACCEL_OK)
            return st;
        size_t global[3], local[3];
        geometry(&r->launch[i], global, local);
        cl_int err = dev->cl->clEnqueueNDRangeKernel(s->queue, plan->kernels[i], 3, NULL, global, local, 0, NULL,
                                                     NULL);
        OCL_CHECK(dev, "clEnqueueNDRangeKernel", err);
    }
    return ACCEL_OK;
}

/* Builds every kernel of the recipe; answers in *allows what the main kernel takes per group. */
static accel_status build(ocl_plan *plan, const char **cache, size_t *allows) {
    ocl_device *dev = plan->dev;
    for (uint32_t i = 0; i < plan->recipe.nlaunches; i++) {
        const accel_recipe_launch *l = &plan->recipe.launch[i];
        cl_program prog;
        const char *state = "";
        accel_status st = ocl_program_get(dev, l->source, l->defines, &prog, &state);
        if (st != ACCEL_OK)
            return st;
        if (i + 1 == plan->recipe.nlaunches)
            *cache = state;
        cl_int err = CL_SUCCESS;
        plan->kernels[i] = dev->cl->clCreateKernel(prog, l->entry, &err);
        if (!plan->kernels[i])
            return ocl_fail(dev, ocl_status_of(err), "clCreateKernel", err);
    }
    size_t kwg = 0;
    dev->cl->clGetKernelWorkGroupInfo(plan->kernels[plan->recipe.nlaunches - 1], dev->id, CL_KERNEL_WORK_GROUP_SIZE,
                                      sizeof kwg, &kwg, NULL);
    *allows = kwg;
    return ACCEL_OK;
}

accel_status ocl_plan_recipe(ocl_plan *plan, accel_plugin_plan_info *info) {
    ocl_device *dev = plan->dev;
    accel_cl_target t = ocl_cl_target(dev);
    const char *cache = "";
    /* A compiled kernel may take fewer work-items per group than the device (registers, local
     * memory): plan again under its limit until the kernels planned are the kernels built. */
    for (int attempt = 0; attempt < 8; attempt++) {
        char why[256];
        accel_status st = accel_cl_plan(&plan->desc, &t, &plan->recipe, why, sizeof why);
        if (st != ACCEL_OK)
            return dev->host->set_error(st, "%s", why);
        size_t allows = 0;
        st = build(plan, &cache, &allows);
        if (st != ACCEL_OK)
            return st;
        const uint32_t *g = plan->recipe.launch[plan->recipe.nlaunches - 1].group;
        const size_t items = (size_t)g[0] * g[1] * g[2];
        if (allows && allows < items) {
            release_kernels(plan);
            t.kernel_group_limit = allows;
            continue;
        }
        for (uint32_t i = 0; i < plan->recipe.nlaunches && st == ACCEL_OK; i++)
            st = warm_up(plan, i);
        if (st != ACCEL_OK)
            return st;
        plan->exec = exec_recipe;
        snprintf(info->algorithm, sizeof info->algorithm, "%s cache=%s", plan->recipe.algorithm, cache);
        info->workspace_bytes = plan->recipe.workspace_bytes;
        return ACCEL_OK;
    }
    return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl: no work-group the compiled kernel takes");
}

accel_status ocl_op_plan_create(void *p, const accel_op_desc *desc, void **out,
                                accel_plugin_plan_info *info) {
    ocl_device *dev = p;
    int clblast = strcmp(desc->library, "clblast") == 0;
    if (desc->library[0] && !clblast && strcmp(desc->library, "accel") != 0)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: unknown op library \"%s\" (this device offers %s)",
                                    desc->library, dev->ctx->clblast.lib ? "accel,clblast" : "accel");
    if (clblast && desc->kind != ACCEL_OP_GEMM)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: library clblast runs GEMM only");
    ocl_plan *plan = calloc(1, sizeof(*plan));
    if (!plan)
        return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "opencl: out of host memory");
    plan->dev = dev;
    plan->desc = *desc;
    pthread_mutex_init(&plan->lock, NULL);
    snprintf(info->library, sizeof(info->library), "accel-opencl");
    info->workspace_bytes = 0;
    accel_status st = clblast ? ocl_plan_gemm_clblast(plan, info) : ocl_plan_recipe(plan, info);
    if (st != ACCEL_OK) {
        ocl_op_plan_destroy(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void ocl_op_plan_destroy(void *p) {
    ocl_plan *plan = p;
    release_kernels(plan);
    pthread_mutex_destroy(&plan->lock);
    free(plan);
}

accel_status ocl_op_plan_execute(void *p, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace) {
    ocl_plan *plan = p;
    /* Plans index every operand slot of their kind; an older host passes fewer (plugin.h). */
    accel_plugin_ref all[ACCEL_OP_MAX_OPERANDS] = {{NULL, 0}};
    for (size_t i = 0; i < noperands && i < ACCEL_OP_MAX_OPERANDS; i++)
        all[i] = operands[i];
    pthread_mutex_lock(&plan->lock);
    plan->workspace = workspace;
    accel_status st = plan->exec(plan, stream, all);
    pthread_mutex_unlock(&plan->lock);
    return st;
}
