/* Devices: open by id ("cuda:0"), describe, close. */
#ifndef ACCEL_DEVICE_H
#define ACCEL_DEVICE_H

#include "accel/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct accel_device accel_device;

/* id is "backend:index" ("cpu:0", "opencl:1"). Opening the same id twice gives two handles onto the
 * same hardware. The device must be closed before its runtime. */
accel_status accel_device_open(accel_runtime *rt, const char *id, accel_device **out_dev);
void accel_device_close(accel_device *dev);

/* info->struct_size must be set by the caller. */
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
} accel_device_telemetry;
/* ACCEL_ERR_UNIMPLEMENTED when the backend reads none of it. */
accel_status accel_device_telemetry_get(accel_device *dev, accel_device_telemetry *out);

#ifdef __cplusplus
}
#endif
#endif
