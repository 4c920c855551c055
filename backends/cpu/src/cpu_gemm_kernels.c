/* Register-blocked micro-kernels: C[MR x NR] (+)= A_panel[kc x MR]^T * B_panel[kc x NR], both panels
 * packed fp32. Compiled per ISA with target attributes so one binary runs on any x86-64. */
#include <immintrin.h>

#include "cpu_gemm_kernels.h"
#include "cpu_isa.h"

__attribute__((target("avx512f,fma"))) static void kernel_avx512_8x32(int64_t kc, const void *va,
                                                                    const void *vb, float *c,
                                                                    int64_t ldc, int accumulate) {
    const float *a = va, *b = vb;
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

__attribute__((target("avx2,fma"))) static void kernel_avx2_6x16(int64_t kc, const void *va,
                                                                const void *vb, float *c,
                                                                int64_t ldc, int accumulate) {
    const float *a = va, *b = vb;
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
static void kernel_generic_4x16(int64_t kc, const void *va, const void *vb, float *c, int64_t ldc,
                                int accumulate) {
    const float *a = va, *b = vb;
    float acc[4][16] = {{0}};
    for (int64_t p = 0; p < kc; p++)
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 16; j++) acc[i][j] += a[p * 4 + i] * b[p * 16 + j];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 16; j++) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.0f) + acc[i][j];
}

#ifdef ACCEL_CPU_HAVE_AVX512BF16_INTRINSICS
/* bf16 pairs: each 32-bit lane of A's broadcast and B's vector holds (k, k+1); vdpbf16ps adds both
 * products into the fp32 accumulator: twice the multiply-adds per instruction of fp32 FMA. */
__attribute__((target("avx512f,avx512bf16"))) static void kernel_avx512bf16_8x32(
    int64_t kc, const void *va, const void *vb, float *c, int64_t ldc, int accumulate) {
    const uint32_t *a = va;  /* [kc/2][8] pairs */
    const uint16_t *b = vb;  /* [kc/2][32][2] */
    __m512 acc[8][2];
#pragma GCC unroll 8
    for (int i = 0; i < 8; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    const int64_t pairs = (kc + 1) / 2;
    for (int64_t q = 0; q < pairs; q++) {
        __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + q * 64);
        __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + q * 64 + 32);
#pragma GCC unroll 8
        for (int i = 0; i < 8; i++) {
            __m512bh ai = (__m512bh)_mm512_set1_epi32((int)a[q * 8 + i]);
            acc[i][0] = _mm512_dpbf16_ps(acc[i][0], ai, b0);
            acc[i][1] = _mm512_dpbf16_ps(acc[i][1], ai, b1);
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

#endif

cpu_gemm_kernel cpu_gemm_kernel_select(int want_bf16_pairs) {
    cpu_isa isa = cpu_isa_detect();
#ifdef ACCEL_CPU_HAVE_AVX512BF16_INTRINSICS
    if (want_bf16_pairs && isa.avx512_bf16)
        return (cpu_gemm_kernel){8, 32, 1, kernel_avx512bf16_8x32, "avx512_bf16 dot 8x32"};
#else
    (void)want_bf16_pairs; /* compiler without AVX512_BF16 intrinsics: bf16 runs on fp32 panels */
#endif
    if (isa.avx512f && isa.fma) return (cpu_gemm_kernel){8, 32, 0, kernel_avx512_8x32, "avx512 8x32"};
    if (isa.avx2 && isa.fma) return (cpu_gemm_kernel){6, 16, 0, kernel_avx2_6x16, "avx2 6x16"};
    return (cpu_gemm_kernel){4, 16, 0, kernel_generic_4x16, "generic 4x16"};
}
