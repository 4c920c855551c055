/* How fast this CPU's bf16 dot product runs against its fp32 FMA, measured rather than looked up:
 * the flags do not tell. A Sapphire Rapids-class Xeon without AMX issues vdpbf16ps once per cycle
 * against two fp32 FMAs (the same flops), where other AVX512_BF16 cores may retire it faster than
 * fp32; oneDNN 2.6's bf16 kernels then only pay off in the second case. */
#define _POSIX_C_SOURCE 200809L
#include "cpu_bf16_rate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cpu_internal.h"
#include "cpu_isa.h"

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

double cpu_bf16_dot_rate_vs_fp32(void) {
    const cpu_isa isa = cpu_isa_detect();
    if (!isa.avx512f || !isa.avx512_bf16) return 0.0;
    volatile float sink = 0.0f;
    /* The best of a few alternated tries: a preempted try only makes one side look slower. */
    double fma_best = 0.0, dot_best = 0.0;
    for (int r = 0; r < REPS; ++r) {
        const double f = fp32_fma_ns(&sink), d = bf16_dot_ns(&sink);
        if (r == 0 || f < fma_best) fma_best = f;
        if (r == 0 || d < dot_best) dot_best = d;
    }
    if (fma_best <= 0.0 || dot_best <= 0.0) return 0.0;
    /* One vdpbf16ps is 32 multiply-adds, one fp32 FMA 16. */
    return (32.0 / dot_best) / (16.0 / fma_best);
}
#else
double cpu_bf16_dot_rate_vs_fp32(void) { return 0.0; }
#endif

/* 1.5: below it the bf16 kernels' savings in memory traffic have not paid for the widening of A and
 * the narrowing of D in the measured layers (a ratio of 0.5 here: oneDNN 2.6's bf16 convolution
 * ran at 0.6x of its fp32 one, the bf16 matmul likewise); AMX is another unit altogether. */
int cpu_bf16_prefers_f32(const cpu_context *ctx) {
    if (cpu_isa_detect().amx_bf16) return 0;
    return ctx->bf16_dot_vs_fp32 < 1.5;
}

/* The table's bf16 figure assumes the dot product issues as often as the FMA; where it was measured
 * slower, bf16 rows run on fp32 kernels and nothing bf16 can beat the higher of the fp32 roof and
 * the measured dot rate (with a quarter's margin for a measurement taken on a busy core). AMX is
 * not measured, so its figure stays. */
void cpu_bf16_cap_peak(cpu_context *ctx) {
    if (ctx->bf16_dot_vs_fp32 <= 0.0 || cpu_isa_detect().amx_bf16) return;
    double *t = ctx->peak.tflops;
    const double dot = 1.25 * ctx->bf16_dot_vs_fp32;
    const double cap = t[ACCEL_COMPUTE_F32] * (dot > 1.0 ? dot : 1.0);
    if (t[ACCEL_COMPUTE_BF16] <= cap) return;
    t[ACCEL_COMPUTE_BF16] = cap;
    ctx->bf16_peak_capped = 1;
    /* The source names FLOP/cycle per dtype (cpu_peak.c's format): its bf16 figure follows. */
    int cores = 0, end = 0;
    double ghz = 0, f32 = 0, bf16 = 0, f16 = 0;
    char *src = ctx->peak.source;
    if (sscanf(src, "theoretical:%dc*%lfGHz*%lf|%lf|%lf f32|bf16|f16/cyc%n", &cores, &ghz, &f32, &bf16, &f16, &end) == 5 &&
        end > 0) {
        char out[512];
        const int n = snprintf(out, sizeof out, "theoretical:%dc*%.2fGHz*%g|%g|%g f32|bf16|f16/cyc%s", cores, ghz, f32,
                               f32 * (dot > 1.0 ? dot : 1.0), f16, src + end);
        if (n > 0 && (size_t)n < sizeof ctx->peak.source) memcpy(src, out, (size_t)n + 1);
    }
}
