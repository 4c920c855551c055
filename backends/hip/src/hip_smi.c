/* rocm-smi telemetry (hip_smi.h). */
#include "hip_smi.h"
#include "hip_arch.h"

#include <stdio.h>
#include <string.h>

#define RSMI_SYM(ret, name, params) ACCEL_DL_SYMBOL(hip_smi, ret, name, params)
static const accel_dl_symbol smi_required[] = {ACCEL_RSMI_REQUIRED_SYMBOLS(RSMI_SYM)};
static const accel_dl_symbol smi_optional[] = {ACCEL_RSMI_OPTIONAL_SYMBOLS(RSMI_SYM)};
static const char *const smi_names[] = {"librocm_smi64.so.6", "librocm_smi64.so.5", NULL};
/* NODELETE: like the HIP runtime below it, rocm-smi must not be unmapped under a live thread. */
static const accel_dl_library smi_library = {smi_names, NULL, ACCEL_DL_NODELETE, {0}, ACCEL_DL_TIER(smi_required),
                                             ACCEL_DL_TIER(smi_optional)};

void hip_smi_open(hip_smi *smi, const accel_dl_log *log) {
    memset(smi, 0, sizeof *smi);
    accel_dl_handle h;
    const accel_dl_outcome outcome = accel_dl_load(log, &smi_library, smi, &h);
    if (outcome == ACCEL_DL_NOT_FOUND) {
        snprintf(smi->reason, sizeof smi->reason, "librocm_smi64.so.6/.5 not found (install rocm-smi-lib)");
        return;
    }
    if (outcome != ACCEL_DL_LOADED) {
        snprintf(smi->reason, sizeof smi->reason, "%s: required symbols missing (%s)", h.name, h.missing);
        return;
    }
    snprintf(smi->lib_name, sizeof smi->lib_name, "%s", h.name);
    if (smi->rsmi_init(0) != 0) {
        snprintf(smi->reason, sizeof smi->reason, "%s: rsmi_init failed", smi->lib_name);
        accel_dl_close(h.lib);
        return;
    }
    smi->lib = h.lib;
}

void hip_smi_close(hip_smi *smi) {
    if (smi->lib) {
        (void)smi->rsmi_shut_down();
        accel_dl_close(smi->lib);
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
    /* The accumulator is 64-bit: count x resolution (~15.3 uJ) does not wrap in a device's life. */
    int rc = smi->rsmi_dev_energy_count_get
                 ? smi->rsmi_dev_energy_count_get(i, &count, &resolution_uj, &ts) : -1;
    if (rc == 0)
        out->energy_j = (double)count * resolution_uj / 1e6;
    if (ACCEL_STRUCT_HAS(out, accel_device_telemetry, energy_source)) {
        if (rc == 0)
            snprintf(out->energy_source, sizeof out->energy_source, "rocm-smi");
        else if (rc < 0)
            snprintf(out->energy_source, sizeof out->energy_source,
                     "none: %s has no rsmi_dev_energy_count_get", smi->lib_name);
        else
            snprintf(out->energy_source, sizeof out->energy_source,
                     "none: rsmi_dev_energy_count_get: rsmi_status_t %d%s", rc,
                     rc == 2 ? " (RSMI_STATUS_NOT_SUPPORTED)" : "");
    }
    int64_t mdeg = 0;
    /* Sensor 1 is the junction (hotspot): MI300 has no edge sensor (0). Metric 0 = current. */
    if (smi->rsmi_dev_temp_metric_get && (smi->rsmi_dev_temp_metric_get(i, 1, 0, &mdeg) == 0 ||
                                          smi->rsmi_dev_temp_metric_get(i, 0, 0, &mdeg) == 0))
        out->temperature_c = (double)mdeg / 1000.0;
    return ACCEL_OK;
}
