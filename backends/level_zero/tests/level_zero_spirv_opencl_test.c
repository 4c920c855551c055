/* "The same SPIR-V also loads through the OpenCL backend where the device accepts IL": every image
 * embedded in the level_zero plugin is loaded with accel_module_load(ACCEL_MODULE_SPIRV) on each
 * OpenCL device that declares SPIR-V. Exits 77 (ctest SKIP) with the reason when there is none, as
 * with PoCL 3.1, which accepts no IL. */
#include <stdio.h>
#include <string.h>

#include "accel/accel.h"
#include "ze_kernel_images.h"

#define SKIP 77

int main(void) {
    accel_runtime_options opts;
    memset(&opts, 0, sizeof opts);
    opts.struct_size = sizeof opts;
    opts.backends = "opencl";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(&opts, &rt) != ACCEL_OK) {
        fprintf(stderr, "FAIL: accel_runtime_open: %s\n", accel_last_error());
        return 1;
    }
    int count = 0;
    if (accel_runtime_backend_device_count(rt, "opencl", &count) != ACCEL_OK || count == 0) {
        const accel_backend_report *list = NULL;
        size_t n = 0;
        accel_runtime_backends(rt, &list, &n);
        const char *why = "the opencl plugin was not found";
        for (size_t i = 0; i < n; i++)
            if (strcmp(list[i].name, "opencl") == 0) why = list[i].reason;
        printf("SKIP: no OpenCL device (%s)\n", why);
        accel_runtime_close(rt);
        return SKIP;
    }
    if (accel_ze_kernel_image_count == 0) {
        printf("SKIP: no embedded SPIR-V images (%s)\n", accel_ze_kernel_toolchain_note);
        accel_runtime_close(rt);
        return SKIP;
    }
    int tested = 0, failures = 0;
    char skipped[512] = "";
    for (int d = 0; d < count; d++) {
        char id[32];
        snprintf(id, sizeof id, "opencl:%d", d);
        accel_device *dev = NULL;
        if (accel_device_open(rt, id, &dev) != ACCEL_OK) {
            fprintf(stderr, "FAIL: %s: %s\n", id, accel_last_error());
            failures++;
            continue;
        }
        accel_device_info info;
        memset(&info, 0, sizeof info);
        info.struct_size = sizeof info;
        accel_device_info_get(dev, &info);
        if (!(info.module_formats & (1u << ACCEL_MODULE_SPIRV))) {
            size_t used = strlen(skipped);
            snprintf(skipped + used, sizeof skipped - used, "%s%s '%s' (%s) declares no SPIR-V IL",
                     used ? "; " : "", id, info.name, info.driver_version);
            accel_device_close(dev);
            continue;
        }
        tested++;
        for (size_t i = 0; i < accel_ze_kernel_image_count; i++) {
            const accel_ze_kernel_image *img = &accel_ze_kernel_images[i];
            if (img->spirv_size == 0) {
                fprintf(stderr, "FAIL: %s: no SPIR-V was built: %s\n", img->name, img->build_error);
                failures++;
                continue;
            }
            accel_module *m = NULL;
            if (accel_module_load(dev, ACCEL_MODULE_SPIRV, img->spirv, img->spirv_size, NULL, &m) !=
                ACCEL_OK) {
                fprintf(stderr, "FAIL: %s on %s: %s\n", img->name, id, accel_last_error());
                failures++;
                continue;
            }
            printf("%s: %s loaded (%zu bytes)\n", id, img->name, img->spirv_size);
            accel_module_unload(m);
        }
        accel_device_close(dev);
    }
    accel_runtime_close(rt);
    if (tested == 0) {
        printf("SKIP: no OpenCL device accepts SPIR-V: %s\n", skipped);
        return SKIP;
    }
    return failures ? 1 : 0;
}
