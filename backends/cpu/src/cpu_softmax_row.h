/* The core of every softmax here (the softmax op and fused attention): max-shifted exponentials
 * of one row in place, fp32. */
#ifndef ACCEL_CPU_SOFTMAX_ROW_H
#define ACCEL_CPU_SOFTMAX_ROW_H

#include <math.h>
#include <stdint.h>

#include "cpu_activation.h"

/* e[j] = exp(e[j] - max_j e[j]); returns their sum (>= 1 for any row with a finite entry).
 * cpu_exp_v (branch-free polynomial, relative error ~1e-7 like expf) instead of libm's expf, which
 * is a call per element (it was 4-6% of a BERT-large layer's profile); `omp simd` reductions let
 * the max and the sum vectorise. Cloned per ISA as eltwise_span is. cpu_exp_v clamps at -87
 * (exp ~1.6e-38, just above FLT_MIN): entries further below the max (masked keys, -inf) are set to
 * exactly 0, as expf gives, since the clamped value scaled by 1/sum would be a subnormal, and
 * subnormal P slowed the P V GEMM after it 40x. */
__attribute__((target_clones("avx512f", "avx2", "default"))) static float cpu_softmax_exp_row(float *e,
                                                                                               int64_t n) {
    float mx = -INFINITY;
#pragma omp simd reduction(max : mx)
    for (int64_t j = 0; j < n; j++) mx = e[j] > mx ? e[j] : mx;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; j++) {
        const float d = e[j] - mx, v = cpu_exp_v(d);
        e[j] = d < -87.0f ? 0.0f : v;
        sum += e[j];
    }
    return sum;
}

/* y[j] = e[j] * inv, results below FLT_MIN flushed to 0: an exponential near the cutoff above,
 * scaled by 1/sum, would be subnormal (and slow every product that reads it). */
__attribute__((target_clones("avx512f", "avx2", "default"))) static void cpu_softmax_scale_row(float *y,
                                                                                                const float *e,
                                                                                                float inv,
                                                                                                int64_t n) {
#pragma omp simd
    for (int64_t j = 0; j < n; j++) {
        const float v = e[j] * inv;
        y[j] = v < 1.17549435e-38f ? 0.0f : v;
    }
}

#endif
