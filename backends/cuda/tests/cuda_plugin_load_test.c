/* Loads the CUDA plugin through the real runtime (explicit path, no default search) and checks the
 * report for the situation named on the command line:
 *   missing  libcuda.so.1 cannot be opened -> UNAVAILABLE, reason names libcuda.so.1 + install hint
 *   stub     the toolkit's stub libcuda     -> UNAVAILABLE, reason says "no driver (stub libcuda)"
 *   any      whatever this machine has      -> loads; OK with devices, or a non-OK status with a
 *            reason (no crash, no empty reason)
 * and that a device id on a backend with no devices is refused cleanly. */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "gpu_host_test.h"

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s PLUGIN missing|stub|any\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    accel_runtime *rt = NULL;
    accel_status st = gpu_host_test_runtime_open(argv[1], "cuda", &rt);
    EXPECT(st == ACCEL_OK, "accel_runtime_open: %s", accel_status_str(st));
    if (st != ACCEL_OK) return 1;

    const accel_backend_report *reports = NULL;
    size_t n = 0;
    accel_runtime_backends(rt, &reports, &n);
    const accel_backend_report *r = NULL;
    for (size_t i = 0; i < n; ++i)
        if (strcmp(reports[i].name, "cuda") == 0) r = &reports[i];
    EXPECT(r != NULL, "no report named cuda among %zu", n);
    if (r) {
        printf("cuda: status=%s devices=%d abi=%u.%u reason='%s' version='%s'\n", accel_status_str(r->status),
               r->device_count, r->abi_major, r->abi_minor, r->reason, r->version);
        EXPECT(r->abi_major == 1, "abi_major %u: the plugin itself did not load", r->abi_major);
        if (strcmp(mode, "missing") == 0) {
            EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s, want unavailable", accel_status_str(r->status));
            EXPECT(strstr(r->reason, "libcuda.so.1 not found") && strstr(r->reason, "install the NVIDIA driver"),
                   "reason lacks the library name and install hint");
        } else if (strcmp(mode, "stub") == 0) {
            EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s, want unavailable", accel_status_str(r->status));
            EXPECT(strstr(r->reason, "no driver (stub libcuda)") != NULL, "reason does not say stub");
        } else {
            if (r->status == ACCEL_OK && r->device_count == 0)
                EXPECT(strstr(r->reason, "no devices") != NULL, "0 devices without 'no devices'");
            if (r->status != ACCEL_OK) EXPECT(r->reason[0] != '\0', "status %s with empty reason",
                                              accel_status_str(r->status));
        }
    }

    int count = -1;
    st = accel_runtime_backend_device_count(rt, "cuda", &count);
    if (r && r->status == ACCEL_OK && r->device_count > 0) {
        /* A GPU machine: open device 0 and describe it (the conformance suite does the rest). */
        accel_device *dev = NULL;
        st = accel_device_open(rt, "cuda:0", &dev);
        EXPECT(st == ACCEL_OK, "open cuda:0");
        if (dev) {
            accel_device_info info;
            memset(&info, 0, sizeof info);
            info.struct_size = sizeof info;
            EXPECT(accel_device_info_get(dev, &info) == ACCEL_OK, "info");
            printf("cuda:0 %s %s %d SMs %llu bytes peak '%s' libs '%s' notes '%s'\n", info.name, info.isa,
                   info.compute_units, (unsigned long long)info.memory_bytes, info.vendor_peak.source,
                   info.op_libraries, info.notes);
            EXPECT(strncmp(info.isa, "sm_", 3) == 0, "isa '%s'", info.isa);
            accel_device_close(dev);
        }
    } else {
        accel_device *dev = NULL;
        st = accel_device_open(rt, "cuda:0", &dev);
        EXPECT(st != ACCEL_OK && dev == NULL, "cuda:0 opened without a device");
    }
    accel_runtime_close(rt);
    if (!failures) printf("ok\n");
    return failures ? 1 : 0;
}
