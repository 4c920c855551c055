/* Device open/close, the device description (attributes only, never hipDeviceProp_t), telemetry,
 * and the per-device cache of compiled shared kernel sources. */
#define _POSIX_C_SOURCE 200809L
#include "hip_arch.h"
#include "hip_internal.h"
#include "hip_kernel_sources.h"
#include "hip_rtc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KFD_TOPOLOGY "/sys/class/kfd/kfd/topology"

accel_status hip_device_bind(hip_device *dev) {
    hipError_t err = dev->ctx->api.hipSetDevice(dev->index);
    return err == hipSuccess ? ACCEL_OK : hip_fail(dev->ctx, "hipSetDevice", err);
}

static int attr(hip_device *dev, hipDeviceAttribute_t a, int fallback) {
    int v = 0;
    return dev->ctx->api.hipDeviceGetAttribute(&v, a, dev->index) == hipSuccess ? v : fallback;
}

static void find_arch(hip_device *dev) {
    if (hip_arch_from_kfd(KFD_TOPOLOGY, dev->pci_bus_id, dev->arch, sizeof dev->arch) == 0) {
        snprintf(dev->arch_source, sizeof dev->arch_source, "KFD gfx_target_version");
        return;
    }
    const char *a = hip_arch_from_pci_id(dev->pci_device_id);
    if (a) {
        snprintf(dev->arch, sizeof dev->arch, "%s", a);
        snprintf(dev->arch_source, sizeof dev->arch_source, "PCI id 0x%04x", dev->pci_device_id);
        return;
    }
    dev->arch[0] = '\0';
    snprintf(dev->arch_source, sizeof dev->arch_source, "unknown (PCI id 0x%04x, no KFD node)",
             dev->pci_device_id);
}

accel_status hip_device_open(void *p, int index, void **out) {
    hip_ctx *ctx = p;
    hip_device *dev = calloc(1, sizeof *dev);
    if (!dev)
        return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "hip: out of host memory");
    dev->ctx = ctx;
    dev->index = index;
    hipError_t err = ctx->api.hipDeviceGet(&dev->handle, index);
    if (err != hipSuccess) {
        free(dev);
        return hip_fail(ctx, "hipDeviceGet", err);
    }
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK) {
        free(dev);
        return st;
    }
    if (ctx->api.hipDeviceGetName(dev->name, (int)sizeof dev->name, dev->handle) != hipSuccess)
        snprintf(dev->name, sizeof dev->name, "AMD GPU %d", index);
    if (ctx->api.hipDeviceGetPCIBusId(dev->pci_bus_id, (int)sizeof dev->pci_bus_id, index) != hipSuccess)
        dev->pci_bus_id[0] = '\0';
    dev->pci_device_id = (unsigned)attr(dev, hipDeviceAttributePciDeviceId, 0);
    dev->compute_units = attr(dev, hipDeviceAttributeMultiprocessorCount, 0);
    find_arch(dev);
    /* Boards missing from the driver's marketing-name table come back nameless. */
    if (dev->name[0] == '\0')
        snprintf(dev->name, sizeof dev->name, "AMD GPU %s (PCI id 0x%04x)",
                 dev->arch[0] ? dev->arch : "unknown ISA", dev->pci_device_id);
    if (pthread_mutex_init(&dev->lock, NULL) != 0) {
        free(dev);
        return ctx->host->set_error(ACCEL_ERR_INTERNAL, "hip: pthread_mutex_init failed");
    }
    *out = dev;
    return ACCEL_OK;
}

void hip_device_close(void *p) {
    hip_device *dev = p;
    if (hip_device_bind(dev) == ACCEL_OK)
        hip_device_unload_modules(dev);
    pthread_mutex_destroy(&dev->lock);
    free(dev);
}

/* ROCm fills the 16 bytes with the ASCII hex digits of the agent's unique id (what rocm-smi shows
 * as "GPU-<id>"); print those as text, anything else as hex bytes. */
