/* The accel GPU kernel sources (backends/gpu_common/kernels), embedded at build time by
 * accel_gpu_embed_sources() (backends/common/cmake/accel_embed.cmake) so plugins compile them with
 * NVRTC/hipRTC without reading files. */
#ifndef ACCEL_GPU_SOURCES_H
#define ACCEL_GPU_SOURCES_H

#include <stddef.h>

#include "accel_common/embedded.h"

typedef accel_embedded_file accel_gpu_source; /* name: "layernorm.cu", "accel_gpu_port.h" */

extern const accel_gpu_source accel_gpu_kernel_sources[];  /* *.cu */
extern const size_t accel_gpu_kernel_source_count;
extern const accel_gpu_source accel_gpu_kernel_headers[];  /* *.h, included by name */
extern const size_t accel_gpu_kernel_header_count;

static inline const accel_gpu_source *accel_gpu_kernel_source_find(const char *name) {
    return accel_embedded_find(accel_gpu_kernel_sources, accel_gpu_kernel_source_count, name);
}

#endif
