/* The SPIR-V images compiled from OpenCL C at build time (cmake/ze_spirv_kernels.cmake), embedded
 * by backends/common/cmake/accel_embed.cmake: the fields are accel_embedded_file's, in its order. */
#ifndef ACCEL_ZE_KERNEL_IMAGES_H
#define ACCEL_ZE_KERNEL_IMAGES_H

#include <stddef.h>

typedef struct accel_ze_kernel_image {
    const char *name;        /* file stem: "gemm" (backends/kernels_cl/kernels), "ze_fill" (our own) */
    const char *source_path; /* the .cl it came from, for messages */
    const unsigned char *spirv;
    size_t spirv_size;       /* 0 when the build could not compile it */
    const char *build_error; /* the compiler's message when spirv_size is 0, else "" */
} accel_ze_kernel_image;

extern const accel_ze_kernel_image accel_ze_kernel_images[];
extern const size_t accel_ze_kernel_image_count;
/* Non-empty when the build had no SPIR-V toolchain at all. */
extern const char accel_ze_kernel_toolchain_note[];

/* The image built from <name>.cl, or NULL. */
const accel_ze_kernel_image *accel_ze_kernel_image_find(const char *name);

#endif
