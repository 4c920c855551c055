/* Modules (SPIR-V only: Level Zero has no OpenCL C compiler) and kernel launches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"
#include "ze_kernel_images.h"

static accel_status module_create(accel_ze_device *dev, const void *bytes, size_t size,
                                  const char *options, const char *what, accel_ze_module **out) {
    accel_ze_module *m = calloc(1, sizeof *m);
    if (!m) return dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    m->dev = dev;
    ze_module_desc_t desc;
    memset(&desc, 0, sizeof desc);
    desc.stype = ZE_STRUCTURE_TYPE_MODULE_DESC;
    desc.format = ZE_MODULE_FORMAT_IL_SPIRV;
    desc.inputSize = size;
    desc.pInputModule = bytes;
    desc.pBuildFlags = options ? options : "";
    ze_module_build_log_handle_t log = NULL;
    ze_result_t r = dev->api->zeModuleCreate(dev->context, dev->device, &desc, &m->module, &log);
    if (r == ZE_RESULT_SUCCESS) {
        if (log) dev->api->zeModuleBuildLogDestroy(log);
        *out = m;
        return ACCEL_OK;
    }
    char text[1024] = "";
    if (log) {
        size_t len = 0;
        if (dev->api->zeModuleBuildLogGetString(log, &len, NULL) == ZE_RESULT_SUCCESS && len > 0) {
            char *full = malloc(len);
            if (full && dev->api->zeModuleBuildLogGetString(log, &len, full) == ZE_RESULT_SUCCESS)
                snprintf(text, sizeof text, "%s", full);
            free(full);
        }
        dev->api->zeModuleBuildLogDestroy(log);
    }
    free(m);
    return dev->host->set_error(r == ZE_RESULT_ERROR_OUT_OF_HOST_MEMORY ? ACCEL_ERR_OUT_OF_MEMORY
                                                                        : ACCEL_ERR_DEVICE,
                                "zeModuleCreate(%s): %s (0x%08x)%s%s", what, accel_ze_result_name(r),
                                (unsigned)r, text[0] ? ": " : "", text);
}

accel_status accel_ze_module_load(void *opaque_dev, accel_module_format format, const void *bytes,
                                  size_t size, const char *options, void **out) {
    accel_ze_device *dev = opaque_dev;
    if (format != ACCEL_MODULE_SPIRV)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "Level Zero accepts SPIR-V modules only (format %d); compile "
                                    "OpenCL C with clang -target spir64 -emit-llvm and llvm-spirv",
                                    (int)format);
    return module_create(dev, bytes, size, options, "SPIR-V", (accel_ze_module **)out);
}

void accel_ze_module_unload(void *opaque) {
    accel_ze_module *m = opaque;
    for (size_t i = 0; i < m->ncached; i++) accel_ze_kernel_release(m->cached[i]);
    m->dev->api->zeModuleDestroy(m->module);
    free(m);
}

accel_status accel_ze_kernel_get(void *opaque_module, const char *name, void **out) {
    accel_ze_module *m = opaque_module;
    accel_ze_kernel *k = calloc(1, sizeof *k);
    if (!k) return m->dev->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    k->module = m;
    snprintf(k->name, sizeof k->name, "%s", name);
    ze_kernel_desc_t desc = {ZE_STRUCTURE_TYPE_KERNEL_DESC, NULL, 0, name};
    ze_result_t r = m->dev->api->zeKernelCreate(m->module, &desc, &k->kernel);
    if (r != ZE_RESULT_SUCCESS) {
        free(k);
        accel_status status = accel_ze_fail(m->dev->host, "zeKernelCreate", r);
        return r == ZE_RESULT_ERROR_INVALID_KERNEL_NAME
                   ? m->dev->host->set_error(ACCEL_ERR_NOT_FOUND,
                                             "zeKernelCreate(%s): ZE_RESULT_ERROR_INVALID_KERNEL_NAME",
                                             name)
                   : status;
    }
    *out = k;
    return ACCEL_OK;
}

void accel_ze_kernel_release(void *opaque) {
    accel_ze_kernel *k = opaque;
    k->module->dev->api->zeKernelDestroy(k->kernel);
    free(k);
}

static accel_status kernel_set_args(accel_ze_device *dev, accel_ze_kernel *k,
                                    const accel_plugin_arg *args, size_t nargs) {
    for (size_t i = 0; i < nargs; i++) {
        ze_result_t r;
        const accel_plugin_arg *a = &args[i];
        if (a->kind == ACCEL_ARG_BUFFER) {
            /* Buffers are USM pointers, so the kernel gets base + offset directly. */
            const accel_ze_buffer *b = a->buffer.buffer;
            void *ptr = b ? (char *)b->ptr + a->buffer.offset : NULL;
            r = dev->api->zeKernelSetArgumentValue(k->kernel, (uint32_t)i, sizeof ptr, &ptr);
        } else if (a->kind == ACCEL_ARG_LOCAL) {
            r = dev->api->zeKernelSetArgumentValue(k->kernel, (uint32_t)i, a->size, NULL);
        } else {
            r = dev->api->zeKernelSetArgumentValue(k->kernel, (uint32_t)i, a->size, a->value);
        }
        if (r != ZE_RESULT_SUCCESS)
            return dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                        "zeKernelSetArgumentValue(%s, arg %zu, %zu bytes): %s (0x%08x)",
                                        k->name, i, a->kind == ACCEL_ARG_BUFFER ? sizeof(void *) : a->size,
                                        accel_ze_result_name(r), (unsigned)r);
    }
    return ACCEL_OK;
}

