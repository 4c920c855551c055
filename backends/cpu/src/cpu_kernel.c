/* ACCEL_MODULE_CPU_TABLE: a module is a table of C functions; a launch runs the function once per
 * work-group, the groups spread over OpenMP threads, each thread with its own `shared` scratch. */
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "cpu_internal.h"

typedef struct cpu_module {
    cpu_device *dev;
    accel_cpu_module_image image; /* the entries array belongs to the caller, like a code image */
} cpu_module;

typedef struct cpu_kernel {
    cpu_module *module;
    const accel_cpu_kernel_entry *entry;
} cpu_kernel;

accel_status cpu_module_load(void *vdev, accel_module_format format, const void *bytes,
                             size_t size, const char *options, void **out_module) {
    cpu_device *dev = vdev;
    const accel_host_services *host = dev->ctx->host;
    (void)options;
    if (format != ACCEL_MODULE_CPU_TABLE)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                               "cpu: module format %d not supported (only CPU_TABLE)", (int)format);
    if (size != sizeof(accel_cpu_module_image))
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                               "cpu module: size %zu is not sizeof(accel_cpu_module_image) = %zu",
                               size, sizeof(accel_cpu_module_image));
    accel_cpu_module_image image;
    memcpy(&image, bytes, sizeof image);
    if (image.magic != ACCEL_CPU_MODULE_MAGIC)
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                               "cpu module: bad magic 0x%08x (expected 0x%08x)", image.magic,
                               ACCEL_CPU_MODULE_MAGIC);
    if (image.count == 0 || !image.entries)
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT, "cpu module: no kernel entries");
    for (uint32_t i = 0; i < image.count; i++)
        if (!image.entries[i].name || !image.entries[i].fn)
            return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                   "cpu module: entry %u has no name or no function", i);
    cpu_module *m = calloc(1, sizeof *m);
    if (!m) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    m->dev = dev;
    m->image = image;
    *out_module = m;
    return ACCEL_OK;
}

void cpu_module_unload(void *module) { free(module); }

accel_status cpu_kernel_get(void *vmodule, const char *name, void **out_kernel) {
    cpu_module *m = vmodule;
    const accel_host_services *host = m->dev->ctx->host;
    for (uint32_t i = 0; i < m->image.count; i++) {
        if (strcmp(m->image.entries[i].name, name) != 0) continue;
        cpu_kernel *k = calloc(1, sizeof *k);
        if (!k) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
        k->module = m;
        k->entry = &m->image.entries[i];
        *out_kernel = k;
        return ACCEL_OK;
    }
    return host->set_error(ACCEL_ERR_NOT_FOUND, "cpu module: no kernel named \"%s\"", name);
}

void cpu_kernel_release(void *kernel) { free(kernel); }

accel_status cpu_kernel_launch(void *stream, void *vkernel, const uint32_t grid[3],
                               const uint32_t group[3], const accel_plugin_arg *args, size_t nargs,
                               size_t shared_bytes) {
    (void)stream;
    cpu_kernel *k = vkernel;
    const accel_host_services *host = k->module->dev->ctx->host;
    if (nargs != k->entry->nargs)
        return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                               "cpu kernel \"%s\": %zu arguments given, %zu expected",
                               k->entry->name, nargs, k->entry->nargs);
    void **argv = calloc(nargs ? nargs : 1, sizeof *argv);
    if (!argv) return host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "calloc: out of memory");
    for (size_t i = 0; i < nargs; i++) {
        switch (args[i].kind) {
        case ACCEL_ARG_BUFFER: argv[i] = cpu_ref_ptr(args[i].buffer); break;
        case ACCEL_ARG_SCALAR: argv[i] = (void *)args[i].value; break; /* launch is synchronous */
        default:
            free(argv);
            return host->set_error(ACCEL_ERR_INVALID_ARGUMENT,
                                   "cpu kernel \"%s\": argument %zu is LOCAL; CPU kernels take "
                                   "shared_bytes instead",
                                   k->entry->name, i);
        }
    }
    const int64_t gx = grid[0], gy = grid[1], gz = grid[2];
    const int64_t total = gx * gy * gz;
    accel_cpu_kernel_fn fn = k->entry->fn;
    /* Chunks amortise scheduling when groups are tiny and many; ~16 per thread keeps balance. */
    int64_t chunk = total / ((int64_t)cpu_max_threads() * 16);
    if (chunk < 1) chunk = 1;
    int failed = 0;
#pragma omp parallel reduction(| : failed)
    {
        void *shared = shared_bytes ? cpu_aligned_alloc(shared_bytes) : NULL;
        if (shared_bytes && !shared) failed = 1;
        accel_cpu_group g;
        memcpy(g.grid, grid, sizeof g.grid);
        memcpy(g.group_size, group, sizeof g.group_size);
        g.args = argv;
        g.nargs = nargs;
        g.shared = shared;
#pragma omp for schedule(dynamic, chunk)
        for (int64_t i = 0; i < total; i++) {
            if (shared_bytes && !shared) continue;
            g.group_id[0] = (uint32_t)(i % gx);
            g.group_id[1] = (uint32_t)((i / gx) % gy);
            g.group_id[2] = (uint32_t)(i / (gx * gy));
            fn(&g);
        }
        cpu_aligned_free(shared);
    }
    free(argv);
    if (failed)
        return host->set_error(ACCEL_ERR_OUT_OF_MEMORY,
                               "cpu kernel: cannot allocate %zu bytes of shared scratch",
                               shared_bytes);
    return ACCEL_OK;
}
