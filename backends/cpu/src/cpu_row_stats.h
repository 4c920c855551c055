/* Mean and reciprocal standard deviation of one fp32 row: the statistics layernorm's forward and
 * backward share. `omp simd` reductions: a serial float sum is a chain of dependent adds the
 * compiler may not reorder, which kept these rows scalar. */
#ifndef ACCEL_CPU_ROW_STATS_H
#define ACCEL_CPU_ROW_STATS_H

#include <math.h>
#include <stdint.h>

static inline void cpu_row_mean_rstd(const float *x, int64_t n, float inv_n, float eps, float *mean,
                                     float *rstd) {
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t j = 0; j < n; j++) sum += x[j];
    const float m = sum * inv_n;
    float sq = 0.0f;
#pragma omp simd reduction(+ : sq)
    for (int64_t j = 0; j < n; j++) sq += (x[j] - m) * (x[j] - m);
    *mean = m;
    *rstd = 1.0f / sqrtf(sq * inv_n + eps);
}

#endif
