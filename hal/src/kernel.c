/* Modules and kernels: format checks against what the device declares, argument translation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hal_internal.h"

#define MAX_KERNEL_ARGS 64

static const char *format_name(accel_module_format f) {
    switch (f) {
    case ACCEL_MODULE_OPENCL_C: return "OpenCL C";
    case ACCEL_MODULE_SPIRV: return "SPIR-V";
    case ACCEL_MODULE_PTX: return "PTX";
    case ACCEL_MODULE_CUBIN: return "cubin";
    case ACCEL_MODULE_GPU_C: return "GPU C (NVRTC/hiprtc)";
    case ACCEL_MODULE_HIP_CODE_OBJECT: return "HIP code object";
    case ACCEL_MODULE_CPU_TABLE: return "CPU table";
    default: return "unknown";
    }
}

static void list_formats(uint32_t mask, char *buf, size_t len) {
    buf[0] = '\0';
    size_t used = 0;
    for (int f = 0; f < ACCEL_MODULE_FORMAT_COUNT_; ++f)
        if (mask & (1u << f)) {
            int n = snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
                             format_name((accel_module_format)f));
            if (n < 0 || (size_t)n >= len - used) break;
            used += (size_t)n;
        }
    if (!used) snprintf(buf, len, "none");
}

static int kernels_supported(const accel_backend_ops *o) {
    return HAL_HAS_SLOT(o, module_load) && HAL_HAS_SLOT(o, module_unload) &&
           HAL_HAS_SLOT(o, kernel_get) && HAL_HAS_SLOT(o, kernel_release) &&
           HAL_HAS_SLOT(o, kernel_launch);
}

ACCEL_API accel_status accel_module_load(accel_device *dev, accel_module_format format,
                                         const void *bytes, size_t size, const char *options,
                                         accel_module **out_module) {
    HAL_CHECK_OUT(out_module);
    *out_module = NULL;
    HAL_CHECK_HANDLE(dev, TAG_DEVICE, "device");
    if (!bytes || size == 0)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_module_load: empty module image");
    if ((unsigned)format >= ACCEL_MODULE_FORMAT_COUNT_)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_module_load: unknown format %d",
                         (int)format);
    const accel_backend_ops *o = dev->be->ops;
    uint32_t mask = kernels_supported(o) ? dev->slot->info.module_formats : 0;
    if (!(mask & (1u << format))) {
        char accepted[160];
        list_formats(mask, accepted, sizeof accepted);
        return hal_error(ACCEL_ERR_UNIMPLEMENTED, "%s does not accept %s modules (accepts: %s)",
                         dev->id, format_name(format), accepted);
    }
    accel_module *m = calloc(1, sizeof *m);
    if (!m) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_module_load: out of host memory");
    accel_status st = o->module_load(dev->slot->handle, format, bytes, size, options, &m->handle);
    if (st != ACCEL_OK) {
        free(m);
        return st;
    }
    m->tag = TAG_MODULE;
    m->dev = dev;
    atomic_init(&m->kernels_out, 0);
    hal_device_adopt(dev, HAL_OWNED_MODULE);
    *out_module = m;
    return ACCEL_OK;
}

ACCEL_API accel_status accel_module_unload(accel_module *module) {
    if (!module) return ACCEL_OK;
    HAL_CHECK_HANDLE(module, TAG_MODULE, "module");
    const int out = atomic_load(&module->kernels_out);
    if (out) {
        /* Each kernel handle points at its module: unloading would leave them dangling. */
        hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                  "accel_module_unload: %d kernel%s taken from this module on %s %s not released: "
                  "release them first (the module stays loaded)",
                  out, out == 1 ? "" : "s", module->dev->id, out == 1 ? "is" : "are");
        hal_log(ACCEL_LOG_WARN, NULL, accel_last_error());
        return ACCEL_ERR_INVALID_ARGUMENT;
    }
    module->dev->be->ops->module_unload(module->handle);
    hal_device_release(module->dev, HAL_OWNED_MODULE);
    module->tag = 0;
    free(module);
    return ACCEL_OK;
}

