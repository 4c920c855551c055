/* A stand-in librocm_smi64.so.6: one GPU at 0000:c1:00.0 drawing 512 W of a 750 W cap, 45 C at the
 * junction, an energy counter of 1000 ticks of 15.25 uJ. */
#include <stdint.h>
#include <stdlib.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int rsmi_init(uint64_t flags) { (void)flags; return 0; }
EXPORT int rsmi_shut_down(void) { return 0; }
EXPORT int rsmi_num_monitor_devices(uint32_t *count) { *count = 1; return 0; }
EXPORT int rsmi_dev_pci_id_get(uint32_t dev, uint64_t *bdfid) {
    if (dev != 0) return 2;
    *bdfid = 0xc1u << 8;
    return 0;
}
EXPORT int rsmi_dev_power_get(uint32_t dev, uint64_t *uw, int *type) {
    (void)dev;
    *uw = 512000000u;
    *type = 1;
    return 0;
}
EXPORT int rsmi_dev_power_cap_get(uint32_t dev, uint32_t sensor, uint64_t *uw) {
    (void)dev; (void)sensor;
    *uw = 750000000u;
    return 0;
}
EXPORT int rsmi_dev_energy_count_get(uint32_t dev, uint64_t *count, float *resolution_uj, uint64_t *ts) {
    (void)dev;
    if (getenv("MOCK_RSMI_NO_ENERGY")) return 2; /* RSMI_STATUS_NOT_SUPPORTED: the tests' switch */
    *count = 1000;
    *resolution_uj = 15.25f;
    *ts = 1;
    return 0;
}
EXPORT int rsmi_dev_temp_metric_get(uint32_t dev, uint32_t sensor, int metric, int64_t *mdeg) {
    (void)dev;
    if (sensor != 1 || metric != 0) return 2; /* junction, current */
    *mdeg = 45000;
    return 0;
}
