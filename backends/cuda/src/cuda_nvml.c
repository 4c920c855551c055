/* NVML (libnvidia-ml.so.1, optional): clocks, power, energy, throttle reasons, power limit. */
#include <stdio.h>
#include <string.h>

#include "accel_common/dl.h"
#include "cuda_internal.h"

#define NVML_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_cuda_nvml_table, ret, name, params)
static const accel_dl_symbol nvml_symbols[] = {ACCEL_CUDA_NVML(NVML_SYM)};
static const char *const nvml_names[] = {"libnvidia-ml.so.1", NULL};
/* Every entry is optional; each caller checks its own slot. */
static const accel_dl_library nvml_library = {nvml_names, NULL, 0, {0}, {0}, ACCEL_DL_TIER(nvml_symbols)};

/* Values from the NVML API reference (nvml.h is not in the toolkit). */
enum { NVML_OK = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_TEMPERATURE_GPU = 0 };
enum { NVML_ERROR_NOT_SUPPORTED = 3, NVML_ERROR_NO_PERMISSION = 4, NVML_ERROR_GPU_IS_LOST = 15 };

static const char *nvml_error_name(int rc) {
    switch (rc) {
    case 1: return "NVML_ERROR_UNINITIALIZED";
    case 2: return "NVML_ERROR_INVALID_ARGUMENT";
    case NVML_ERROR_NOT_SUPPORTED: return "NVML_ERROR_NOT_SUPPORTED";
    case NVML_ERROR_NO_PERMISSION: return "NVML_ERROR_NO_PERMISSION";
    case NVML_ERROR_GPU_IS_LOST: return "NVML_ERROR_GPU_IS_LOST";
    default: return "NVML error";
    }
}

void accel_cuda_nvml_load(accel_cuda_ctx *ctx) {
    const accel_dl_log log = {ctx->host, "cuda"};
    accel_dl_handle h;
    if (accel_dl_load(&log, &nvml_library, &ctx->nvml, &h) != ACCEL_DL_LOADED) return;
    ctx->nvml_lib = h.lib;
    if (!ctx->nvml.nvmlInit_v2 || !ctx->nvml.nvmlDeviceGetHandleByPciBusId_v2 ||
        ctx->nvml.nvmlInit_v2() != NVML_OK) {
        accel_dl_close(ctx->nvml_lib);
        ctx->nvml_lib = NULL;
        memset(&ctx->nvml, 0, sizeof ctx->nvml);
        return;
    }
    ctx->nvml_ok = 1;
}

void accel_cuda_nvml_unload(accel_cuda_ctx *ctx) {
    if (!ctx->nvml_ok) return;
    if (ctx->nvml.nvmlShutdown) ctx->nvml.nvmlShutdown();
    accel_dl_close(ctx->nvml_lib);
    ctx->nvml_lib = NULL;
    ctx->nvml_ok = 0;
}

void accel_cuda_nvml_attach(accel_cuda_device *dev, const char *pci_bus_id) {
    accel_cuda_ctx *ctx = dev->ctx;
    dev->nvml_dev = NULL;
    if (!ctx->nvml_ok) return;
    accel_nvml_device handle = NULL;
    if (ctx->nvml.nvmlDeviceGetHandleByPciBusId_v2(pci_bus_id, &handle) == NVML_OK) dev->nvml_dev = handle;
}

double accel_cuda_nvml_power_limit_w(const accel_cuda_device *dev) {
    unsigned int mw = 0;
    const accel_cuda_nvml_table *n = &dev->ctx->nvml;
    if (dev->nvml_dev && n->nvmlDeviceGetEnforcedPowerLimit &&
        n->nvmlDeviceGetEnforcedPowerLimit(dev->nvml_dev, &mw) == NVML_OK)
        return mw / 1000.0;
    return 0.0;
}