/* The NUMA node the kernel reports for the GPU's PCI function, or -1. */
static int pci_numa_node(const char *pci_bus_id) {
    if (!pci_bus_id[0])
        return -1;
    char path[128];
    snprintf(path, sizeof path, "/sys/bus/pci/devices/%s/numa_node", pci_bus_id);
    FILE *f = fopen(path, "r");
    int node = -1;
    if (f) {
        if (fscanf(f, "%d", &node) != 1)
            node = -1;
        fclose(f);
    }
    return node;
}

static void format_uuid(const hipUUID *u, char *out, size_t len) {
    const unsigned char *b = (const unsigned char *)u->bytes;
    int ascii_hex = 1;
    for (int i = 0; i < 16 && ascii_hex; ++i)
        ascii_hex = (b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f') ||
                    (b[i] >= 'A' && b[i] <= 'F');
    if (ascii_hex) {
        snprintf(out, len, "GPU-%.16s", (const char *)b);
        return;
    }
    snprintf(out, len,
             "GPU-%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* The op paths that actually load here, default first. */
static void list_op_libraries(hip_device *dev, char *out, size_t len) {
    const hip_blas *blas = hip_ctx_blas(dev->ctx);
    out[0] = '\0';
    size_t used = 0;
    if (blas->blaslt.lib)
        used += (size_t)snprintf(out + used, len - used, "hipblaslt,");
    if (blas->rocblas.lib)
        used += (size_t)snprintf(out + used, len - used, "rocblas,");
    if (used < len)
        snprintf(out + used, len - used, "accel");
}

accel_status hip_device_info(void *p, accel_device_info *info) {
    hip_device *dev = p;
    hip_ctx *ctx = dev->ctx;
    info->type = ACCEL_DEVICE_GPU;
    snprintf(info->name, sizeof info->name, "%s", dev->name);
    snprintf(info->vendor, sizeof info->vendor, "AMD");
    snprintf(info->pci_bus_id, sizeof info->pci_bus_id, "%s", dev->pci_bus_id);
    snprintf(info->driver_version, sizeof info->driver_version, "%s", ctx->driver_version);
    snprintf(info->runtime_version, sizeof info->runtime_version, "HIP %s (%s)",
             ctx->runtime_version, ctx->api.hip_lib_name);
    snprintf(info->isa, sizeof info->isa, "%s", dev->arch[0] ? dev->arch : "unknown");
    hipUUID uuid;
    if (ctx->api.hipDeviceGetUuid && ctx->api.hipDeviceGetUuid(&uuid, dev->handle) == hipSuccess)
        format_uuid(&uuid, info->uuid, sizeof info->uuid);
    info->compute_units = dev->compute_units;
    info->clock_mhz = attr(dev, hipDeviceAttributeClockRate, 0) / 1000;
    info->max_clock_mhz = info->clock_mhz; /* the attribute is the peak engine clock */
    size_t total = 0;
    if (ctx->api.hipDeviceTotalMem(&total, dev->handle) == hipSuccess)
        info->memory_bytes = total;
    info->max_alloc_bytes = info->memory_bytes;
    info->cache_bytes = (uint64_t)attr(dev, hipDeviceAttributeL2CacheSize, 0);
    info->features = hip_arch_features(dev->arch[0] ? dev->arch : NULL);
    info->ecc_enabled = attr(dev, hipDeviceAttributeEccEnabled, -1);
    if (info->ecc_enabled == 1)
        info->features |= ACCEL_FEATURE_ECC;
    if (ctx->api.hipStreamBeginCapture && ctx->api.hipStreamEndCapture &&
        ctx->api.hipGraphInstantiate && ctx->api.hipGraphLaunch && ctx->api.hipGraphExecDestroy &&
        ctx->api.hipGraphDestroy)
        info->features |= ACCEL_FEATURE_GRAPHS;
    info->mig_enabled = -1;
    info->numa_node = pci_numa_node(dev->pci_bus_id);
    info->module_formats = 1u << ACCEL_MODULE_HIP_CODE_OBJECT;
    if (hip_api_has_rtc(&ctx->api) && dev->arch[0])
        info->module_formats |= 1u << ACCEL_MODULE_GPU_C;
    list_op_libraries(dev, info->op_libraries, sizeof info->op_libraries);
    const hip_product *product = hip_product_lookup(dev->pci_device_id, dev->compute_units);
    hip_product_peak(product, dev->compute_units, &info->vendor_peak);
    if (ACCEL_DEVICE_INFO_HAS_FP8_PEAK(info))
        info->vendor_peak_fp8_tflops = hip_product_peak_fp8(product, dev->compute_units);
    if (product && product->last_level_cache > info->cache_bytes)
        info->cache_bytes = product->last_level_cache;
    const hip_smi *smi = hip_ctx_smi(ctx);
    double limit = 0;
    if (hip_smi_power_limit(smi, dev->pci_bus_id, &limit) == 0)
        info->power_limit_w = limit;
    snprintf(info->notes, sizeof info->notes, "isa from %s; %s%s; %s", dev->arch_source,
             product ? "peak: " : "no peak entry for PCI id ", product ? product->name : "",
             hip_api_has_rtc(&ctx->api) ? ctx->api.rtc_lib_name : "no hiprtc");
    if (!product) {
        size_t n = strlen(info->notes);
        snprintf(info->notes + n, sizeof info->notes - n, " (0x%04x, %d CUs)", dev->pci_device_id,
                 dev->compute_units);
    }
    return ACCEL_OK;
}

accel_status hip_device_synchronize(void *p) {
    hip_device *dev = p;
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    hipError_t err = dev->ctx->api.hipDeviceSynchronize();
    return err == hipSuccess ? ACCEL_OK : hip_fail(dev->ctx, "hipDeviceSynchronize", err);
}

accel_status hip_device_telemetry(void *p, accel_device_telemetry *out) {
    hip_device *dev = p;
    const hip_smi *smi = hip_ctx_smi(dev->ctx);
    if (!smi->lib)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "hip telemetry: %s", smi->reason);
    return hip_smi_read(smi, dev->ctx->host, dev->pci_bus_id, out);
}

accel_status hip_device_function(hip_device *dev, const char *source, const char *kernel,
                                 hipFunction_t *fn) {
    hip_ctx *ctx = dev->ctx;
    size_t index = hip_kernel_sources_count;
    for (size_t i = 0; i < hip_kernel_sources_count; ++i)
        if (strcmp(hip_kernel_sources[i].name, source) == 0)
            index = i;
    if (index == hip_kernel_sources_count || index >= HIP_MAX_MODULES)
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip: kernel source %s is not among the embedded shared "
                                    "sources (backends/gpu_common/kernels)",
                                    source);
    if (!dev->arch[0])
        return ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                    "hip: the ISA of %s is %s, so hiprtc has no target", dev->name,
                                    dev->arch_source);
    accel_status st = hip_device_bind(dev);
    if (st != ACCEL_OK)
        return st;
    pthread_mutex_lock(&dev->lock);
    if (!dev->modules[index]) {
        hip_rtc_result r;
        int hit = 0;
        st = hip_rtc_compile_cached(&ctx->api, source, hip_kernel_sources[index].text, dev->arch,
                                    NULL, &r, &hit);
        if (st != ACCEL_OK) {
            st = ctx->host->set_error(st, "%s", r.message);
            free(r.log);
        } else {
            hipError_t err = ctx->api.hipModuleLoadData(&dev->modules[index], r.code);
            if (err != hipSuccess) {
                dev->modules[index] = NULL;
                st = hip_fail(ctx, "hipModuleLoadData", err);
            }
            free(r.code);
        }
    }
    hipModule_t module = dev->modules[index];
    pthread_mutex_unlock(&dev->lock);
    if (st != ACCEL_OK)
        return st;
    hipError_t err = ctx->api.hipModuleGetFunction(fn, module, kernel);
    if (err != hipSuccess)
        return ctx->host->set_error(ACCEL_ERR_DEVICE, "hipModuleGetFunction(%s in %s): %s (%d)",
                                    kernel, source, hip_api_error_name(&ctx->api, err), (int)err);
    return ACCEL_OK;
}

void hip_device_unload_modules(hip_device *dev) {
    for (size_t i = 0; i < HIP_MAX_MODULES; ++i) {
        if (dev->modules[i])
            (void)dev->ctx->api.hipModuleUnload(dev->modules[i]);
        dev->modules[i] = NULL;
    }
}
