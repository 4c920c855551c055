/* Register-blocked micro-kernels: C[MR x NR] (+)= A_panel[kc x MR]^T * B_panel[kc x NR], both panels
 * packed fp32. Compiled per ISA with target attributes so one binary runs on any x86-64. */
#include <immintrin.h>

#include "cpu_gemm_kernels.h"
#include "cpu_isa.h"

__attribute__((target("avx512f,fma"))) static void kernel_avx512_8x32(int64_t kc, const float *a,
                                                                    const float *b, float *c,
                                                                    int64_t ldc, int accumulate) {
    __m512 acc[8][2];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int64_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_loadu_ps(b + p * 32), b1 = _mm512_loadu_ps(b + p * 32 + 16);
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            __m512 ai = _mm512_set1_ps(a[p * 8 + i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) {
        float *ci = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_loadu_ps(ci));
            acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_loadu_ps(ci + 16));
        }
        _mm512_storeu_ps(ci, acc[i][0]);
        _mm512_storeu_ps(ci + 16, acc[i][1]);
    }
}

__attribute__((target("avx2,fma"))) static void kernel_avx2_6x16(int64_t kc, const float *a,
                                                                const float *b, float *c,
                                                                int64_t ldc, int accumulate) {
    __m256 acc[6][2];
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < kc; p++) {
        __m256 b0 = _mm256_loadu_ps(b + p * 16), b1 = _mm256_loadu_ps(b + p * 16 + 8);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            __m256 ai = _mm256_broadcast_ss(a + p * 6 + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
    }
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
        float *ci = c + i * ldc;
        if (accumulate) {
            acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_loadu_ps(ci));
            acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_loadu_ps(ci + 8));
        }
        _mm256_storeu_ps(ci, acc[i][0]);
        _mm256_storeu_ps(ci + 8, acc[i][1]);
    }
}

/* Portable: the compiler vectorises the j loop with whatever SSE the baseline allows. */
static void kernel_generic_4x16(int64_t kc, const float *a, const float *b, float *c, int64_t ldc,
                                int accumulate) {
    float acc[4][16] = {{0}};
    for (int64_t p = 0; p < kc; p++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 16; j++) acc[i][j] += a[p * 4 + i] * b[p * 16 + j];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 16; j++) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

cpu_gemm_kernel cpu_gemm_kernel_select(void) {
    cpu_isa isa = cpu_isa_detect();
    if (isa.avx512f && isa.fma) return (cpu_gemm_kernel){8, 32, kernel_avx512_8x32, "avx512 8x32"};
    if (isa.avx2 && isa.fma) return (cpu_gemm_kernel){6, 16, kernel_avx2_6x16, "avx2 6x16"};
    return (cpu_gemm_kernel){4, 16, kernel_generic_4x16, "generic 4x16"};
}
