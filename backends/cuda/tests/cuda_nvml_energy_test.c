/* The NVML energy counter through the plugin's telemetry, on the fake libcuda and fake_nvml.c:
 *   cuda_nvml_energy_test PLUGIN counter|unsupported|absent
 * counter: energy_j is NVML's millijoules in joules and grows between readings, energy_source
 * "nvml"; unsupported: no energy_j, energy_source names the NVML error; absent (no
 * libnvidia-ml.so.1 on the path): telemetry refused, naming NVML. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "gpu_host_test.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLUGIN counter|unsupported|absent\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    EXPECT(gpu_host_test_runtime_open(argv[1], "cuda", &rt) == ACCEL_OK, "runtime");
    EXPECT(rt && accel_device_open(rt, "cuda:0", &dev) == ACCEL_OK, "open cuda:0");
    if (!dev) return 1;
    accel_device_telemetry a, b;
    memset(&a, 0, sizeof a);
    a.struct_size = sizeof a;
    b = a;
    accel_status st = accel_device_telemetry_get(dev, &a);
    if (strcmp(mode, "absent") == 0) {
        EXPECT(st == ACCEL_ERR_UNIMPLEMENTED, "status %s", accel_status_str(st));
        EXPECT(strstr(accel_last_error(), "NVML") != NULL, "the refusal names NVML");
    } else {
        EXPECT(st == ACCEL_OK, "telemetry %s", accel_status_str(st));
        EXPECT(accel_device_telemetry_get(dev, &b) == ACCEL_OK, "second reading");
        EXPECT(a.power_w == 300.0 && a.clock_mhz == 1980.0, "power %g clock %g", a.power_w, a.clock_mhz);
        if (strcmp(mode, "counter") == 0) {
            EXPECT(strcmp(a.energy_source, "nvml") == 0, "energy_source '%s'", a.energy_source);
            EXPECT(a.energy_j >= 5000.0 && fabs(b.energy_j - a.energy_j - 1.5) < 1e-9,
                   "energy %.3f then %.3f J", a.energy_j, b.energy_j);
        } else {
            EXPECT(a.energy_j < 0, "energy_j %g without a counter", a.energy_j);
            EXPECT(strcmp(a.energy_source, "none: nvmlDeviceGetTotalEnergyConsumption: "
                                           "NVML_ERROR_NOT_SUPPORTED (3): the counter needs Volta or newer") == 0,
                   "energy_source '%s'", a.energy_source);
        }
        /* A caller built before ABI 1.2 (no energy_source) still gets its fields. */
        union {
            accel_device_telemetry t;
            unsigned char raw[sizeof(accel_device_telemetry)];
        } old;
        memset(&old, 0x5a, sizeof old);
        old.t.struct_size = offsetof(accel_device_telemetry, energy_source);
        EXPECT(accel_device_telemetry_get(dev, &old.t) == ACCEL_OK, "1.0-sized telemetry");
        EXPECT(old.raw[offsetof(accel_device_telemetry, energy_source)] == 0x5a,
               "a 1.0 caller's struct was written past its size");
    }
    accel_device_close(dev);
    accel_runtime_close(rt);
    printf("%s: %s\n", mode, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
