#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_quantile_sorted(const double *sorted, size_t n, double p)
{
    if (n == 1)
        return sorted[0];
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)lo;
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int bench_median_ci_ranks(size_t n, size_t *lo, size_t *hi)
{
    if (n < 6)
        return -1;
    /* 1.96 * sqrt(n) / 2: half-width of the binomial(n, 1/2) rank interval. */
    double half = 0.98 * sqrt((double)n);
    double l = floor((double)n / 2.0 - half);
    double h = ceil((double)n / 2.0 + half);
    /* 1-based ranks l..h+1 -> 0-based l-1..h, clamped. */
    *lo = l < 1.0 ? 0 : (size_t)l - 1;
    *hi = h >= (double)n ? n - 1 : (size_t)h;
    return 0;
}

int bench_stats_compute(const double *samples, size_t n, bench_stats *s)
{
    memset(s, 0, sizeof *s);
    if (n == 0)
        return -1;
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return -1;
    memcpy(sorted, samples, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, compare_double);
    s->n = n;
    s->min = sorted[0];
    s->max = sorted[n - 1];
    s->median = bench_quantile_sorted(sorted, n, 0.5);
    s->p5 = bench_quantile_sorted(sorted, n, 0.05);
    s->p95 = bench_quantile_sorted(sorted, n, 0.95);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += sorted[i];
    s->mean = sum / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (sorted[i] - s->mean) * (sorted[i] - s->mean);
    s->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    s->cov = s->mean > 0 ? s->stddev / s->mean : 0.0;
    size_t lo, hi;
    if (bench_median_ci_ranks(n, &lo, &hi) == 0) {
        s->ci_valid = 1;
        s->ci_low = sorted[lo];
        s->ci_high = sorted[hi];
        s->ci_rel_halfwidth = s->median > 0 ? (s->ci_high - s->ci_low) / 2.0 / s->median : INFINITY;
    } else {
        s->ci_rel_halfwidth = INFINITY;
    }
    free(sorted);
    return 0;
}
