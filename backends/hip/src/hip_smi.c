/* rocm-smi telemetry (hip_smi.h). */
/* RTLD_NODELETE: the HIP runtime starts threads of its own (and the libraries above it register
 * exit handlers), so unmapping any of them at dlclose could pull code from under a live thread. */
#define _GNU_SOURCE
#include "hip_smi.h"
#include "hip_arch.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static const char *const smi_names[] = {"librocm_smi64.so.6", "librocm_smi64.so.5"};

void hip_smi_open(hip_smi *smi, int debug) {
    memset(smi, 0, sizeof *smi);
    snprintf(smi->reason, sizeof smi->reason,
             "librocm_smi64.so.6/.5 not found (install rocm-smi-lib)");
    for (size_t i = 0; i < sizeof smi_names / sizeof smi_names[0] && !smi->lib; ++i) {
        smi->lib = dlopen(smi_names[i], RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (smi->lib)
            snprintf(smi->lib_name, sizeof smi->lib_name, "%s", smi_names[i]);
        else if (debug) {
            const char *e = dlerror();
            fprintf(stderr, "accel hip: dlopen %s: %s\n", smi_names[i], e ? e : "?");
        }
    }
    if (!smi->lib)
        return;
    int ok = 1;
#define ACCEL_RSMI_RESOLVE(ret, name, params)                                                      \
    {                                                                                              \
        void *sym = dlsym(smi->lib, #name);                                                        \
        memcpy(&smi->name, &sym, sizeof smi->name);                                                \
        ok &= sym != NULL;                                                                         \
    }
    ACCEL_RSMI_REQUIRED_SYMBOLS(ACCEL_RSMI_RESOLVE)
#undef ACCEL_RSMI_RESOLVE
#define ACCEL_RSMI_RESOLVE_OPT(ret, name, params)                                                  \
    {                                                                                              \
        void *sym = dlsym(smi->lib, #name);                                                        \
        memcpy(&smi->name, &sym, sizeof smi->name);                                                \
    }
    ACCEL_RSMI_OPTIONAL_SYMBOLS(ACCEL_RSMI_RESOLVE_OPT)
#undef ACCEL_RSMI_RESOLVE_OPT
    int rc = ok ? smi->rsmi_init(0) : -1;
    if (!ok || rc != 0) {
        snprintf(smi->reason, sizeof smi->reason, "%s: %s", smi->lib_name,
                 ok ? "rsmi_init failed" : "required symbols missing");
        dlclose(smi->lib);
        smi->lib = NULL;
    }
}

void hip_smi_close(hip_smi *smi) {
    if (smi->lib) {
        (void)smi->rsmi_shut_down();
        dlclose(smi->lib);
    }
    memset(smi, 0, sizeof *smi);
}

/* rocm-smi numbers devices its own way: match on the PCI address. */
static int smi_index(const hip_smi *smi, const char *pci_bus_id, uint32_t *index) {
    unsigned domain, bus, dev, fn;
    if (!smi->lib || hip_pci_bus_id_parse(pci_bus_id, &domain, &bus, &dev, &fn) != 0)
        return -1;
    uint64_t want = ((uint64_t)domain << 32) | (bus << 8) | ((dev & 0x1f) << 3) | (fn & 7);
    uint32_t count = 0;
    if (smi->rsmi_num_monitor_devices(&count) != 0)
        return -1;
    for (uint32_t i = 0; i < count; ++i) {
        uint64_t bdf = 0;
        /* Some releases put the partition id in bits 28-31: compare the address bits only. */
        if (smi->rsmi_dev_pci_id_get(i, &bdf) == 0 && (bdf & 0xffffffff0000ffffull) == want) {
            *index = i;
            return 0;
        }
    }
    return -1;
}

int hip_smi_power_limit(const hip_smi *smi, const char *pci_bus_id, double *watts) {
    uint32_t i;
    uint64_t uw = 0;
    if (smi_index(smi, pci_bus_id, &i) != 0 || !smi->rsmi_dev_power_cap_get ||
        smi->rsmi_dev_power_cap_get(i, 0, &uw) != 0)
        return -1;
    *watts = (double)uw / 1e6;
    return 0;
}

accel_status hip_smi_read(const hip_smi *smi, const accel_host_services *host,
                          const char *pci_bus_id, accel_device_telemetry *out) {
    uint32_t i;
    if (smi_index(smi, pci_bus_id, &i) != 0)
        return host->set_error(ACCEL_ERR_UNIMPLEMENTED, "hip telemetry: %s lists no device at %s",
                               smi->lib_name, pci_bus_id);
    out->clock_mhz = out->memory_clock_mhz = out->power_w = out->energy_j = out->temperature_c = -1;
    out->throttle_reasons[0] = '\0';
    uint64_t uw = 0;
    int power_type = 0;
    /* ROCm 6's rsmi_dev_power_get reads what the board has (MI300 reports current socket power,
     * not the average that rsmi_dev_power_ave_get wants). */
    if ((smi->rsmi_dev_power_get && smi->rsmi_dev_power_get(i, &uw, &power_type) == 0) ||
        (smi->rsmi_dev_power_ave_get && smi->rsmi_dev_power_ave_get(i, 0, &uw) == 0))
        out->power_w = (double)uw / 1e6;
    uint64_t count = 0, ts = 0;
    float resolution_uj = 0;
    if (smi->rsmi_dev_energy_count_get &&
        smi->rsmi_dev_energy_count_get(i, &count, &resolution_uj, &ts) == 0)
        out->energy_j = (double)count * resolution_uj / 1e6;
    int64_t mdeg = 0;
    /* Sensor 1 is the junction (hotspot): MI300 has no edge sensor (0). Metric 0 = current. */
    if (smi->rsmi_dev_temp_metric_get && (smi->rsmi_dev_temp_metric_get(i, 1, 0, &mdeg) == 0 ||
                                          smi->rsmi_dev_temp_metric_get(i, 0, 0, &mdeg) == 0))
        out->temperature_c = (double)mdeg / 1000.0;
    return ACCEL_OK;
}
