/* Device open/close/info: one Level Zero context per opened device. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ze_internal.h"
#include "ze_kernel_images.h"
#include "ze_peak.h"
#include "ze_timestamp.h"

static accel_status device_find_compute_group(accel_ze_device *dev) {
    uint32_t n = 0;
    ACCEL_ZE_CHECK(dev, "zeDeviceGetCommandQueueGroupProperties",
                   dev->api->zeDeviceGetCommandQueueGroupProperties(dev->device, &n, NULL));
    ze_command_queue_group_properties_t groups[16];
    if (n > 16) n = 16;
    for (uint32_t i = 0; i < n; i++) {
        memset(&groups[i], 0, sizeof groups[i]);
        groups[i].stype = ZE_STRUCTURE_TYPE_COMMAND_QUEUE_GROUP_PROPERTIES;
    }
    ACCEL_ZE_CHECK(dev, "zeDeviceGetCommandQueueGroupProperties",
                   dev->api->zeDeviceGetCommandQueueGroupProperties(dev->device, &n, groups));
    for (uint32_t i = 0; i < n; i++) {
        if (groups[i].flags & ZE_COMMAND_QUEUE_GROUP_PROPERTY_FLAG_COMPUTE) {
            dev->compute_ordinal = i;
            dev->max_fill_pattern = groups[i].maxMemoryFillPatternSize;
            return ACCEL_OK;
        }
    }
    return dev->host->set_error(ACCEL_ERR_UNAVAILABLE,
                                "zeDeviceGetCommandQueueGroupProperties: no compute queue group among %u",
                                n);
}

static accel_status device_query(accel_ze_device *dev) {
    ACCEL_ZE_CHECK(dev, "zeDriverGetApiVersion",
                   dev->api->zeDriverGetApiVersion(dev->driver, &dev->api_version));
    /* From API 1.2 the same call reports the timer as a frequency (cycles/s) instead of whole
     * nanoseconds per tick, which on a 19.2 MHz timer (52.083 ns) would truncate by 0.2%. */
    int resolution_is_hz = dev->api_version >= ZE_MAKE_VERSION(1, 2);
    memset(&dev->props, 0, sizeof dev->props);
    dev->props.stype = resolution_is_hz ? ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES_1_2
                                        : ZE_STRUCTURE_TYPE_DEVICE_PROPERTIES;
    ACCEL_ZE_CHECK(dev, "zeDeviceGetProperties",
                   dev->api->zeDeviceGetProperties(dev->device, &dev->props));
    dev->ns_per_tick = accel_ze_ns_per_tick(dev->props.timerResolution, resolution_is_hz);
    dev->timestamp_valid_bits = dev->props.timestampValidBits;

    memset(&dev->module_props, 0, sizeof dev->module_props);
    dev->module_props.stype = ZE_STRUCTURE_TYPE_DEVICE_MODULE_PROPERTIES;
    ACCEL_ZE_CHECK(dev, "zeDeviceGetModuleProperties",
                   dev->api->zeDeviceGetModuleProperties(dev->device, &dev->module_props));
    memset(&dev->compute_props, 0, sizeof dev->compute_props);
    dev->compute_props.stype = ZE_STRUCTURE_TYPE_DEVICE_COMPUTE_PROPERTIES;
    ACCEL_ZE_CHECK(dev, "zeDeviceGetComputeProperties",
                   dev->api->zeDeviceGetComputeProperties(dev->device, &dev->compute_props));
    return device_find_compute_group(dev);
}

