/* Summary statistics of timing samples (milliseconds). Pure functions. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

typedef struct bench_stats {
    size_t n;
    double median, min, max, mean, p5, p95, stddev, cov;
    /* Distribution-free 95% confidence interval of the median from order statistics;
     * ci_valid = 0 when n is too small (< 6) for one to exist. */
    int ci_valid;
    double ci_low, ci_high;
    double ci_rel_halfwidth; /* (ci_high - ci_low) / 2 / median; +inf when !ci_valid */
} bench_stats;

/* Linear-interpolation quantile (type 7: h = (n-1)p) of sorted[0..n). n >= 1, 0 <= p <= 1. */
double bench_quantile_sorted(const double *sorted, size_t n, double p);

/* Order-statistic ranks (0-based, inclusive) bounding the median at ~95% confidence:
 * lo = floor(n/2 - 0.98 sqrt(n)), hi = ceil(n/2 + 0.98 sqrt(n)) (normal approximation to the
 * binomial(n, 1/2)). Returns 0 and sets lo/hi, or -1 when n < 6. */
int bench_median_ci_ranks(size_t n, size_t *lo, size_t *hi);

/* Fills s from samples (not modified; n >= 1). Returns 0, or -1 when n == 0. */
int bench_stats_compute(const double *samples, size_t n, bench_stats *s);

#endif
