/* Devices: acquire by module id (a Gaudi serves one process at a time), describe (type, HBM, SRAM,
 * TPCs, PCI id, versions, HLML clocks and power, peak table), synchronize, release. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaudi_internal.h"
#include "gaudi_peak.h"

static accel_status refuse_busy(accel_gaudi_ctx *ctx, int index, synapse_module_id module, synapse_status s) {
    char name[64];
    return ctx->host->set_error(
        ACCEL_ERR_UNAVAILABLE,
        "gaudi:%d (module %u) is busy: synDeviceAcquireByModuleId: %s (%d); a Gaudi device serves "
        "one process at a time, and another process holds this one (hl-smi lists it)",
        index, (unsigned)module, accel_gaudi_status_name(ctx, s, name, sizeof name), (int)s);
}

/* Acquires the module, or shares the acquisition this process already holds. */
static accel_status acquire(accel_gaudi_ctx *ctx, int index, synapse_device_id *id) {
    pthread_mutex_lock(&ctx->acquire_lock);
    accel_status st = ACCEL_OK;
    if (ctx->holders[index] == 0) {
        const synapse_module_id module = ctx->module_ids[index];
        synapse_status s = ctx->syn.synDeviceAcquireByModuleId(&ctx->acquired_ids[index], module);
        st = s == SYNAPSE_DEVICE_ALREADY_ACQUIRED || s == SYNAPSE_BUSY ? refuse_busy(ctx, index, module, s)
                                                                         : accel_gaudi_check(ctx, s, "synDeviceAcquireByModuleId");
    }
    if (st == ACCEL_OK) {
        ctx->holders[index]++;
        *id = ctx->acquired_ids[index];
    }
    pthread_mutex_unlock(&ctx->acquire_lock);
    return st;
}

static void release(accel_gaudi_ctx *ctx, int index) {
    pthread_mutex_lock(&ctx->acquire_lock);
    if (--ctx->holders[index] == 0) ctx->syn.synDeviceRelease(ctx->acquired_ids[index]);
    pthread_mutex_unlock(&ctx->acquire_lock);
}

accel_status accel_gaudi_device_open(void *p, int index, void **out) {
    accel_gaudi_ctx *ctx = p;
    accel_gaudi_device *dev = calloc(1, sizeof *dev);
    if (!dev) return ctx->host->set_error(ACCEL_ERR_OUT_OF_MEMORY, "out of host memory");
    dev->ctx = ctx;
    dev->index = index;
    dev->module_id = ctx->module_ids[index];
    accel_status st = acquire(ctx, index, &dev->id);
    if (st != ACCEL_OK) {
        free(dev);
        return st;
    }
    st = ACCEL_GAUDI_CALL(ctx, synDeviceGetInfo(dev->id, &dev->info), "synDeviceGetInfo");
    if (st == ACCEL_OK && !accel_gaudi_isa_name(dev->info.device_type))
        st = ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                  "gaudi:%d is synDeviceType %d: this backend drives Gaudi 2 and Gaudi 3",
                                  index, (int)dev->info.device_type);
    if (st == ACCEL_OK) st = accel_gaudi_stream_init(dev, &dev->utility);
    if (st != ACCEL_OK) {
        release(ctx, index);
        free(dev);
        return st;
    }
    if (ctx->syn.synDeviceGetName(dev->name, (int)sizeof dev->name, dev->id) != SYNAPSE_SUCCESS)
        dev->name[0] = '\0';
    if (ctx->syn.synDeviceGetPCIBusId(dev->pci_bus_id, (int)sizeof dev->pci_bus_id, dev->id) != SYNAPSE_SUCCESS)
        dev->pci_bus_id[0] = '\0';
    accel_gaudi_hlml_attach(dev);
    pthread_mutex_init(&dev->utility_lock, NULL);
    *out = dev;
    return ACCEL_OK;
}

void accel_gaudi_device_close(void *p) {
    accel_gaudi_device *dev = p;
    accel_gaudi_stream_release(&dev->utility);
    release(dev->ctx, dev->index);
    pthread_mutex_destroy(&dev->utility_lock);
    free(dev);
}

