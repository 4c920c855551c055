/* Loads the pjrt backend through the real runtime and checks its report for the situation named on
 * the command line (ACCEL_PJRT_PLUGIN is set by the test):
 *   missing   the named plugin file does not exist     -> UNAVAILABLE, reason names the file
 *   none      no plugin named, none in known places    -> UNAVAILABLE, "no PJRT plugin found", places
 *   nosymbol  a shared library without GetPjrtApi      -> UNAVAILABLE, names the symbol
 *   major     a plugin of PJRT C API 1.x               -> INCOMPATIBLE, both versions
 *   oldminor  a plugin of 0.50                         -> INCOMPATIBLE, both versions
 *   short     a function table too short               -> INCOMPATIBLE, both sizes
 *   client    a plugin whose client creation fails     -> UNAVAILABLE, PJRT's message */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "pjrt_expect.h"

#define SKIP_RETURN_CODE 77

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s BACKEND_PLUGIN MODE\n", argv[0]);
        return 2;
    }
    const char *mode = argv[2];
    const char *paths[] = {argv[1]};
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.plugin_paths = paths;
    opts.plugin_path_count = 1;
    opts.no_default_paths = 1;
    opts.backends = "pjrt";
    accel_runtime *rt = NULL;
    accel_status st = accel_runtime_open(&opts, &rt);
    if (st != ACCEL_OK) {
        printf("FAIL: accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *reports = NULL;
    size_t n = 0;
    accel_runtime_backends(rt, &reports, &n);
    const accel_backend_report *r = n == 1 && strcmp(reports[0].name, "pjrt") == 0 ? &reports[0] : NULL;
    EXPECT(r != NULL, "no pjrt report among %zu", n);
    if (!r) return 1;
    printf("pjrt: status=%s devices=%d reason='%s'\n", accel_status_str(r->status), r->device_count, r->reason);
    EXPECT(r->abi_major == 1, "the backend plugin itself did not load");
    int skip = 0;
    if (strcmp(mode, "none") == 0) {
        if (r->status == ACCEL_OK) {
            printf("a PJRT plugin is installed in a known place here; the none-found path cannot be shown\n");
            skip = 1;
        } else {
            EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s", accel_status_str(r->status));
            EXPECT(strstr(r->reason, "no PJRT plugin found") && strstr(r->reason, "ACCEL_PJRT_PLUGIN") &&
                       strstr(r->reason, "looked in"), "reason lacks the hint or the places");
        }
    } else if (strcmp(mode, "missing") == 0) {
        EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "/nonexistent/libtpu.so") != NULL, "reason does not name the file");
    } else if (strcmp(mode, "nosymbol") == 0) {
        EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "no GetPjrtApi symbol") != NULL, "reason does not name the entry point");
    } else if (strcmp(mode, "major") == 0) {
        EXPECT(r->status == ACCEL_ERR_INCOMPATIBLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "PJRT C API 1.81") && strstr(r->reason, "needs 0.81"), "reason lacks both versions");
    } else if (strcmp(mode, "oldminor") == 0) {
        EXPECT(r->status == ACCEL_ERR_INCOMPATIBLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "PJRT C API 0.50") && strstr(r->reason, "needs 0.81"), "reason lacks both versions");
    } else if (strcmp(mode, "short") == 0) {
        EXPECT(r->status == ACCEL_ERR_INCOMPATIBLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "function table") != NULL, "reason does not say the table is short");
    } else if (strcmp(mode, "client") == 0) {
        EXPECT(r->status == ACCEL_ERR_UNAVAILABLE, "status %s", accel_status_str(r->status));
        EXPECT(strstr(r->reason, "client creation failed") && strstr(r->reason, "NOT_FOUND") &&
                   strstr(r->reason, "no accelerator chips attached"), "reason lacks PJRT's code and message");
    } else {
        fprintf(stderr, "unknown mode %s\n", mode);
        failures++;
    }
    if (r->status != ACCEL_OK) {
        accel_device *dev = NULL;
        EXPECT(accel_device_open(rt, "pjrt:0", &dev) != ACCEL_OK, "pjrt:0 opened with no devices");
    }
    accel_runtime_close(rt);
    if (failures) return 1;
    return skip ? SKIP_RETURN_CODE : 0;
}
