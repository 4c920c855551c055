/* Modules (PTX, cubin/fatbin, GPU C through NVRTC), kernels and launches; and the device's
 * built-in modules compiled from the embedded accel kernel sources. */
#include <stdlib.h>
#include <string.h>

#include "accel_gpu_sources.h"
#include "cuda_internal.h"

static accel_status load_image(accel_cuda_device *dev, const void *image, CUmodule *out) {
    return ACCEL_CUDA_CALL(dev->ctx, cuModuleLoadData(out, image), "cuModuleLoadData");
}

accel_status accel_cuda_module_load(void *p, accel_module_format format, const void *bytes,
                                    size_t size, const char *options, void **out) {
    accel_cuda_device *dev = p;
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    char *owned = NULL;
    size_t owned_size = 0;
    const void *image = bytes;
    if (format == ACCEL_MODULE_PTX || format == ACCEL_MODULE_GPU_C) {
        /* Text formats: the caller's bytes need not be NUL-terminated. */
        owned = malloc(size + 1);
        if (!owned) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
        memcpy(owned, bytes, size);
        owned[size] = '\0';
        image = owned;
    } else if (format != ACCEL_MODULE_CUBIN) {
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "cuda takes PTX, CUBIN (cubin or fatbin) and GPU_C modules");
    }
    if (format == ACCEL_MODULE_GPU_C) {
        char *compiled = NULL;
        st = accel_cuda_compile_cached(dev, "module.cu", owned, options, &compiled, &owned_size);
        free(owned);
        if (st != ACCEL_OK) return st;
        owned = compiled;
        image = owned;
    }
    accel_cuda_module *m = calloc(1, sizeof *m);
    if (!m) {
        free(owned);
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    m->dev = dev;
    st = load_image(dev, image, &m->module);
    free(owned);
    if (st != ACCEL_OK) {
        free(m);
        return st;
    }
    *out = m;
    return ACCEL_OK;
}

void accel_cuda_module_unload(void *p) {
    accel_cuda_module *m = p;
    if (accel_cuda_make_current(m->dev) == ACCEL_OK) m->dev->ctx->cu.cuModuleUnload(m->module);
    free(m);
}

accel_status accel_cuda_kernel_get(void *p, const char *name, void **out) {
    accel_cuda_module *m = p;
    accel_cuda_ctx *ctx = m->dev->ctx;
    accel_status st = accel_cuda_make_current(m->dev);
    if (st != ACCEL_OK) return st;
    accel_cuda_kernel *k = calloc(1, sizeof *k);
    if (!k) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    k->module = m;
    st = ACCEL_CUDA_CALL(ctx, cuModuleGetFunction(&k->function, m->module, name), "cuModuleGetFunction");
    if (st != ACCEL_OK) {
        free(k);
        return st;
    }
    *out = k;
    return ACCEL_OK;
}

void accel_cuda_kernel_release(void *p) {
    free(p);
}

accel_status accel_cuda_kernel_launch(void *ps, void *pk, const uint32_t grid[3], const uint32_t group[3],
                                      const accel_plugin_arg *args, size_t nargs, size_t shared_bytes) {
    accel_cuda_stream *s = ps;
    accel_cuda_kernel *k = pk;
    accel_cuda_ctx *ctx = s->dev->ctx;
    accel_status st = accel_cuda_make_current(s->dev);
    if (st != ACCEL_OK) return st;
    enum { MAX_ARGS = 64 };
    if (nargs > MAX_ARGS)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "%zu kernel arguments (at most %d)", nargs,
                                    MAX_ARGS);
    CUdeviceptr ptrs[MAX_ARGS];
    void *params[MAX_ARGS];
    for (size_t i = 0; i < nargs; ++i) {
        switch (args[i].kind) {
        case ACCEL_ARG_BUFFER:
            ptrs[i] = accel_cuda_ref_ptr(args[i].buffer);
            params[i] = &ptrs[i];
            break;
        case ACCEL_ARG_SCALAR: params[i] = (void *)args[i].value; break;
        default:
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "argument %zu: ACCEL_ARG_LOCAL is OpenCL-only; use shared_bytes", i);
        }
    }
    if (shared_bytes > 48 * 1024) {
        /* Beyond 48 KiB a kernel must opt in to its dynamic shared memory size. */
        if (!ctx->cu.cuFuncSetAttribute)
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "shared_bytes > 48 KiB needs cuFuncSetAttribute");
        st = ACCEL_CUDA_CALL(ctx, cuFuncSetAttribute(k->function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                                     (int)shared_bytes), "cuFuncSetAttribute");
        if (st != ACCEL_OK) return st;
    }
    return ACCEL_CUDA_CALL(ctx, cuLaunchKernel(k->function, grid[0], grid[1], grid[2], group[0], group[1],
                                               group[2], (unsigned)shared_bytes, s->stream,
                                               nargs ? params : NULL, NULL), "cuLaunchKernel");
}

accel_status accel_cuda_builtin_function(accel_cuda_device *dev, const char *source, const char *entry,
                                         CUfunction *out) {
    accel_cuda_ctx *ctx = dev->ctx;
    accel_status st = accel_cuda_make_current(dev);
    if (st != ACCEL_OK) return st;
    pthread_mutex_lock(&dev->lock);
    CUmodule module = NULL;
    for (int i = 0; i < dev->nmodules; ++i)
        if (strcmp(dev->modules[i].source, source) == 0) module = dev->modules[i].module;
    if (!module) {
        const accel_gpu_source *src = accel_gpu_kernel_source_find(source);
        char *image = NULL;
        size_t size = 0;
        if (!src) st = ctx->host->set_error(ACCEL_ERR_INTERNAL, "kernel source %s not embedded", source);
        else if (dev->nmodules == ACCEL_CUDA_MAX_MODULES)
            st = ctx->host->set_error(ACCEL_ERR_INTERNAL, "too many built-in modules");
        else st = accel_cuda_compile_cached(dev, src->name, src->text, NULL, &image, &size);
        if (st == ACCEL_OK) st = load_image(dev, image, &module);
        free(image);
        if (st == ACCEL_OK) {
            dev->modules[dev->nmodules].source = src->name;
            dev->modules[dev->nmodules].module = module;
            dev->nmodules++;
        }
    }
    pthread_mutex_unlock(&dev->lock);
    if (st != ACCEL_OK) return st;
    return ACCEL_CUDA_CALL(ctx, cuModuleGetFunction(out, module, entry), "cuModuleGetFunction");
}

void accel_cuda_builtin_modules_release(accel_cuda_device *dev) {
    for (int i = 0; i < dev->nmodules; ++i) dev->ctx->cu.cuModuleUnload(dev->modules[i].module);
    dev->nmodules = 0;
}