ACCEL_API accel_status accel_kernel_get(accel_module *module, const char *name,
                                        accel_kernel **out_kernel) {
    HAL_CHECK_OUT(out_kernel);
    *out_kernel = NULL;
    HAL_CHECK_HANDLE(module, TAG_MODULE, "module");
    if (!name || !*name)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_kernel_get: kernel name is empty");
    accel_kernel *k = calloc(1, sizeof *k);
    if (!k) return hal_error(ACCEL_ERR_OUT_OF_MEMORY, "accel_kernel_get: out of host memory");
    accel_status st = module->dev->be->ops->kernel_get(module->handle, name, &k->handle);
    if (st != ACCEL_OK) {
        free(k);
        return st;
    }
    k->tag = TAG_KERNEL;
    k->module = module;
    atomic_fetch_add(&module->kernels_out, 1);
    *out_kernel = k;
    return ACCEL_OK;
}

ACCEL_API void accel_kernel_release(accel_kernel *kernel) {
    if (!kernel || kernel->tag != TAG_KERNEL) return;
    kernel->module->dev->be->ops->kernel_release(kernel->handle);
    atomic_fetch_sub(&kernel->module->kernels_out, 1);
    kernel->tag = 0;
    free(kernel);
}

ACCEL_API accel_status accel_kernel_launch(accel_stream *stream, accel_kernel *kernel,
                                           const uint32_t grid[3], const uint32_t group[3],
                                           const accel_kernel_arg *args, size_t nargs,
                                           size_t shared_bytes) {
    HAL_CHECK_HANDLE(stream, TAG_STREAM, "stream");
    HAL_CHECK_HANDLE(kernel, TAG_KERNEL, "kernel");
    if (!hal_same_device(kernel->module->dev, stream->dev))
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                         "accel_kernel_launch: kernel of %s launched on a stream of %s",
                         kernel->module->dev->id, stream->dev->id);
    if (!grid || !group)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_kernel_launch: grid or group is NULL");
    for (int i = 0; i < 3; ++i)
        if (grid[i] == 0 || group[i] == 0)
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "accel_kernel_launch: grid (%u,%u,%u) and group (%u,%u,%u) must be >= 1",
                             grid[0], grid[1], grid[2], group[0], group[1], group[2]);
    if (nargs > MAX_KERNEL_ARGS)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_kernel_launch: %zu arguments, at most %d",
                         nargs, MAX_KERNEL_ARGS);
    if (nargs && !args)
        return hal_error(ACCEL_ERR_INVALID_ARGUMENT, "accel_kernel_launch: args is NULL");
    accel_plugin_arg pargs[MAX_KERNEL_ARGS];
    for (size_t i = 0; i < nargs; ++i) {
        const accel_kernel_arg *a = &args[i];
        accel_plugin_arg *p = &pargs[i];
        memset(p, 0, sizeof *p);
        p->kind = a->kind;
        switch (a->kind) {
        case ACCEL_ARG_BUFFER: {
            const accel_buffer *b = a->buffer.buffer;
            if (!b || b->tag != TAG_BUFFER)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_kernel_launch: argument %zu is not a valid buffer", i);
            if (!hal_same_device(b->dev, stream->dev))
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_kernel_launch: argument %zu is a buffer of %s, not %s", i,
                                 b->dev->id, stream->dev->id);
            if (a->buffer.offset >= b->size)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_kernel_launch: argument %zu offset %zu is outside the "
                                 "%zu-byte buffer",
                                 i, a->buffer.offset, b->size);
            p->buffer.buffer = b->handle;
            p->buffer.offset = a->buffer.offset;
            break;
        }
        case ACCEL_ARG_SCALAR:
            if (!a->value || a->size == 0 || a->size > 256)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_kernel_launch: scalar argument %zu needs a value of 1..256 "
                                 "bytes",
                                 i);
            p->value = a->value;
            p->size = a->size;
            break;
        case ACCEL_ARG_LOCAL:
            if (a->size == 0)
                return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                                 "accel_kernel_launch: local argument %zu has size 0", i);
            p->size = a->size;
            break;
        default:
            return hal_error(ACCEL_ERR_INVALID_ARGUMENT,
                             "accel_kernel_launch: argument %zu has unknown kind %d", i, (int)a->kind);
        }
    }
    return stream->dev->be->ops->kernel_launch(stream->handle, kernel->handle, grid, group, pargs,
                                               nargs, shared_bytes);
}
