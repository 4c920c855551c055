/* The shared GPU kernel sources (backends/gpu_common/kernels) embedded at build time
 * (cmake/hip_embed_kernels.cmake). */
#ifndef ACCEL_HIP_KERNEL_SOURCES_H
#define ACCEL_HIP_KERNEL_SOURCES_H

#include <stddef.h>

#include "accel_common/embedded.h"

typedef accel_embedded_file hip_source; /* name: "gemm.cu", "accel_gpu_port.h", "hip/hip_fp16.h" */

extern const hip_source hip_kernel_sources[]; /* *.cu, one hiprtc program each */
extern const size_t hip_kernel_sources_count;
extern const hip_source hip_kernel_headers[]; /* *.h, passed to hiprtc as include names */
extern const size_t hip_kernel_headers_count;
/* backends/hip/kernels/hiprtc5: stand-ins for hip/hip_fp16.h and hip/hip_bf16.h that hiprtc of
 * ROCm 5.x lacks or cannot compile; offered to hiprtc < 6 only. */
extern const hip_source hip_rtc5_compat_headers[];
extern const size_t hip_rtc5_compat_headers_count;

/* The embedded source of that name, or NULL. */
const hip_source *hip_kernel_source_find(const char *name);

#endif