accel_status accel_ze_kernel_launch(void *opaque_stream, void *opaque_kernel, const uint32_t grid[3],
                                    const uint32_t group[3], const accel_plugin_arg *args,
                                    size_t nargs, size_t shared_bytes) {
    accel_ze_stream *s = opaque_stream;
    accel_ze_kernel *k = opaque_kernel;
    accel_ze_device *dev = s->dev;
    if (shared_bytes > 0)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "%s: SPIR-V kernels take local memory as ACCEL_ARG_LOCAL "
                                    "arguments, not shared_bytes (%zu)",
                                    k->name, shared_bytes);
    pthread_mutex_lock(&dev->launch_lock);
    accel_status status = ACCEL_OK;
    ze_result_t r = dev->api->zeKernelSetGroupSize(k->kernel, group[0], group[1], group[2]);
    if (r != ZE_RESULT_SUCCESS)
        status = dev->host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                      "zeKernelSetGroupSize(%s, %ux%ux%u): %s (0x%08x)", k->name,
                                      group[0], group[1], group[2], accel_ze_result_name(r),
                                      (unsigned)r);
    if (status == ACCEL_OK) status = kernel_set_args(dev, k, args, nargs);
    if (status == ACCEL_OK) {
        ze_group_count_t count = {grid[0], grid[1], grid[2]};
        r = dev->api->zeCommandListAppendLaunchKernel(s->list, k->kernel, &count, NULL, 0, NULL);
        if (r != ZE_RESULT_SUCCESS) status = accel_ze_fail(dev->host, "zeCommandListAppendLaunchKernel", r);
    }
    pthread_mutex_unlock(&dev->launch_lock);
    return status == ACCEL_OK ? accel_ze_stream_appended(s) : status;
}

accel_status accel_ze_embedded_module(accel_ze_device *dev, const char *image_name,
                                      accel_ze_module **out) {
    const accel_ze_kernel_image *image = accel_ze_kernel_image_find(image_name);
    if (!image)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "no embedded SPIR-V image %s.cl in this build%s%s", image_name,
                                    accel_ze_kernel_toolchain_note[0] ? ": " : "",
                                    accel_ze_kernel_toolchain_note);
    if (image->spirv_size == 0)
        return dev->host->set_error(ACCEL_ERR_UNIMPLEMENTED, "%s did not compile to SPIR-V at build "
                                    "time: %.400s", image->source_path, image->build_error);
    size_t index = (size_t)(image - accel_ze_kernel_images);
    accel_status status = ACCEL_OK;
    pthread_mutex_lock(&dev->lock);
    if (!dev->embedded[index])
        status = module_create(dev, image->spirv, image->spirv_size, NULL, image->source_path,
                               &dev->embedded[index]);
    *out = dev->embedded[index];
    pthread_mutex_unlock(&dev->lock);
    return status;
}

accel_status accel_ze_embedded_kernel(accel_ze_device *dev, const char *image, const char *name,
                                      accel_ze_kernel **out) {
    accel_ze_module *m = NULL;
    accel_status status = accel_ze_embedded_module(dev, image, &m);
    if (status != ACCEL_OK) return status;
    pthread_mutex_lock(&dev->lock);
    for (size_t i = 0; i < m->ncached; i++) {
        if (strcmp(m->cached[i]->name, name) == 0) {
            *out = m->cached[i];
            pthread_mutex_unlock(&dev->lock);
            return ACCEL_OK;
        }
    }
    if (m->ncached == ACCEL_ZE_MODULE_KERNEL_CACHE) {
        pthread_mutex_unlock(&dev->lock);
        return dev->host->set_error(ACCEL_ERR_INTERNAL, "%s: more than %d kernels cached", image,
                                    ACCEL_ZE_MODULE_KERNEL_CACHE);
    }
    void *k = NULL;
    status = accel_ze_kernel_get(m, name, &k);
    if (status == ACCEL_OK) {
        m->cached[m->ncached++] = k;
        *out = k;
    }
    pthread_mutex_unlock(&dev->lock);
    return status;
}
