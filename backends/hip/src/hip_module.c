/* Modules (GPU C through hiprtc, HIP code objects), kernels and launches with packed arguments. */
#define _POSIX_C_SOURCE 200809L
#include "hip_internal.h"
#include "hip_rtc.h"

#include <stdlib.h>
#include <string.h>

typedef struct hip_module_obj {
    hip_device *dev;
    hipModule_t module;
} hip_module_obj;

typedef struct hip_kernel_obj {
    hip_module_obj *module;
    hipFunction_t fn;
} hip_kernel_obj;

void hip_args_push(hip_args *a, const void *value, size_t size, size_t align) {
    size_t at = (a->size + align - 1) / align * align;
    if (at + size > sizeof a->bytes) {
        a->overflow = 1;
        return;
    }
    memcpy(a->bytes + at, value, size);
    a->size = at + size;
}

void hip_args_ptr(hip_args *a, const void *ptr) { hip_args_push(a, &ptr, sizeof ptr, sizeof ptr); }

accel_status hip_launch(hip_device *dev, hipStream_t stream, hipFunction_t fn, const uint32_t grid[3],
                        const uint32_t block[3], size_t shared_bytes, hip_args *args) {
    hip_ctx *ctx = dev->ctx;
    if (args->overflow)
        return ctx->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                    "hip launch: arguments exceed %zu bytes", sizeof args->bytes);
    size_t size = args->size;
    /* The argument block is passed whole (HIP_LAUNCH_PARAM_BUFFER_POINTER), laid out as the
     * kernel's parameter list: this is what "packed args" means for hipModuleLaunchKernel. */
    void *extra[] = {HIP_LAUNCH_PARAM_BUFFER_POINTER, args->bytes, HIP_LAUNCH_PARAM_BUFFER_SIZE,
                     &size, HIP_LAUNCH_PARAM_END};
    hipError_t err = ctx->api.hipModuleLaunchKernel(fn, grid[0], grid[1], grid[2], block[0], block[1],
                                                    block[2], (unsigned)shared_bytes, stream, NULL,
                                                    size ? extra : NULL);
    return err == hipSuccess ? ACCEL_OK : hip_fail(ctx, "hipModuleLaunchKernel", err);
}

accel_status hip_module_load(void *p, accel_module_format format, const void *bytes, size_t size,
                             const char *options, void **out) {
    hip_device *dev = p;
    hip_ctx *ctx = dev->ctx;
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    void *image = NULL;
    const void *code = bytes;
    if (format == ACCEL_MODULE_GPU_C) {
        if (!dev->arch[0])
            return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                        "hip: ISA of %s unknown (%s): cannot compile GPU C",
                                        dev->name, dev->arch_source);
        char *source = malloc(size + 1); /* the text need not be NUL-terminated */
        if (!source)
            return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
        memcpy(source, bytes, size);
        source[size] = '\0';
        hip_rtc_result r;
        int hit = 0;
        st = hip_rtc_compile_cached(&ctx->api, "module.cu", source, dev->arch, options, &r, &hit);
        free(source);
        if (st != ACCEL_OK) {
            st = ctx->host->set_error(st, "%s", r.message);
            free(r.log);
            return st;
        }
        code = image = r.code;
    } else if (format != ACCEL_MODULE_HIP_CODE_OBJECT) {
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip: module format %d not accepted (GPU C, HIP code object)",
                                    (int)format);
    }
    hip_module_obj *m = calloc(1, sizeof *m);
    if (!m) {
        free(image);
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    }
    m->dev = dev;
    hipError_t err = ctx->api.hipModuleLoadData(&m->module, code);
    free(image);
    if (err != hipSuccess) {
        free(m);
        return hip_fail(ctx, "hipModuleLoadData", err);
    }
    *out = m;
    return ACCEL_OK;
}

void hip_module_unload(void *p) {
    hip_module_obj *m = p;
    (void)m->dev->ctx->api.hipModuleUnload(m->module);
    free(m);
}

accel_status hip_kernel_get(void *p, const char *name, void **out) {
    hip_module_obj *m = p;
    hip_ctx *ctx = m->dev->ctx;
    hip_kernel_obj *k = calloc(1, sizeof *k);
    if (!k)
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    k->module = m;
    hipError_t err = ctx->api.hipModuleGetFunction(&k->fn, m->module, name);
    if (err != hipSuccess) {
        free(k);
        return ctx->host->set_error(err == hipErrorNotFound ? ACCEL_ERR_NOT_FOUND : ACCEL_ERR_DEVICE,
                                    "hipModuleGetFunction(%s): %s (%d)", name,
                                    hip_api_error_name(&ctx->api, err), (int)err);
    }
    *out = k;
    return ACCEL_OK;
}

void hip_kernel_release(void *p) { free(p); }

/* Natural alignment of a scalar of this size, capped at 8 like the AMDGPU kernel ABI. */
static size_t scalar_align(size_t size) {
    size_t a = 1;
    while (a < 8 && size % (a * 2) == 0)
        a *= 2;
    return a;
}

accel_status hip_kernel_launch(void *stream, void *kernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes) {
    hip_stream *s = stream;
    hip_kernel_obj *k = kernel;
    hip_args packed = {0};
    for (size_t i = 0; i < nargs; ++i) {
        switch (args[i].kind) {
        case ACCEL_ARG_BUFFER:
            hip_args_ptr(&packed, hip_ref_ptr(args[i].buffer));
            break;
        case ACCEL_ARG_SCALAR:
            hip_args_push(&packed, args[i].value, args[i].size, scalar_align(args[i].size));
            break;
        default:
            return s->dev->ctx->host->set_error(
                ACCEL_ERR_UNIMPLEMENTED,
                "hip: argument %zu is LOCAL memory; HIP kernels take shared_bytes instead", i);
        }
    }
    return hip_launch(s->dev, s->stream, k->fn, grid, group, shared_bytes, &packed);
}
