/* Devices: open by id ("cuda:0"), describe, close. */
#ifndef ACCEL_DEVICE_H
#define ACCEL_DEVICE_H

#include "accel/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_device accel_device;

/* id is "backend:index" ("cpu:0", "opencl:1"). Opening the same id twice gives two handles onto the
 * same hardware. */
accel_status accel_device_open(accel_runtime *rt, const char *id, accel_device **out_dev);
/* Ownership: each buffer, stream, event, timer, module, op plan and graph belongs to the device
 * handle it was created from, and the device closes only when none of them is alive. While some
 * are, close refuses: ACCEL_ERR_INVALID_ARGUMENT with a message naming what is alive ("null:0
 * still has 2 buffers, 1 stream alive: ..."), also printed to stderr, and the device stays open and
 * usable, so freeing those objects afterwards (then closing again) is safe. Its runtime, likewise,
 * closes only after its devices (runtime.h). NULL is a no-op. A closed handle is freed: never pass
 * it again. */
accel_status accel_device_close(accel_device *dev);

/* info->struct_size must be set by the caller: sizeof(accel_device_info), or the smaller size of an
 * older header (types.h: fields it lacks are not written; fields this libaccel lacks are zeroed). */
accel_status accel_device_info_get(const accel_device *dev, accel_device_info *info);
/* "cpu:0" */
const char *accel_device_id(const accel_device *dev);
/* Wait for all work queued on all of this device's streams. */
accel_status accel_device_synchronize(accel_device *dev);

/* Dynamic state read now (clocks, power, energy); unknown fields are < 0. */
typedef struct accel_device_telemetry {
    size_t struct_size;
    double clock_mhz;        /* current core/SM clock */
    double memory_clock_mhz;
    double power_w;
    double energy_j;         /* monotonically increasing counter since an arbitrary origin */
    double temperature_c;
    char throttle_reasons[128];
    /* Appended in ABI 1.2: the counter behind energy_j ("nvml", "rocm-smi", "ze-sysman", "rapl"),
     * or, when energy_j < 0, "none: <why>" (no counter, not readable, not supported). A plugin
     * writes it only when out->struct_size covers it; "" = the plugin predates it. */
    char energy_source[160];
} accel_device_telemetry;
/* out->struct_size must be set by the caller (grows as accel_device_info does). ACCEL_ERR_UNIMPLEMENTED
 * when the backend reads none of it. */
accel_status accel_device_telemetry_get(accel_device *dev, accel_device_telemetry *out);

#ifdef __cplusplus
}
#endif
#endif