static int popcount64(uint64_t v) {
    int n = 0;
    for (; v; v &= v - 1) ++n;
    return n;
}

accel_status accel_gaudi_device_info(void *p, accel_device_info *info) {
    accel_gaudi_device *dev = p;
    accel_gaudi_ctx *ctx = dev->ctx;
    const char *isa = accel_gaudi_isa_name(dev->info.device_type);
    const int generation = dev->info.device_type == SYNAPSE_DEVICE_GAUDI3 ? 3 : 2;
    info->type = ACCEL_DEVICE_ACCELERATOR;
    snprintf(info->name, sizeof info->name, "Intel Gaudi %d%s%s%s", generation, dev->product[0] ? " (" : "",
             dev->product, dev->product[0] ? ")" : "");
    snprintf(info->vendor, sizeof info->vendor, "Intel (Habana Labs)");
    info->uuid[0] = '\0';
    if (dev->hlml && ctx->hlml.hlml_device_get_uuid &&
        ctx->hlml.hlml_device_get_uuid(dev->hlml, info->uuid, (unsigned)sizeof info->uuid) != HLML_OK)
        info->uuid[0] = '\0';
    snprintf(info->pci_bus_id, sizeof info->pci_bus_id, "%s", dev->pci_bus_id);
    snprintf(info->driver_version, sizeof info->driver_version, "%s",
             ctx->driver_version[0] ? ctx->driver_version : "unknown");
    snprintf(info->runtime_version, sizeof info->runtime_version, "SynapseAI %s", ctx->synapse_version);
    snprintf(info->isa, sizeof info->isa, "%s", isa);
    info->compute_units = popcount64(dev->info.tpc_enabled_mask); /* TPC cores */
    accel_gaudi_hlml_clocks(dev, &info->clock_mhz, &info->max_clock_mhz);
    uint64_t free_bytes = 0, total_bytes = 0;
    if (ctx->syn.synDeviceGetMemoryInfo(dev->id, &free_bytes, &total_bytes) != SYNAPSE_SUCCESS)
        free_bytes = total_bytes = 0;
    info->memory_bytes = dev->info.dram_size ? dev->info.dram_size : total_bytes;
    info->max_alloc_bytes = free_bytes ? free_bytes : info->memory_bytes;
    info->cache_bytes = dev->info.sram_size; /* on-die SRAM, the graph compiler's working cache */
    info->features = ACCEL_FEATURE_FP16 | ACCEL_FEATURE_BF16 | ACCEL_FEATURE_TF32 | ACCEL_FEATURE_FP8 |
                     ACCEL_FEATURE_MATRIX_UNITS;
    info->ecc_enabled = accel_gaudi_hlml_ecc_enabled(dev);
    if (info->ecc_enabled == 1) info->features |= ACCEL_FEATURE_ECC;
    info->mig_enabled = 0;
    info->module_formats = 0; /* TPC kernels need Intel's TPC toolchain (see module slots below) */
    info->power_limit_w = accel_gaudi_hlml_power_limit_w(dev);
    info->numa_node = -1;
    snprintf(info->op_libraries, sizeof info->op_libraries, "synapse");
    double fp8 = 0;
    accel_gaudi_peak_lookup(dev->info.device_type, &info->vendor_peak, &fp8);
    snprintf(info->notes, sizeof info->notes,
             "module %u; synDeviceGetName %s; %s; ops are SynapseAI graphs; fp8 matrix peak %g TFLOP/s "
             "(datasheet); no accel kernels (TPC kernels need Intel's TPC toolchain)",
             (unsigned)dev->module_id, dev->name[0] ? dev->name : "?",
             dev->info.device_type == SYNAPSE_DEVICE_GAUDI2 ? "fp8 e5m2 only (Gaudi 2's e4m3 is not OCP's)"
                                                             : "fp8 e4m3 and e5m2",
             fp8);
    return ACCEL_OK;
}

accel_status accel_gaudi_device_synchronize(void *p) {
    accel_gaudi_device *dev = p;
    return ACCEL_GAUDI_CALL(dev->ctx, synDeviceSynchronize(dev->id), "synDeviceSynchronize");
}