static void throttle_names(unsigned long long mask, char *out, size_t len) {
    static const struct { unsigned long long bit; const char *name; } reasons[] = {
        {0x1ull, "gpu_idle"}, {0x2ull, "app_clocks"}, {0x4ull, "sw_power_cap"},
        {0x8ull, "hw_slowdown"}, {0x10ull, "sync_boost"}, {0x20ull, "sw_thermal"},
        {0x40ull, "hw_thermal"}, {0x80ull, "hw_power_brake"}, {0x100ull, "display_clocks"},
    };
    out[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; ++i) {
        if (!(mask & reasons[i].bit)) continue;
        int n = snprintf(out + used, len - used, "%s%s", used ? "," : "", reasons[i].name);
        if (n < 0 || (size_t)n >= len - used) break;
        used += (size_t)n;
    }
    if (!mask) snprintf(out, len, "none");
}

/* The total energy counter (Volta and newer): millijoules since the driver loaded. */
static void energy_counter(accel_cuda_device *dev, accel_device_telemetry *out) {
    const accel_cuda_nvml_table *n = &dev->ctx->nvml;
    const int has_source = ACCEL_STRUCT_HAS(out, accel_device_telemetry, energy_source);
    unsigned long long mj = 0;
    int rc = -1;
    if (n->nvmlDeviceGetTotalEnergyConsumption)
        rc = n->nvmlDeviceGetTotalEnergyConsumption(dev->nvml_dev, &mj);
    if (rc == NVML_OK) {
        out->energy_j = (double)mj / 1000.0;
        if (has_source) snprintf(out->energy_source, sizeof out->energy_source, "nvml");
    } else if (has_source && rc < 0) {
        snprintf(out->energy_source, sizeof out->energy_source,
                 "none: this libnvidia-ml has no nvmlDeviceGetTotalEnergyConsumption");
    } else if (has_source) {
        snprintf(out->energy_source, sizeof out->energy_source,
                 "none: nvmlDeviceGetTotalEnergyConsumption: %s (%d)%s", nvml_error_name(rc), rc,
                 rc == NVML_ERROR_NOT_SUPPORTED ? ": the counter needs Volta or newer" : "");
    }
}

accel_status accel_cuda_device_telemetry(void *p, accel_device_telemetry *out) {
    accel_cuda_device *dev = p;
    const accel_cuda_nvml_table *n = &dev->ctx->nvml;
    out->clock_mhz = out->memory_clock_mhz = out->power_w = out->energy_j = out->temperature_c = -1.0;
    out->throttle_reasons[0] = '\0';
    if (!dev->nvml_dev)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "telemetry needs NVML (libnvidia-ml.so.1), not available");
    unsigned int v = 0;
    unsigned long long u = 0;
    if (n->nvmlDeviceGetClockInfo && n->nvmlDeviceGetClockInfo(dev->nvml_dev, NVML_CLOCK_SM, &v) == NVML_OK)
        out->clock_mhz = v;
    if (n->nvmlDeviceGetClockInfo && n->nvmlDeviceGetClockInfo(dev->nvml_dev, NVML_CLOCK_MEM, &v) == NVML_OK)
        out->memory_clock_mhz = v;
    if (n->nvmlDeviceGetPowerUsage && n->nvmlDeviceGetPowerUsage(dev->nvml_dev, &v) == NVML_OK)
        out->power_w = v / 1000.0; /* mW */
    energy_counter(dev, out);
    if (n->nvmlDeviceGetTemperature &&
        n->nvmlDeviceGetTemperature(dev->nvml_dev, NVML_TEMPERATURE_GPU, &v) == NVML_OK)
        out->temperature_c = v;
    int (*reasons)(accel_nvml_device, unsigned long long *) =
        n->nvmlDeviceGetCurrentClocksEventReasons ? n->nvmlDeviceGetCurrentClocksEventReasons
                                                  : n->nvmlDeviceGetCurrentClocksThrottleReasons;
    if (reasons && reasons(dev->nvml_dev, &u) == NVML_OK)
        throttle_names(u, out->throttle_reasons, sizeof out->throttle_reasons);
    return ACCEL_OK;
}
