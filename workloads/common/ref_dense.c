/* fp64 dense kernels for whole-layer references. Loop order keeps the inner loop contiguous so a
 * BERT-base sequence checks in about a second. */
#include "wl_common.h"

#include <stdlib.h>
#include <string.h>

void wl_dgemm(int64_t m, int64_t n, int64_t k, const double *a, int trans_a, const double *b,
              int trans_b, double *c) {
    /* c (m x n) = op(a) op(b); a is m x k (k x m if trans_a), b is k x n (n x k if trans_b). */
    memset(c, 0, (size_t)(m * n) * sizeof *c);
    if (trans_b) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double acc = 0.0;
                const double *bj = b + j * k;
                if (trans_a) {
                    for (int64_t p = 0; p < k; p++)
                        acc += a[p * m + i] * bj[p];
                } else {
                    const double *ai = a + i * k;
                    for (int64_t p = 0; p < k; p++)
                        acc += ai[p] * bj[p];
                }
                c[i * n + j] = acc;
            }
        return;
    }
    for (int64_t i = 0; i < m; i++) {
        double *ci = c + i * n;
        for (int64_t p = 0; p < k; p++) {
            double av = trans_a ? a[p * m + i] : a[i * k + p];
            const double *bp = b + p * n;
            for (int64_t j = 0; j < n; j++)
                ci[j] += av * bp[j];
        }
    }
}

double *wl_to_double(accel_dtype t, const void *src, int64_t count) {
    double *d = malloc((size_t)(count > 0 ? count : 1) * sizeof *d);
    if (!d)
        return NULL;
    for (int64_t i = 0; i < count; i++)
        d[i] = accel_ref_load(t, src, i);
    return d;
}
