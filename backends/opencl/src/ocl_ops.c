/* Op plan dispatch and the helpers every planner uses. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ocl_storage_code(ocl_device *dev, accel_dtype t, const char *what) {
    switch (t) {
    case ACCEL_DTYPE_F32:
        return 0;
    case ACCEL_DTYPE_F16:
        return 1; /* storage via vload_half/vstore_half, core OpenCL C: no cl_khr_fp16 needed */
    case ACCEL_DTYPE_BF16:
        return 2;
    default:
        dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                             "opencl: %s type %d: our kernels store f32, f16 or bf16 only", what,
                             (int)t);
        return -1;
    }
}

accel_status ocl_plan_kernel(ocl_plan *plan, const char *file, const char *options,
                             const char *kernel_name, const char **cache_state) {
    ocl_device *dev = plan->dev;
    cl_program prog;
    accel_status st = ocl_program_get(dev, file, options, &prog, cache_state);
    if (st != ACCEL_OK)
        return st;
    cl_int err = CL_SUCCESS;
    plan->kernel = dev->cl->clCreateKernel(prog, kernel_name, &err);
    if (!plan->kernel)
        return ocl_fail(dev, ocl_status_of(err), "clCreateKernel", err);
    return ACCEL_OK;
}

accel_status ocl_plan_warm_up(ocl_plan *plan) {
    ocl_device *dev = plan->dev;
    size_t global[3];
    for (int d = 0; d < 3; d++)
        global[d] = plan->local[d];
    cl_int err = dev->cl->clEnqueueNDRangeKernel(dev->internal_queue, plan->kernel, 3, NULL, global,
                                                 plan->local, 0, NULL, NULL);
    if (err == CL_SUCCESS)
        err = dev->cl->clFinish(dev->internal_queue);
    OCL_CHECK(dev, "clEnqueueNDRangeKernel (plan warm-up)", err);
    return ACCEL_OK;
}

accel_status ocl_arg(ocl_plan *plan, cl_uint index, size_t size, const void *value) {
    cl_int err = plan->dev->cl->clSetKernelArg(plan->kernel, index, size, value);
    if (err != CL_SUCCESS)
        return plan->dev->host->set_error(ACCEL_ERR_INTERNAL, "clSetKernelArg(%u): %s (%d)", index,
                                          ocl_error_name(err), (int)err);
    return ACCEL_OK;
}

accel_status ocl_arg_ref(ocl_plan *plan, cl_uint index, accel_plugin_ref ref, size_t elem_size) {
    ocl_buffer *b = ref.buffer;
    cl_mem mem = b ? b->mem : plan->dev->timer_scratch;
    if (ref.offset % elem_size != 0)
        return plan->dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                          "opencl: operand offset %zu is not a multiple of the "
                                          "element size %zu",
                                          ref.offset, elem_size);
    cl_long off = b ? (cl_long)(ref.offset / elem_size) : 0;
    accel_status st = ocl_arg(plan, index, sizeof(cl_mem), &mem);
    if (st == ACCEL_OK)
        st = ocl_arg(plan, index + 1, sizeof(off), &off);
    return st;
}

accel_status ocl_plan_enqueue(ocl_plan *plan, ocl_stream *s) {
    cl_int err = plan->dev->cl->clEnqueueNDRangeKernel(s->queue, plan->kernel, 3, NULL, plan->global,
                                                       plan->local, 0, NULL, NULL);
    OCL_CHECK(plan->dev, "clEnqueueNDRangeKernel", err);
    return ACCEL_OK;
}

size_t ocl_pow2_group(ocl_device *dev, size_t want) {
    size_t limit = dev->max_work_group < dev->max_work_item[0] || dev->max_work_item[0] == 0
                       ? dev->max_work_group
                       : dev->max_work_item[0];
    if (want > limit)
        want = limit;
    size_t g = 1;
    while (g * 2 <= want)
        g *= 2;
    return g;
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
        return ACCEL_ERR_OUT_OF_MEMORY;
    plan->dev = dev;
    plan->desc = *desc;
    for (int d = 0; d < 3; d++)
        plan->global[d] = plan->local[d] = 1;
    pthread_mutex_init(&plan->lock, NULL);
    snprintf(info->library, sizeof(info->library), "accel-opencl");
    info->workspace_bytes = 0;
    accel_status st;
    switch (desc->kind) {
    case ACCEL_OP_GEMM:
        st = clblast ? ocl_plan_gemm_clblast(plan, info) : ocl_plan_gemm(plan, info);
        break;
    case ACCEL_OP_CONV2D:
        st = ocl_plan_conv2d(plan, info);
        break;
    case ACCEL_OP_LAYERNORM:
        st = ocl_plan_layernorm(plan, info);
        break;
    case ACCEL_OP_SOFTMAX:
        st = ocl_plan_softmax(plan, info);
        break;
    case ACCEL_OP_ELTWISE:
        st = ocl_plan_eltwise(plan, info);
        break;
    case ACCEL_OP_PERMUTE:
        st = ocl_plan_permute(plan, info);
        break;
    case ACCEL_OP_ATTENTION:
        st = ocl_plan_attention(plan, info);
        break;
    default:
        st = dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "opencl: op kind %d", (int)desc->kind);
        break;
    }
    if (st != ACCEL_OK) {
        ocl_op_plan_destroy(plan);
        return st;
    }
    *out = plan;
    return ACCEL_OK;
}

void ocl_op_plan_destroy(void *p) {
    ocl_plan *plan = p;
    if (plan->kernel)
        plan->dev->cl->clReleaseKernel(plan->kernel);
    if (plan->aux_kernel)
        plan->dev->cl->clReleaseKernel(plan->aux_kernel);
    pthread_mutex_destroy(&plan->lock);
    free(plan);
}

accel_status ocl_op_plan_execute(void *p, void *stream, const accel_plugin_ref *operands,
                                 size_t noperands, accel_plugin_ref workspace) {
    ocl_plan *plan = p;
    (void)noperands; /* the host checked the count for the op kind */
    pthread_mutex_lock(&plan->lock);
    plan->workspace = workspace;
    accel_status st = plan->exec(plan, stream, operands);
    pthread_mutex_unlock(&plan->lock);
    return st;
}