accel_status accel_ze_device_open(void *opaque_ctx, int index, void **out) {
    accel_ze_context *ctx = opaque_ctx;
    accel_ze_device *dev = calloc(1, sizeof *dev);
    if (!dev) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    dev->ctx = ctx;
    dev->api = &ctx->api;
    dev->host = ctx->host;
    dev->driver = ctx->drivers[index];
    dev->device = ctx->devices[index];
    dev->embedded = calloc(accel_ze_kernel_image_count + 1, sizeof *dev->embedded);
    if (!dev->embedded || pthread_mutex_init(&dev->lock, NULL) != 0) {
        free(dev->embedded);
        free(dev);
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    if (pthread_mutex_init(&dev->launch_lock, NULL) != 0) {
        pthread_mutex_destroy(&dev->lock);
        free(dev->embedded);
        free(dev);
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    }
    accel_status status = device_query(dev);
    if (status == ACCEL_OK) {
        ze_context_desc_t desc = {ZE_STRUCTURE_TYPE_CONTEXT_DESC, NULL, 0};
        ze_result_t r = dev->api->zeContextCreate(dev->driver, &desc, &dev->context);
        if (r != ZE_RESULT_SUCCESS) status = accel_ze_fail(dev->host, "zeContextCreate", r);
    }
    if (status != ACCEL_OK) {
        pthread_mutex_destroy(&dev->launch_lock);
        pthread_mutex_destroy(&dev->lock);
        free(dev->embedded);
        free(dev);
        return status;
    }
    dev->immediate_lists = -1; /* decided by the first stream */
    *out = dev;
    return ACCEL_OK;
}

void accel_ze_device_close(void *opaque) {
    accel_ze_device *dev = opaque;
    for (size_t i = 0; i < accel_ze_kernel_image_count; i++)
        if (dev->embedded[i]) accel_ze_module_unload(dev->embedded[i]);
    dev->api->zeContextDestroy(dev->context);
    pthread_mutex_destroy(&dev->launch_lock);
    pthread_mutex_destroy(&dev->lock);
    free(dev->embedded);
    free(dev);
}

int accel_ze_device_is_integrated(const accel_ze_device *dev) {
    return (dev->props.flags & ZE_DEVICE_PROPERTY_FLAG_INTEGRATED) != 0;
}

int accel_ze_stream_is_live(accel_ze_device *dev, const accel_ze_stream *stream) {
    int live = 0;
    pthread_mutex_lock(&dev->lock);
    for (accel_ze_stream *s = dev->streams; s && !live; s = s->next) live = s == stream;
    pthread_mutex_unlock(&dev->lock);
    return live;
}

accel_status accel_ze_device_synchronize(void *opaque) {
    accel_ze_device *dev = opaque;
    accel_status status = ACCEL_OK;
    pthread_mutex_lock(&dev->lock);
    for (accel_ze_stream *s = dev->streams; s && status == ACCEL_OK; s = s->next)
        status = accel_ze_stream_synchronize(s);
    pthread_mutex_unlock(&dev->lock);
    return status;
}

static uint64_t device_memory_bytes(accel_ze_device *dev) {
    uint32_t n = 0;
    if (dev->api->zeDeviceGetMemoryProperties(dev->device, &n, NULL) != ZE_RESULT_SUCCESS) return 0;
    ze_device_memory_properties_t mem[8];
    if (n > 8) n = 8;
    for (uint32_t i = 0; i < n; i++) {
        memset(&mem[i], 0, sizeof mem[i]);
        mem[i].stype = ZE_STRUCTURE_TYPE_DEVICE_MEMORY_PROPERTIES;
    }
    if (dev->api->zeDeviceGetMemoryProperties(dev->device, &n, mem) != ZE_RESULT_SUCCESS) return 0;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) total += mem[i].totalSize;
    return total;
}

static uint64_t device_last_level_cache(accel_ze_device *dev) {
    if (!dev->api->zeDeviceGetCacheProperties) return 0;
    uint32_t n = 0;
    if (dev->api->zeDeviceGetCacheProperties(dev->device, &n, NULL) != ZE_RESULT_SUCCESS) return 0;
    ze_device_cache_properties_t caches[8];
    if (n > 8) n = 8;
    if (n == 0) return 0;
    for (uint32_t i = 0; i < n; i++) {
        memset(&caches[i], 0, sizeof caches[i]);
        caches[i].stype = ZE_STRUCTURE_TYPE_DEVICE_CACHE_PROPERTIES;
    }
    if (dev->api->zeDeviceGetCacheProperties(dev->device, &n, caches) != ZE_RESULT_SUCCESS) return 0;
    uint64_t largest = 0;
    for (uint32_t i = 0; i < n; i++)
        if (caches[i].cacheSize > largest) largest = caches[i].cacheSize;
    return largest;
}

static void device_pci_bus_id(accel_ze_device *dev, char *out, size_t len) {
    out[0] = '\0';
    if (!dev->api->zeDevicePciGetPropertiesExt) return;
    ze_pci_ext_properties_t pci;
    memset(&pci, 0, sizeof pci);
    pci.stype = ZE_STRUCTURE_TYPE_PCI_EXT_PROPERTIES;
    if (dev->api->zeDevicePciGetPropertiesExt(dev->device, &pci) != ZE_RESULT_SUCCESS) return;
    snprintf(out, len, "%04x:%02x:%02x.%x", pci.address.domain, pci.address.bus,
             pci.address.device, pci.address.function);
}

