/* Mock HLML (libhlml.so) for the Gaudi backend's tests: the devices of the mock SynapseAI, found by
 * the PCI bus id it reports, with fixed clocks and power and an energy counter that grows with time.
 * MOCK_SYNAPSE_DEVICE and MOCK_SYNAPSE_DEVICES pick the devices as in the mock SynapseAI. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gaudi_api.h"

#define MOCK_EXPORT __attribute__((visibility("default")))

typedef struct mock_hlml_device {
    unsigned module;
} mock_hlml_device;
static mock_hlml_device devices[8];
static int initialized;

static int gaudi3(void) {
    const char *v = getenv("MOCK_SYNAPSE_DEVICE");
    return v && strcmp(v, "gaudi3") == 0;
}

static unsigned count(void) {
    const char *v = getenv("MOCK_SYNAPSE_DEVICES");
    long n = v && v[0] ? strtol(v, NULL, 10) : 1;
    return n < 0 ? 0 : n > 8 ? 8 : (unsigned)n;
}

MOCK_EXPORT hlml_status hlml_init(void) {
    initialized = 1;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_shutdown(void) {
    initialized = 0;
    return HLML_OK;
}

#define HLML_ERROR_UNINITIALIZED 1
#define HLML_ERROR_INVALID_ARGUMENT 2
#define HLML_ERROR_NOT_FOUND 6

static mock_hlml_device *device_of(hlml_device d) {
    for (unsigned i = 0; i < 8; ++i)
        if (d == &devices[i]) return &devices[i];
    return NULL;
}

MOCK_EXPORT hlml_status hlml_device_get_handle_by_pci_bus_id(const char *bus, hlml_device *out) {
    if (!initialized) return HLML_ERROR_UNINITIALIZED;
    for (unsigned i = 0; i < count(); ++i) {
        const unsigned module = (i * 3 + 2) % 8; /* as the mock SynapseAI numbers modules */
        char mine[32];
        snprintf(mine, sizeof mine, "0000:%02x:00.0", 0x19 + 0x10 * module);
        if (strcmp(bus, mine) != 0) continue;
        devices[i].module = module;
        *out = &devices[i];
        return HLML_OK;
    }
    return HLML_ERROR_NOT_FOUND;
}

#define DEVICE_OR_FAIL(d)                                                                          \
    mock_hlml_device *dev = device_of(d);                                                          \
    if (!initialized) return HLML_ERROR_UNINITIALIZED;                                             \
    if (!dev) return HLML_ERROR_INVALID_ARGUMENT

MOCK_EXPORT hlml_status hlml_device_get_name(hlml_device d, char *name, unsigned len) {
    DEVICE_OR_FAIL(d);
    snprintf(name, len, "%s", gaudi3() ? "HL-325L" : "HL-225");
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_uuid(hlml_device d, char *uuid, unsigned len) {
    DEVICE_OR_FAIL(d);
    snprintf(uuid, len, "01P0-HL%s-1%u-MOCK", gaudi3() ? "3" : "2", dev->module);
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_clock_info(hlml_device d, int type, unsigned *mhz) {
    DEVICE_OR_FAIL(d);
    *mhz = type == HLML_CLOCK_TPC ? 1600 : 1800;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_max_clock_info(hlml_device d, int type, unsigned *mhz) {
    DEVICE_OR_FAIL(d);
    *mhz = type == HLML_CLOCK_TPC ? 1800 : 2000;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_power_usage(hlml_device d, unsigned *mw) {
    DEVICE_OR_FAIL(d);
    *mw = 212500;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_power_management_default_limit(hlml_device d, unsigned *mw) {
    DEVICE_OR_FAIL(d);
    *mw = gaudi3() ? 900000 : 600000;
    return HLML_OK;
}

/* mJ at 212.5 W since an arbitrary origin: grows between two reads, as the real counter does. */
MOCK_EXPORT hlml_status hlml_device_get_total_energy_consumption(hlml_device d, unsigned long long *mj) {
    DEVICE_OR_FAIL(d);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    *mj = 1000000ull + (unsigned long long)ts.tv_sec * 212500ull + (unsigned long long)ts.tv_nsec / 4706ull;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_temperature(hlml_device d, int sensor, unsigned *celsius) {
    DEVICE_OR_FAIL(d);
    *celsius = sensor == HLML_TEMPERATURE_ON_AIP ? 41 : 35;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_ecc_mode(hlml_device d, int *current, int *pending) {
    DEVICE_OR_FAIL(d);
    *current = *pending = 1;
    return HLML_OK;
}

MOCK_EXPORT hlml_status hlml_device_get_current_clocks_throttle_reasons(hlml_device d, unsigned long long *mask) {
    DEVICE_OR_FAIL(d);
    *mask = 1; /* power */
    return HLML_OK;
}
