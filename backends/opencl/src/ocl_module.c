/* User kernels: modules from OpenCL C source (cached builds) or SPIR-V, and launches.
 *
 * A BUFFER argument is a (cl_mem, byte offset) pair in the API, but an OpenCL kernel parameter is a
 * bare cl_mem. A non-zero offset is passed as a sub-buffer starting at that offset, which OpenCL only
 * allows at multiples of CL_DEVICE_MEM_BASE_ADDR_ALIGN; other offsets are refused with
 * INVALID_ARGUMENT. shared_bytes > 0 is passed as one extra trailing __local argument. */
#define _POSIX_C_SOURCE 200809L
#include "ocl_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct ocl_module {
    ocl_device *dev;
    cl_program program;
} ocl_module;

typedef struct ocl_kernel {
    ocl_device *dev;
    cl_kernel kernel;
    pthread_mutex_t lock; /* clSetKernelArg + enqueue must not interleave between threads */
} ocl_kernel;

accel_status ocl_module_load(void *p, accel_module_format format, const void *bytes, size_t size,
                             const char *options, void **out) {
    ocl_device *dev = p;
    ocl_module *m = calloc(1, sizeof(*m));
    if (!m)
        return ACCEL_ERR_OUT_OF_MEMORY;
    m->dev = dev;
    if (format == ACCEL_MODULE_OPENCL_C) {
        /* Source text may or may not carry its terminating NUL in size. */
        size_t len = size;
        while (len > 0 && ((const char *)bytes)[len - 1] == '\0')
            len--;
        char state[8];
        accel_status st = ocl_program_build(dev, bytes, len, options, &m->program, state);
        if (st != ACCEL_OK) {
            free(m);
            return st;
        }
    } else if (format == ACCEL_MODULE_SPIRV) {
        if (!dev->has_spirv) {
            free(m);
            return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "opencl: %s accepts no SPIR-V (CL_DEVICE_IL_VERSION lists "
                                        "none, or clCreateProgramWithIL is missing)",
                                        dev->name);
        }
        cl_int err = CL_SUCCESS;
        m->program = dev->cl->clCreateProgramWithIL(dev->context, bytes, size, &err);
        if (!m->program) {
            free(m);
            return ocl_fail(dev, ACCEL_ERR_INVALID_ARGUMENT, "clCreateProgramWithIL", err);
        }
        err = dev->cl->clBuildProgram(m->program, 1, &dev->id, options ? options : "", NULL, NULL);
        if (err != CL_SUCCESS) {
            dev->cl->clReleaseProgram(m->program);
            free(m);
            return ocl_fail(dev, ACCEL_ERR_INVALID_ARGUMENT, "clBuildProgram (SPIR-V)", err);
        }
    } else {
        free(m);
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "opencl: module format %d is not OpenCL C or SPIR-V", (int)format);
    }
    *out = m;
    return ACCEL_OK;
}

void ocl_module_unload(void *p) {
    ocl_module *m = p;
    m->dev->cl->clReleaseProgram(m->program);
    free(m);
}

accel_status ocl_kernel_get(void *p, const char *name, void **out) {
    ocl_module *m = p;
    cl_int err = CL_SUCCESS;
    cl_kernel k = m->dev->cl->clCreateKernel(m->program, name, &err);
    if (!k) {
        accel_status st = err == CL_INVALID_KERNEL_NAME ? ACCEL_ERR_NOT_FOUND : ocl_status_of(err);
        return m->dev->host->set_error(st, "clCreateKernel(\"%s\"): %s (%d)", name,
                                       ocl_error_name(err), (int)err);
    }
    ocl_kernel *kk = calloc(1, sizeof(*kk));
    if (!kk) {
        m->dev->cl->clReleaseKernel(k);
        return ACCEL_ERR_OUT_OF_MEMORY;
    }
    kk->dev = m->dev;
    kk->kernel = k;
    pthread_mutex_init(&kk->lock, NULL);
    *out = kk;
    return ACCEL_OK;
}

void ocl_kernel_release(void *p) {
    ocl_kernel *k = p;
    k->dev->cl->clReleaseKernel(k->kernel);
    pthread_mutex_destroy(&k->lock);
    free(k);
}

