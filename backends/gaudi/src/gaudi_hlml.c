/* HLML (libhlml.so, optional): board name, UUID, clocks, power, energy, temperature, ECC, power
 * limit. Without it the device still runs; telemetry answers UNIMPLEMENTED with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accel_common/dl.h"
#include "gaudi_internal.h"

#define HLML_SYM(ret, name, params) ACCEL_DL_SYMBOL(accel_gaudi_hlml_table, ret, name, params)
static const accel_dl_symbol hlml_symbols[] = {ACCEL_GAUDI_HLML(HLML_SYM)};
static const char *const hlml_names[] = {"libhlml.so", "/usr/lib/habanalabs/libhlml.so", NULL};
/* Every entry is optional; each caller checks its own slot. ACCEL_GAUDI_HLML_LIB names another
 * library (the tests' mock). Never unmapped, like libSynapse. */
static const accel_dl_library hlml_library = {hlml_names, "ACCEL_GAUDI_HLML_LIB", ACCEL_DL_NODELETE, {0}, {0},
                                              ACCEL_DL_TIER(hlml_symbols)};

void accel_gaudi_hlml_load(accel_gaudi_ctx *ctx) {
    const accel_dl_log log = {ctx->host, "gaudi"};
    accel_dl_handle h;
    if (accel_dl_load(&log, &hlml_library, &ctx->hlml, &h) != ACCEL_DL_LOADED) return;
    ctx->hlml_lib = h.lib;
    if (!ctx->hlml.hlml_init || !ctx->hlml.hlml_device_get_handle_by_pci_bus_id ||
        ctx->hlml.hlml_init() != HLML_OK) {
        memset(&ctx->hlml, 0, sizeof ctx->hlml);
        return;
    }
    ctx->hlml_ok = 1;
}

void accel_gaudi_hlml_unload(accel_gaudi_ctx *ctx) {
    if (!ctx->hlml_ok) return;
    if (ctx->hlml.hlml_shutdown) ctx->hlml.hlml_shutdown();
    ctx->hlml_ok = 0;
}

void accel_gaudi_hlml_attach(accel_gaudi_device *dev) {
    const accel_gaudi_hlml_table *h = &dev->ctx->hlml;
    dev->hlml = NULL;
    dev->product[0] = '\0';
    if (!dev->ctx->hlml_ok || !dev->pci_bus_id[0]) return;
    hlml_device handle = NULL;
    if (h->hlml_device_get_handle_by_pci_bus_id(dev->pci_bus_id, &handle) != HLML_OK) return;
    dev->hlml = handle;
    if (h->hlml_device_get_name &&
        h->hlml_device_get_name(handle, dev->product, (unsigned)sizeof dev->product) != HLML_OK)
        dev->product[0] = '\0';
}

double accel_gaudi_hlml_power_limit_w(const accel_gaudi_device *dev) {
    unsigned int mw = 0;
    const accel_gaudi_hlml_table *h = &dev->ctx->hlml;
    if (dev->hlml && h->hlml_device_get_power_management_default_limit &&
        h->hlml_device_get_power_management_default_limit(dev->hlml, &mw) == HLML_OK)
        return mw / 1000.0;
    return 0.0;
}

int accel_gaudi_hlml_ecc_enabled(const accel_gaudi_device *dev) {
    int current = 0, pending = 0;
    const accel_gaudi_hlml_table *h = &dev->ctx->hlml;
    if (dev->hlml && h->hlml_device_get_ecc_mode &&
        h->hlml_device_get_ecc_mode(dev->hlml, &current, &pending) == HLML_OK)
        return current != 0;
    return -1;
}

/* The TPC clock: the MME's runs at its own rate, but every op graph needs the TPCs. */
void accel_gaudi_hlml_clocks(const accel_gaudi_device *dev, int *current_mhz, int *max_mhz) {
    unsigned int v = 0;
    const accel_gaudi_hlml_table *h = &dev->ctx->hlml;
    *current_mhz = *max_mhz = 0;
    if (!dev->hlml) return;
    if (h->hlml_device_get_clock_info && h->hlml_device_get_clock_info(dev->hlml, HLML_CLOCK_TPC, &v) == HLML_OK)
        *current_mhz = (int)v;
    if (h->hlml_device_get_max_clock_info &&
        h->hlml_device_get_max_clock_info(dev->hlml, HLML_CLOCK_TPC, &v) == HLML_OK)
        *max_mhz = (int)v;
}

/* hlml.h's clock throttle reason bits. */
static void throttle_names(unsigned long long mask, char *out, size_t len) {
    const char *power = (mask & 1ull) ? "power" : "";
    const char *thermal = (mask & 2ull) ? "thermal" : "";
    if (!mask) snprintf(out, len, "none");
    else snprintf(out, len, "%s%s%s", power, power[0] && thermal[0] ? "," : "", thermal);
}

accel_status accel_gaudi_device_telemetry(void *p, accel_device_telemetry *out) {
    accel_gaudi_device *dev = p;
    const accel_gaudi_hlml_table *h = &dev->ctx->hlml;
    out->clock_mhz = out->memory_clock_mhz = out->power_w = out->energy_j = out->temperature_c = -1.0;
    out->throttle_reasons[0] = '\0';
    if (!dev->hlml)
        return dev->ctx->host->set_error(ACCEL_ERR_UNIMPLEMENTED,
                                         "telemetry needs HLML (libhlml.so), not available");
    unsigned int v = 0;
    unsigned long long u = 0;
    if (h->hlml_device_get_clock_info && h->hlml_device_get_clock_info(dev->hlml, HLML_CLOCK_TPC, &v) == HLML_OK)
        out->clock_mhz = v;
    if (h->hlml_device_get_power_usage && h->hlml_device_get_power_usage(dev->hlml, &v) == HLML_OK)
        out->power_w = v / 1000.0; /* mW */
    if (h->hlml_device_get_total_energy_consumption &&
        h->hlml_device_get_total_energy_consumption(dev->hlml, &u) == HLML_OK)
        out->energy_j = (double)u / 1000.0; /* mJ */
    if (h->hlml_device_get_temperature &&
        h->hlml_device_get_temperature(dev->hlml, HLML_TEMPERATURE_ON_AIP, &v) == HLML_OK)
        out->temperature_c = v;
    if (h->hlml_device_get_current_clocks_throttle_reasons &&
        h->hlml_device_get_current_clocks_throttle_reasons(dev->hlml, &u) == HLML_OK)
        throttle_names(u, out->throttle_reasons, sizeof out->throttle_reasons);
    return ACCEL_OK;
}
