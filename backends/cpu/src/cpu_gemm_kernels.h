#ifndef ACCEL_CPU_GEMM_KERNELS_H
#define ACCEL_CPU_GEMM_KERNELS_H

#include <stdint.h>

typedef void (*cpu_gemm_kernel_fn)(int64_t kc, const float *a, const float *b, float *c,
                                   int64_t ldc, int accumulate);

typedef struct cpu_gemm_kernel {
    int mr, nr;
    cpu_gemm_kernel_fn fn;
    const char *name;
} cpu_gemm_kernel;

cpu_gemm_kernel cpu_gemm_kernel_select(void);

#endif
