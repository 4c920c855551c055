/* rocm-smi (librocm_smi64.so.6/.5), dlopen()ed when present, for power, energy, temperature and the
 * power cap. Only calls whose arguments are plain integers are used: rsmi_frequencies_t changed
 * layout in ROCm 6 (has_deep_sleep), so clocks are not read from it. */
#ifndef ACCEL_HIP_SMI_H
#define ACCEL_HIP_SMI_H

#include "accel/plugin.h"
#include "accel_common/dl.h"
#include <stdint.h>

#define ACCEL_RSMI_REQUIRED_SYMBOLS(X)                                                           \
    X(int, rsmi_init, (uint64_t flags))                                                          \
    X(int, rsmi_shut_down, (void))                                                               \
    X(int, rsmi_num_monitor_devices, (uint32_t * count))                                        \
    X(int, rsmi_dev_pci_id_get, (uint32_t dev, uint64_t * bdfid))
#define ACCEL_RSMI_OPTIONAL_SYMBOLS(X)                                                           \
    X(int, rsmi_dev_power_get, (uint32_t dev, uint64_t * microwatts, int *power_type))           \
    X(int, rsmi_dev_power_ave_get, (uint32_t dev, uint32_t sensor, uint64_t * microwatts))       \
    X(int, rsmi_dev_power_cap_get, (uint32_t dev, uint32_t sensor, uint64_t * microwatts))       \
    X(int, rsmi_dev_energy_count_get,                                                            \
      (uint32_t dev, uint64_t * count, float *resolution_uj, uint64_t *timestamp))              \
    X(int, rsmi_dev_temp_metric_get, (uint32_t dev, uint32_t sensor, int metric, int64_t *mdeg))

typedef struct hip_smi {
    void *lib;
    char lib_name[32];
    char reason[256];
    ACCEL_RSMI_REQUIRED_SYMBOLS(ACCEL_DL_FIELD)
    ACCEL_RSMI_OPTIONAL_SYMBOLS(ACCEL_DL_FIELD)
} hip_smi;

/* Loads and initialises rocm-smi; when it cannot, smi->reason says why. Each dlopen is traced
 * through log. */
void hip_smi_open(hip_smi *smi, const accel_dl_log *log);
void hip_smi_close(hip_smi *smi);
/* Power cap in W of the device at this PCI bus id; 0 on success. */
int hip_smi_power_limit(const hip_smi *smi, const char *pci_bus_id, double *watts);
accel_status hip_smi_read(const hip_smi *smi, const accel_host_services *host,
                          const char *pci_bus_id, accel_device_telemetry *out);

#endif
