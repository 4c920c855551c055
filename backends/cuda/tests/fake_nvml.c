/* A stand-in libnvidia-ml.so.1 for the plugin's telemetry: a GPU at any PCI address (a handle per
 * bus number), 300 W, SM clock 1980 MHz, and a total energy counter that starts at 5000 J and
 * grows by 1.5 J at each read; NVLink pairs from $FAKE_NVML_NVLINK for the peer queries.
 * $FAKE_NVML_ENERGY=unsupported answers the counter with NVML_ERROR_NOT_SUPPORTED (pre-Volta). */
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

/* One handle per PCI bus number, so two GPUs get distinct handles for the peer queries. */
static unsigned char device_tokens[256];
static unsigned long long energy_mj = 5000000ull;

EXPORT int nvmlInit_v2(void) { return 0; }
EXPORT int nvmlShutdown(void) { return 0; }
EXPORT int nvmlDeviceGetHandleByPciBusId_v2(const char *bus_id, void **device) {
    if (!bus_id || !bus_id[0]) return 2; /* NVML_ERROR_INVALID_ARGUMENT */
    const char *colon = strchr(bus_id, ':');
    *device = &device_tokens[(colon ? strtoul(colon + 1, NULL, 16) : 0) & 0xff];
    return 0;
}
/* $FAKE_NVML_NVLINK ("1b1c,1d1e": pairs of PCI bus numbers in hex, two digits each, per group):
 * GPUs of one group answer NVLink P2P OK; unset, no NVLink. Every other pair shares one host bridge. */
static int nvlinked(const void *a, const void *b) {
    const char *groups = getenv("FAKE_NVML_NVLINK");
    const unsigned ba = (unsigned)((const unsigned char *)a - device_tokens);
    const unsigned bb = (unsigned)((const unsigned char *)b - device_tokens);
    for (const char *g = groups; g && *g;) {
        size_t n = strcspn(g, ",");
        int has_a = 0, has_b = 0;
        for (size_t i = 0; i + 1 < n; i += 2) {
            char hex[3] = {g[i], g[i + 1], 0};
            const unsigned bus = (unsigned)strtoul(hex, NULL, 16);
            has_a |= bus == ba;
            has_b |= bus == bb;
        }
        if (has_a && has_b && ba != bb) return 1;
        g += n + (g[n] == ',');
    }
    return 0;
}
EXPORT int nvmlDeviceGetP2PStatus(void *a, void *b, int caps_index, int *status) {
    *status = caps_index == 2 && nvlinked(a, b) ? 0 : 5; /* NVML_P2P_STATUS_OK / _NOT_SUPPORTED */
    return 0;
}
EXPORT int nvmlDeviceGetTopologyCommonAncestor(void *a, void *b, int *level) {
    *level = a == b ? 0 : 30; /* NVML_TOPOLOGY_HOSTBRIDGE */
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
