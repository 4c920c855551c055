#include "ze_kernel_images.h"

#include <string.h>

/* Set by the build (cmake/ze_spirv_kernels.cmake). */
const char accel_ze_kernel_toolchain_note[] = ACCEL_ZE_TOOLCHAIN_NOTE;

const accel_ze_kernel_image *accel_ze_kernel_image_find(const char *name) {
    for (size_t i = 0; i < accel_ze_kernel_image_count; i++)
        if (strcmp(accel_ze_kernel_images[i].name, name) == 0) return &accel_ze_kernel_images[i];
    return NULL;
}
