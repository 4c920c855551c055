#include "ze_kernel_images.h"

#include <string.h>

const accel_ze_kernel_image *accel_ze_kernel_image_find(const char *name) {
    for (size_t i = 0; i < accel_ze_kernel_image_count; i++)
        if (strcmp(accel_ze_kernel_images[i].name, name) == 0) return &accel_ze_kernel_images[i];
    return NULL;
}
