/* The setup the GPU backends' host-side tests share (cuda's fake driver, NVML and plugin-load
 * tests, the collectives test of cuda and hip): a check that counts failures and goes on, printing
 * where it failed and the runtime's last error, and a runtime that loads only the plugin under test,
 * so a plugin installed elsewhere on the machine cannot answer in its place. */
#ifndef ACCEL_GPU_HOST_TEST_H
#define ACCEL_GPU_HOST_TEST_H

#include <stdio.h>
#include <string.h>

#include "accel/accel.h"

static int failures;
#define EXPECT(cond, ...)                                                  \
    do {                                                                   \
        if (!(cond)) {                                                     \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                    \
            printf(__VA_ARGS__);                                           \
            printf(" [last error: %s]\n", accel_last_error());             \
            ++failures;                                                    \
        }                                                                  \
    } while (0)

/* Opens a runtime on the one plugin file at plugin_path, with no default search path, enabling
 * only the named backend. */
static inline accel_status gpu_host_test_runtime_open(const char *plugin_path, const char *backend,
                                                      accel_runtime **out) {
    const char *paths[] = {plugin_path};
    accel_runtime_options o;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    o.plugin_paths = paths;
    o.plugin_path_count = 1;
    o.no_default_paths = 1;
    o.backends = backend;
    return accel_runtime_open(&o, out);
}

#endif
