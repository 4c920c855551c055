/* How fast this CPU's bf16 dot product runs against its fp32 FMA, measured rather than looked up:
 * the flags do not tell. A Sapphire Rapids-class Xeon without AMX issues vdpbf16ps once per cycle
 * against two fp32 FMAs (the same flops), where other AVX512_BF16 cores may retire it faster than
 * fp32. The peak table (cpu_peak.c) and the cpu backend's choice of bf16 kernels both read it. */
#define _POSIX_C_SOURCE 200809L
#include "accel_common/cpu_peak.h"

#include <time.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

enum { CHAINS = 16, ITERS = 100000, REPS = 5 };

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* CHAINS independent accumulators cover the instruction's latency on two pipes, so the loop is
 * throughput-bound; the sum leaves through a volatile so nothing is dropped. */
__attribute__((target("avx512f"))) static double fp32_fma_ns(volatile float *sink) {
    __m512 acc[CHAINS];
    const __m512 a = _mm512_set1_ps(1.0001f), b = _mm512_set1_ps(0.9999f);
    for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_set1_ps((float)c);
    const double t0 = now_ns();
    for (int i = 0; i < ITERS; ++i) {
        /* Unrolled, so the accumulators live in registers, not on the stack. */
#pragma GCC unroll 16
        for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_fmadd_ps(a, acc[c], b);
    }
    const double t = now_ns() - t0;
    __m512 s = acc[0];
    for (int c = 1; c < CHAINS; ++c) s = _mm512_add_ps(s, acc[c]);
    *sink = _mm512_reduce_add_ps(s);
    return t;
}

__attribute__((target("avx512f,avx512bf16"))) static double bf16_dot_ns(volatile float *sink) {
    __m512 acc[CHAINS];
    const __m512i one = _mm512_set1_epi32(0x3f803f80); /* a pair of bf16 1.0 */
    const __m512bh a = (__m512bh)one, b = (__m512bh)one;
    for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_set1_ps((float)c);
    const double t0 = now_ns();
    for (int i = 0; i < ITERS; ++i) {
#pragma GCC unroll 16
        for (int c = 0; c < CHAINS; ++c) acc[c] = _mm512_dpbf16_ps(acc[c], a, b);
    }
    const double t = now_ns() - t0;
    __m512 s = acc[0];
    for (int c = 1; c < CHAINS; ++c) s = _mm512_add_ps(s, acc[c]);
    *sink = _mm512_reduce_add_ps(s);
    return t;
}

double accel_cpu_bf16_dot_rate_vs_fp32(void) {
    const accel_cpu_features f = accel_cpu_features_detect();
    if (!f.avx512f || !f.avx512_bf16) return 0.0;
    volatile float sink = 0.0f;
    /* The best of a few alternated tries: a preempted try only makes one side look slower. */
    double fma_best = 0.0, dot_best = 0.0;
    for (int r = 0; r < REPS; ++r) {
        const double f32 = fp32_fma_ns(&sink), d = bf16_dot_ns(&sink);
        if (r == 0 || f32 < fma_best) fma_best = f32;
        if (r == 0 || d < dot_best) dot_best = d;
    }
    if (fma_best <= 0.0 || dot_best <= 0.0) return 0.0;
    /* One vdpbf16ps is 32 multiply-adds, one fp32 FMA 16. */
    return (32.0 / dot_best) / (16.0 / fma_best);
}
#else
double accel_cpu_bf16_dot_rate_vs_fp32(void) { return 0.0; }
#endif
