/* Devices: open one of the listed PJRT devices, describe it from its PJRT description. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pjrt_init.h"
#include "pjrt_internal.h"
#include "pjrt_peak.h"

static uint64_t host_memory_bytes(void) {
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (uint64_t)pages * (uint64_t)size : 0;
}

static pjrt_device_description *description(const pj_device *d) {
    pjrt_device_get_description_args a = {.struct_size = sizeof a, .device = d->device};
    pjrt_error *err = d->api->device_get_description(&a);
    if (err) {
        pjrt_error_destroy_args e = {.struct_size = sizeof e, .error = err};
        d->api->error_destroy(&e);
        return NULL;
    }
    return a.description;
}

accel_status pj_device_open(void *vctx, int index, void **out) {
    pj_ctx *ctx = vctx;
    pj_device *d = calloc(1, sizeof *d);
    if (!d) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "pjrt: out of host memory");
    d->ctx = ctx;
    d->plugin = &ctx->plugins[ctx->devices[index].plugin];
    d->api = d->plugin->lib.api;
    d->client = d->plugin->client;
    d->device = ctx->devices[index].device;
    d->index = index;
    pthread_mutex_init(&d->lock, NULL);
    /* Accelerators report their memory limit; XLA's CPU client reports none and uses host memory. */
    pjrt_device_memory_stats_args ms = {.struct_size = sizeof ms, .device = d->device};
    pjrt_error *err = d->api->device_memory_stats(&ms);
    if (err) {
        pjrt_error_destroy_args e = {.struct_size = sizeof e, .error = err};
        d->api->error_destroy(&e);
    }
    d->memory_bytes = !err && ms.bytes_limit_is_set && ms.bytes_limit > 0 ? (uint64_t)ms.bytes_limit
                                                                         : host_memory_bytes();
    *out = d;
    return ACCEL_OK;
}

void pj_device_close(void *vdev) {
    pj_device *d = vdev;
    pj_device_drain(d);
    pthread_mutex_destroy(&d->lock);
    free(d->pending);
    free(d);
}

accel_status pj_device_synchronize(void *dev) { return pj_device_drain(dev); }

static void copy_text(char *dst, size_t len, const char *src, size_t n) {
    snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), src ? src : "");
}

/* Integer device attributes the plugins publish: "core_count" (GPUs: SMs or CUs), "num_cores" (TPU
 * cores per chip). */
static int64_t int_attribute(const pj_device *d, pjrt_device_description *desc, const char *name) {
    pjrt_description_attributes_args a = {.struct_size = sizeof a, .description = desc};
    pjrt_error *err = d->api->description_attributes(&a);
    if (err) {
        pjrt_error_destroy_args e = {.struct_size = sizeof e, .error = err};
        d->api->error_destroy(&e);
        return -1;
    }
    for (size_t i = 0; i < a.num_attributes; ++i) {
        const pjrt_named_value *v = &a.attributes[i];
        if (v->type == PJRT_VALUE_INT64 && v->name_size == strlen(name) && memcmp(v->name, name, v->name_size) == 0)
            return v->value.int64_value;
    }
    return -1;
}

accel_status pj_device_info(void *vdev, accel_device_info *info) {
    pj_device *d = vdev;
    const pj_plugin *p = d->plugin;
    pjrt_device_description *desc = description(d);
    char kind[96] = "unknown";
    int id = d->index;
    if (desc) {
        pjrt_description_string_args k = {.struct_size = sizeof k, .description = desc};
        if (!d->api->description_kind(&k)) copy_text(kind, sizeof kind, k.text, k.text_size);
        pjrt_description_int_args di = {.struct_size = sizeof di, .description = desc};
        if (!d->api->description_id(&di)) id = di.value;
    }
    const int cpu = strcmp(p->platform, "cpu") == 0, tpu = strcmp(p->platform, "tpu") == 0;
    const int gpu = strcmp(p->platform, "cuda") == 0 || strcmp(p->platform, "rocm") == 0;
    info->type = cpu ? ACCEL_DEVICE_CPU : gpu ? ACCEL_DEVICE_GPU : tpu ? ACCEL_DEVICE_ACCELERATOR : ACCEL_DEVICE_OTHER;
    if (cpu) snprintf(info->name, sizeof info->name, "XLA CPU (%s)", kind);
    else snprintf(info->name, sizeof info->name, "%s", kind);
    snprintf(info->vendor, sizeof info->vendor, "%s",
             tpu ? "Google" : strcmp(p->platform, "cuda") == 0 ? "NVIDIA"
             : strcmp(p->platform, "rocm") == 0 ? "AMD" : cpu ? "XLA" : p->platform);
    snprintf(info->uuid, sizeof info->uuid, "pjrt-%s-%d-%d", p->platform, p->process_index, id);
    snprintf(info->driver_version, sizeof info->driver_version, "PJRT C API %d.%d",
             d->api->version.major_version, d->api->version.minor_version);
    snprintf(info->runtime_version, sizeof info->runtime_version, "%s %s", p->platform,
             p->platform_version);
    snprintf(info->isa, sizeof info->isa, "%s", p->platform);
    int64_t cores = desc ? int_attribute(d, desc, "core_count") : -1;
    if (cores <= 0 && desc) cores = int_attribute(d, desc, "num_cores");
    if (cores <= 0 && cpu) cores = sysconf(_SC_NPROCESSORS_ONLN); /* XLA:CPU runs on every core */
    info->compute_units = cores > 0 ? (int)cores : 1;
    info->memory_bytes = d->memory_bytes;
    info->max_alloc_bytes = d->memory_bytes;
    info->features = ACCEL_FEATURE_FP16 | ACCEL_FEATURE_BF16 | ACCEL_FEATURE_INT8;
    if (!tpu) info->features |= ACCEL_FEATURE_FP64; /* TPUs have no fp64 */
    if (tpu) info->features |= ACCEL_FEATURE_MATRIX_UNITS;
    info->module_formats = 0; /* XLA compiles whole programs; there is no kernel format to load */
    info->ecc_enabled = -1;
    info->mig_enabled = -1;
    info->numa_node = -1;
    snprintf(info->op_libraries, sizeof info->op_libraries, "xla");
    pj_peak_lookup(p->platform, kind, info->compute_units, info->memory_bytes, &info->vendor_peak);
    const char *base = strrchr(p->lib.path, '/');
    snprintf(info->notes, sizeof info->notes,
             "PJRT plugin %s, process %d, device id %d; ops compiled by XLA from StableHLO; timer on "
             "the host", base ? base + 1 : p->lib.path, p->process_index, id);
    return ACCEL_OK;
}
