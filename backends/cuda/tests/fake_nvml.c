/* A stand-in libnvidia-ml.so.1 for the plugin's telemetry: one GPU at any PCI address, 300 W, SM
 * clock 1980 MHz, and a total energy counter that starts at 5000 J and grows by 1.5 J at each read.
 * $FAKE_NVML_ENERGY=unsupported answers the counter with NVML_ERROR_NOT_SUPPORTED (pre-Volta). */
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static int device_token;
static unsigned long long energy_mj = 5000000ull;

EXPORT int nvmlInit_v2(void) { return 0; }
EXPORT int nvmlShutdown(void) { return 0; }
EXPORT int nvmlDeviceGetHandleByPciBusId_v2(const char *bus_id, void **device) {
    if (!bus_id || !bus_id[0]) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    *device = &device_token;
    return 0;
}
EXPORT int nvmlDeviceGetPowerUsage(void *device, unsigned int *mw) {
    (void)device;
    *mw = 300000u;
    return 0;
}
EXPORT int nvmlDeviceGetClockInfo(void *device, int type, unsigned int *mhz) {
    (void)device;
    *mhz = type == 1 ? 1980u : 2619u;
    return 0;
}
EXPORT int nvmlDeviceGetTotalEnergyConsumption(void *device, unsigned long long *mj) {
    (void)device;
    const char *mode = getenv("FAKE_NVML_ENERGY");
    if (mode && strcmp(mode, "unsupported") == 0) return 3; /* NVML_ERROR_NOT_SUPPORTED */
    *mj = energy_mj;
    energy_mj += 1500u;
    return 0;
}
