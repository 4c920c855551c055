/* The core of every softmax here (the softmax op and fused attention): max-shifted exponentials
 * of one row in place, fp32. */
#ifndef ACCEL_CPU_SOFTMAX_ROW_H
#define ACCEL_CPU_SOFTMAX_ROW_H

#include <math.h>
#include <stdint.h>

/* e[j] = exp(e[j] - max_j e[j]); returns their sum (>= 1 for any row with a finite entry). */
static inline float cpu_softmax_exp_row(float *e, int64_t n) {
    float mx = -INFINITY;
    for (int64_t j = 0; j < n; j++) mx = e[j] > mx ? e[j] : mx;
    float sum = 0.0f;
    for (int64_t j = 0; j < n; j++) {
        e[j] = expf(e[j] - mx);
        sum += e[j];
    }
    return sum;
}

#endif