static accel_status ocl_set_args(ocl_kernel *k, const accel_plugin_arg *args, size_t nargs,
                                 size_t shared_bytes, cl_mem *subs) {
    ocl_device *dev = k->dev;
    const ocl_api *cl = dev->cl;
    for (size_t i = 0; i < nargs; i++) {
        const accel_plugin_arg *a = &args[i];
        cl_int err = CL_SUCCESS;
        if (a->kind == ACCEL_ARG_BUFFER) {
            ocl_buffer *b = a->buffer.buffer;
            cl_mem mem = b->mem;
            if (a->buffer.offset != 0) {
                if (a->buffer.offset % dev->base_addr_align_bytes != 0)
                    return dev->host->set_error(
                        ACCEL_ERR_INVALID_ARGUMENT,
                        "opencl: argument %zu: buffer offset %zu is not a multiple of "
                        "CL_DEVICE_MEM_BASE_ADDR_ALIGN (%u bytes); OpenCL kernels take a bare "
                        "cl_mem, so an offset is passed as a sub-buffer, which must be aligned "
                        "(pass the offset as a scalar argument instead)",
                        i, a->buffer.offset, dev->base_addr_align_bytes);
                cl_buffer_region region = {a->buffer.offset, b->bytes - a->buffer.offset};
                subs[i] = cl->clCreateSubBuffer(b->mem, CL_MEM_READ_WRITE,
                                                CL_BUFFER_CREATE_TYPE_REGION, &region, &err);
                if (!subs[i])
                    return ocl_fail(dev, ocl_status_of(err), "clCreateSubBuffer", err);
                mem = subs[i];
            }
            err = cl->clSetKernelArg(k->kernel, (cl_uint)i, sizeof(cl_mem), &mem);
        } else if (a->kind == ACCEL_ARG_SCALAR) {
            err = cl->clSetKernelArg(k->kernel, (cl_uint)i, a->size, a->value);
        } else if (a->kind == ACCEL_ARG_LOCAL) {
            err = cl->clSetKernelArg(k->kernel, (cl_uint)i, a->size, NULL);
        } else {
            return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                        "opencl: argument %zu has unknown kind %d", i, (int)a->kind);
        }
        if (err != CL_SUCCESS)
            return dev->host->set_error(err == CL_OUT_OF_HOST_MEMORY ? ACCEL_ERR_OUT_OF_MEMORY
                                                                     : ACCEL_ERR_INVALID_ARGUMENT,
                                        "clSetKernelArg(%zu): %s (%d)", i, ocl_error_name(err),
                                        (int)err);
    }
    if (shared_bytes > 0) {
        cl_int err = cl->clSetKernelArg(k->kernel, (cl_uint)nargs, shared_bytes, NULL);
        if (err != CL_SUCCESS)
            return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                        "clSetKernelArg(%zu, shared_bytes as trailing __local): %s (%d)",
                                        nargs, ocl_error_name(err), (int)err);
    }
    return ACCEL_OK;
}

accel_status ocl_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes) {
    ocl_stream *s = stream;
    ocl_kernel *k = kernel;
    cl_mem *subs = nargs ? calloc(nargs, sizeof(cl_mem)) : NULL;
    if (nargs && !subs)
        return ACCEL_ERR_OUT_OF_MEMORY;
    size_t global[3], local[3];
    for (int d = 0; d < 3; d++) {
        local[d] = group[d];
        global[d] = (size_t)grid[d] * group[d];
    }
    pthread_mutex_lock(&k->lock);
    accel_status st = ocl_set_args(k, args, nargs, shared_bytes, subs);
    if (st == ACCEL_OK) {
        cl_int err =
            k->dev->cl->clEnqueueNDRangeKernel(s->queue, k->kernel, 3, NULL, global, local, 0, NULL, NULL);
        if (err != CL_SUCCESS)
            st = k->dev->host->set_error(err == CL_INVALID_KERNEL_ARGS || err == CL_INVALID_WORK_GROUP_SIZE ||
                                                 err == CL_INVALID_WORK_ITEM_SIZE
                                             ? ACCEL_ERR_INVALID_ARGUMENT
                                             : ocl_status_of(err),
                                         "clEnqueueNDRangeKernel: %s (%d)", ocl_error_name(err),
                                         (int)err);
    }
    pthread_mutex_unlock(&k->lock);
    /* The queue holds its own reference to sub-buffers in use. */
    for (size_t i = 0; i < nargs; i++)
        if (subs[i])
            k->dev->cl->clReleaseMemObject(subs[i]);
    free(subs);
    return st;
}