static void device_uuid(const ze_device_uuid_t *uuid, char *out, size_t len) {
    const uint8_t *b = uuid->id;
    snprintf(out, len, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

accel_status accel_ze_device_info(void *opaque, accel_device_info *info) {
    accel_ze_device *dev = opaque;
    const ze_device_properties_t *p = &dev->props;
    info->type = p->type == ZE_DEVICE_TYPE_GPU ? ACCEL_DEVICE_GPU : ACCEL_DEVICE_ACCELERATOR;
    snprintf(info->name, sizeof info->name, "%.*s", (int)sizeof info->name - 1, p->name);
    if (p->vendorId == 0x8086u)
        snprintf(info->vendor, sizeof info->vendor, "Intel");
    else
        snprintf(info->vendor, sizeof info->vendor, "PCI vendor 0x%04x", p->vendorId);
    device_uuid(&p->uuid, info->uuid, sizeof info->uuid);
    device_pci_bus_id(dev, info->pci_bus_id, sizeof info->pci_bus_id);

    ze_driver_properties_t driver;
    memset(&driver, 0, sizeof driver);
    driver.stype = ZE_STRUCTURE_TYPE_DRIVER_PROPERTIES;
    if (dev->api->zeDriverGetProperties(dev->driver, &driver) == ZE_RESULT_SUCCESS)
        snprintf(info->driver_version, sizeof info->driver_version, "%u", driver.driverVersion);
    const char *library = strrchr(dev->api->library_name, '/');
    library = library ? library + 1 : dev->api->library_name;
    snprintf(info->runtime_version, sizeof info->runtime_version, "Level Zero API %u.%u (%.30s)",
             ZE_MAJOR_VERSION(dev->api_version) & 0xffffu, ZE_MINOR_VERSION(dev->api_version) & 0xffffu,
             library);
    snprintf(info->isa, sizeof info->isa, "Xe device id 0x%04x, SIMD%u, %u threads/EU", p->deviceId,
             p->physicalEUSimdWidth, p->numThreadsPerEU);

    uint32_t eus = accel_ze_eu_count(p->numSlices, p->numSubslicesPerSlice, p->numEUsPerSubslice);
    info->compute_units = (int)eus;
    info->clock_mhz = (int)p->coreClockRate;
    info->max_clock_mhz = (int)p->coreClockRate; /* Level Zero reports the maximum core clock */
    info->memory_bytes = device_memory_bytes(dev);
    info->max_alloc_bytes = p->maxMemAllocSize;
    info->cache_bytes = device_last_level_cache(dev);

    uint64_t features = 0;
    if (dev->module_props.flags & ZE_DEVICE_MODULE_FLAG_FP64) features |= ACCEL_FEATURE_FP64;
    if (dev->module_props.flags & ZE_DEVICE_MODULE_FLAG_FP16) features |= ACCEL_FEATURE_FP16;
    if (dev->module_props.flags & ZE_DEVICE_MODULE_FLAG_DP4A) features |= ACCEL_FEATURE_INT8;
    if (p->flags & ZE_DEVICE_PROPERTY_FLAG_ECC) features |= ACCEL_FEATURE_ECC;
    if (accel_ze_device_is_integrated(dev)) features |= ACCEL_FEATURE_UNIFIED_MEMORY;
    info->features = features;
    info->module_formats = 1u << ACCEL_MODULE_SPIRV; /* Level Zero takes SPIR-V, not OpenCL C */
    info->ecc_enabled = (p->flags & ZE_DEVICE_PROPERTY_FLAG_ECC) ? 1 : -1;
    info->mig_enabled = -1;
    info->power_limit_w = accel_ze_power_limit_w(dev);
    info->numa_node = -1;
    snprintf(info->op_libraries, sizeof info->op_libraries, "accel");
    accel_ze_peak_lookup(p->name, eus, &info->vendor_peak);
    snprintf(info->notes, sizeof info->notes,
             "ze-timestamp %u valid bits (kernel %u), %.3f ns/tick; %s command lists; %zu SPIR-V "
             "images embedded%s%s",
             p->timestampValidBits, p->kernelTimestampValidBits, dev->ns_per_tick,
             dev->immediate_lists == 0  ? "regular"
             : dev->immediate_lists > 0 ? "immediate"
                                        : "immediate (if taken)",
             accel_ze_kernel_image_count,
             accel_ze_kernel_toolchain_note[0] ? ": " : "", accel_ze_kernel_toolchain_note);
    return ACCEL_OK;
}
