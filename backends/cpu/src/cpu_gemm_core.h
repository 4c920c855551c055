/* Our own GEMM engine ("accel" library): Goto/BLIS blocking, operands packed into fp32 panels
 * (converting bf16/f16 on the way), register-blocked micro-kernels for AVX-512, AVX2+FMA or plain C
 * picked at run time. Fully strided, so transposes, leading dimensions and convolution layouts are
 * all just strides. Used by the GEMM and conv2d plans. */
#ifndef ACCEL_CPU_GEMM_CORE_H
#define ACCEL_CPU_GEMM_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "accel/ops.h"

typedef struct cpu_gemm_problem {
    accel_dtype a_type, b_type, c_type, d_type, bias_type;
    int64_t m, n, k, batch;
    /* element strides: A(i, p) = A[i * a_rs + p * a_cs], likewise B(p, j), C(i, j), D(i, j) */
    int64_t a_rs, a_cs, b_rs, b_cs, c_rs, c_cs, d_rs, d_cs;
    int64_t a_bs, b_bs, c_bs, d_bs, bias_bs; /* between batch entries */
    float alpha, beta;
    uint32_t epilogue;  /* ACCEL_EPILOGUE_BIAS | activation; RESIDUAL is beta * C */
    int bias_per_row;   /* bias indexed by i instead of j (NCHW conv computes Y^T) */
} cpu_gemm_problem;

/* Threads the engine will use and the scratch it needs for them. */
size_t cpu_gemm_workspace_bytes(const cpu_gemm_problem *p, int threads);
/* Name of the micro-kernel chosen for this problem on this CPU ("avx512 8x32"). */
const char *cpu_gemm_kernel_name(const cpu_gemm_problem *p);
void cpu_gemm_run(const cpu_gemm_problem *p, const void *A, const void *B, const void *C,
                  const void *bias, void *D, void *workspace, int threads);

#endif
