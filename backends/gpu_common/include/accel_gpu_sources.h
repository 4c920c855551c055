/* The accel GPU kernel sources (backends/gpu_common/kernels), embedded at build time by
 * accel_gpu_embed_sources() so plugins compile them with NVRTC/hipRTC without reading files. */
#ifndef ACCEL_GPU_SOURCES_H
#define ACCEL_GPU_SOURCES_H

#include <stddef.h>
#include <string.h>

typedef struct accel_gpu_source {
    const char *name; /* file name: "layernorm.cu", "accel_gpu_port.h" */
    const char *text; /* NUL-terminated */
} accel_gpu_source;

extern const accel_gpu_source accel_gpu_kernel_sources[];  /* *.cu */
extern const size_t accel_gpu_kernel_source_count;
extern const accel_gpu_source accel_gpu_kernel_headers[];  /* *.h, included by name */
extern const size_t accel_gpu_kernel_header_count;

static inline const accel_gpu_source *accel_gpu_kernel_source_find(const char *name) {
    for (size_t i = 0; i < accel_gpu_kernel_source_count; ++i)
        if (strcmp(accel_gpu_kernel_sources[i].name, name) == 0) return &accel_gpu_kernel_sources[i];
    return NULL;
}

#endif
