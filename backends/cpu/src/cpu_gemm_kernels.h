#ifndef ACCEL_CPU_GEMM_KERNELS_H
#define ACCEL_CPU_GEMM_KERNELS_H

#include <stdint.h>

/* Panels are fp32 (kc floats per row/column), or for bf16_pairs kernels bf16 with k interleaved in
 * pairs (element (p, j) of a B panel at ((p / 2) * nr + j) * 2 + p % 2; kc rounded up to even). */
typedef void (*cpu_gemm_kernel_fn)(int64_t kc, const void *a, const void *b, float *c, int64_t ldc,
                                   int accumulate);

typedef struct cpu_gemm_kernel {
    int mr, nr;
    int bf16_pairs;
    cpu_gemm_kernel_fn fn;
    const char *name;
} cpu_gemm_kernel;

/* The fp32 kernel for this CPU; with want_bf16_pairs, the AVX512_BF16 dot-product kernel when the
 * CPU has it (else the fp32 one). */
cpu_gemm_kernel cpu_gemm_kernel_select(int want_bf16_pairs);

#endif
