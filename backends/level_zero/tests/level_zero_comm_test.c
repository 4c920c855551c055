/* Collectives on a Level Zero device (the mock driver): refused with oneCCL's reason, never handed
 * to the MPI host transport.
 *   level_zero_comm_test absent   no oneCCL: UNAVAILABLE naming libccl.so.1 "not found"
 *   level_zero_comm_test present  $ACCEL_ONECCL_LIBRARY names a library: UNAVAILABLE, "found ...
 *                                 but not supported yet" */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"

int main(int argc, char **argv) {
    const int present = argc > 1 && strcmp(argv[1], "present") == 0;
    accel_runtime *rt = NULL;
    accel_device *dev = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK || accel_device_open(rt, "level_zero:0", &dev) != ACCEL_OK) {
        printf("FAIL: no mock device: %s\n", accel_last_error());
        return 1;
    }
    accel_comm *comm = NULL;
    const accel_status st = accel_comm_create_local(&dev, 1, &comm);
    const char *want = present ? "oneCCL found (" : "oneCCL unavailable: libccl.so.1 not found";
    printf("create_local: %s: %s\n", accel_status_str(st), accel_last_error());
    int failures = 0;
    if (st != ACCEL_ERR_UNAVAILABLE || comm != NULL || !strstr(accel_last_error(), want)) {
        printf("FAIL: want UNAVAILABLE naming '%s'\n", want);
        ++failures;
    }
    accel_device_close(dev);
    accel_runtime_close(rt);
    return failures ? 1 : 0;
}
