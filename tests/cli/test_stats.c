/* Statistics on known vectors, and the median's order-statistic confidence interval. */
#include "cli_check.h"
#include "stats.h"

int main(void)
{
    /* 1..10 shuffled: median 5.5, p5 = 1 + 0.45, p95 = 9.55, sample stddev sqrt(55/6). */
    double v[10] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
    bench_stats s;
    CHECK(bench_stats_compute(v, 10, &s) == 0);
    CHECK_NEAR(s.median, 5.5, 1e-12);
    CHECK_NEAR(s.min, 1, 0);
    CHECK_NEAR(s.max, 10, 0);
    CHECK_NEAR(s.mean, 5.5, 1e-12);
    CHECK_NEAR(s.p5, 1.45, 1e-12);
    CHECK_NEAR(s.p95, 9.55, 1e-12);
    CHECK_NEAR(s.stddev, sqrt(55.0 / 6.0), 1e-12);
    CHECK_NEAR(s.cov, sqrt(55.0 / 6.0) / 5.5, 1e-12);
    CHECK(v[0] == 7 && v[9] == 6); /* input untouched */

    /* Odd count: the middle element. */
    double odd[5] = {3, 1, 2, 5, 4};
    CHECK(bench_stats_compute(odd, 5, &s) == 0);
    CHECK_NEAR(s.median, 3, 0);
    CHECK(!s.ci_valid); /* too few samples for a 95% CI of the median */
    CHECK(isinf(s.ci_rel_halfwidth));

    double one = 2.5;
    CHECK(bench_stats_compute(&one, 1, &s) == 0);
    CHECK_NEAR(s.median, 2.5, 0);
    CHECK_NEAR(s.stddev, 0, 0);
    CHECK(bench_stats_compute(&one, 0, &s) == -1);

    /* CI ranks: n = 100 -> 1-based ranks 40 and 61 (0-based 39 and 60), the textbook values. */
    size_t lo, hi;
    CHECK(bench_median_ci_ranks(100, &lo, &hi) == 0);
    CHECK(lo == 39 && hi == 60);
    CHECK(bench_median_ci_ranks(5, &lo, &hi) == -1);
    CHECK(bench_median_ci_ranks(6, &lo, &hi) == 0);
    CHECK(lo == 0 && hi == 5);
    /* n = 200 -> floor(100 - 13.86) = 86 -> 0-based 85; ceil(113.86) = 114. */
    CHECK(bench_median_ci_ranks(200, &lo, &hi) == 0);
    CHECK(lo == 85 && hi == 114);

    /* 100 samples 1..100: CI = [40, 61], half-width 10.5 around median 50.5. */
    double h[100];
    for (int i = 0; i < 100; i++)
        h[i] = 100 - i;
    CHECK(bench_stats_compute(h, 100, &s) == 0);
    CHECK(s.ci_valid);
    CHECK_NEAR(s.ci_low, 40, 0);
    CHECK_NEAR(s.ci_high, 61, 0);
    CHECK_NEAR(s.ci_rel_halfwidth, 10.5 / 50.5, 1e-12);

    /* Identical samples: zero spread, CI width 0. */
    double flat[20];
    for (int i = 0; i < 20; i++)
        flat[i] = 4.0;
    CHECK(bench_stats_compute(flat, 20, &s) == 0);
    CHECK_NEAR(s.ci_rel_halfwidth, 0, 0);
    CHECK_NEAR(s.cov, 0, 0);
    CHECK_DONE();
}
