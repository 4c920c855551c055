/* The level_zero plugin loads through the real runtime and, with no Intel GPU, says exactly why
 * (the zeInit result name and an install hint, or the missing loader) instead of crashing.
 * --expect-missing-loader: run with ACCEL_LEVEL_ZERO_LOADER pointing at a file that is not there. */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"

static int fail(const char *what, const accel_backend_report *r) {
    fprintf(stderr, "FAIL: %s (status %s, reason \"%s\")\n", what,
            r ? accel_status_str(r->status) : "-", r ? r->reason : "-");
    return 1;
}

static int check_with_device(accel_runtime *rt, const accel_backend_report *r) {
    accel_device *dev = NULL;
    if (accel_device_open(rt, "level_zero:0", &dev) != ACCEL_OK)
        return fail(accel_last_error(), r);
    accel_device_info info;
    memset(&info, 0, sizeof info);
    info.struct_size = sizeof info;
    int bad = accel_device_info_get(dev, &info) != ACCEL_OK || info.name[0] == '\0' ||
              info.module_formats != (1u << ACCEL_MODULE_SPIRV);
    printf("level_zero:0 %s, %d EUs, %s\n", info.name, info.compute_units, info.notes);
    accel_device_close(dev);
    return bad ? fail("device info incomplete", r) : 0;
}

int main(int argc, char **argv) {
    int expect_missing_loader = argc > 1 && strcmp(argv[1], "--expect-missing-loader") == 0;
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "level_zero";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        fprintf(stderr, "FAIL: accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *list = NULL;
    size_t n = 0;
    accel_runtime_backends(rt, &list, &n);
    const accel_backend_report *r = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, "level_zero") == 0) r = &list[i];
    int rc = 0;
    if (!r) {
        rc = fail("libaccel-backend-level_zero.so not found by the runtime", NULL);
    } else {
        printf("level_zero: %s, %d device(s): %s\n", accel_status_str(r->status), r->device_count,
               r->reason);
        if (expect_missing_loader) {
            if (r->status != ACCEL_ERR_UNAVAILABLE || !strstr(r->reason, "/nonexistent/libze_loader.so.1") ||
                !strstr(r->reason, "install"))
                rc = fail("a missing loader must be UNAVAILABLE naming the file and an install hint", r);
        } else if (r->status == ACCEL_OK && r->device_count > 0) {
            rc = check_with_device(rt, r); /* a machine with an Intel GPU */
        } else if (r->status == ACCEL_OK) {
            if (r->reason[0] == '\0') rc = fail("zero devices without a reason", r);
        } else if (r->status == ACCEL_ERR_UNAVAILABLE) {
            if (strstr(r->reason, "zeInit")) {
                /* The loader is there but no driver: the result's name and the packages to install. */
                if (!strstr(r->reason, "ZE_RESULT_") || !strstr(r->reason, "intel-level-zero-gpu"))
                    rc = fail("zeInit failure must name the ze_result_t and the driver packages", r);
            } else if (!strstr(r->reason, "libze_loader") || !strstr(r->reason, "install")) {
                rc = fail("UNAVAILABLE must say which library is missing and what to install", r);
            }
        } else {
            rc = fail("unexpected status", r);
        }
        /* Opening a device that is not there is an error, not a crash. */
        if (rc == 0 && r->device_count == 0) {
            accel_device *dev = NULL;
            if (accel_device_open(rt, "level_zero:0", &dev) == ACCEL_OK) {
                accel_device_close(dev);
                rc = fail("opened level_zero:0 although no device was reported", r);
            }
        }
    }
    accel_runtime_close(rt);
    if (rc == 0) printf("ok\n");
    return rc;
}
