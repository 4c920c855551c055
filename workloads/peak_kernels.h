/* FMA-chain kernels for the peak workload, one per module format we can write. */
#ifndef WL_PEAK_KERNELS_H
#define WL_PEAK_KERNELS_H

#include "accel/cpu_kernel.h"
#include "accel_common/embedded.h"

#define WL_PEAK_KERNEL_NAME "accel_peak_fma_fp32"
/* Floats of independent FMA state per CPU work-group (chains x lanes): fixed whatever the SIMD
 * width picked at run time, so the FLOP count is known before the run. */
#define WL_PEAK_CPU_STATE 128
/* Independent chains per GPU work-item. */
#define WL_PEAK_GPU_CHAINS 8

/* Every chain runs x = x * a + b from a small start; with a = 0.5, b = 0.25 it reaches the fixed
 * point 0.5 exactly within ~30 steps and stays, so each output is known exactly. */
#define WL_PEAK_A 0.5f
#define WL_PEAK_B 0.25f

const accel_cpu_module_image *wl_peak_cpu_module(void);
/* Which SIMD variant the CPU kernel runs on this machine ("avx512f", "avx2+fma", "generic"). */
const char *wl_peak_cpu_variant(void);
extern const char wl_peak_opencl_source[];
/* kernels/peak_fma.cu, embedded at build time: one entry. */
extern const accel_embedded_file wl_peak_gpu_c_sources[];

#endif
