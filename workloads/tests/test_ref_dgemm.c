/* wl_dgemm (the blocked, threaded fp64 GEMM of the layer references) against the plain triple loop:
 * every transpose combination, shapes off the tile and panel sizes, shapes that split rows and
 * shapes that split columns across threads, and depths past one packed panel. */
#include "common/wl_common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double naive_at(int64_t m, int64_t n, int64_t k, const double *a, int ta, const double *b, int tb, int64_t i,
                       int64_t j) {
    double s = 0;
    for (int64_t p = 0; p < k; p++) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
    return s;
}

static int check(int64_t m, int64_t n, int64_t k, int ta, int tb) {
    double *a = malloc(sizeof(double) * (size_t)(m * k)), *b = malloc(sizeof(double) * (size_t)(k * n));
    double *c = malloc(sizeof(double) * (size_t)(m * n));
    if (!a || !b || !c) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    uint64_t x = 88172645463325252ull;
    for (int64_t i = 0; i < m * k; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, a[i] = (double)(x % 2001) / 1000 - 1;
    for (int64_t i = 0; i < k * n; i++) x ^= x << 13, x ^= x >> 7, x ^= x << 17, b[i] = (double)(x % 2001) / 1000 - 1;
    for (int64_t i = 0; i < m * n; i++) c[i] = 12345.0; /* must be overwritten, not added to */
    wl_dgemm(m, n, k, a, ta, b, tb, c);
    int bad = 0;
    for (int64_t i = 0; i < m && !bad; i++)
        for (int64_t j = 0; j < n && !bad; j++) {
            const double want = naive_at(m, n, k, a, ta, b, tb, i, j);
            if (fabs(c[i * n + j] - want) > 1e-12 * (double)k) {
                fprintf(stderr, "FAIL m%lld n%lld k%lld ta%d tb%d: c[%lld,%lld] = %.17g, want %.17g\n", (long long)m,
                        (long long)n, (long long)k, ta, tb, (long long)i, (long long)j, c[i * n + j], want);
                bad = 1;
            }
        }
    free(a), free(b), free(c);
    return bad;
}

int main(void) {
    static const int64_t shapes[][3] = {{1, 1, 1},    {5, 7, 3},      {6, 8, 256},   {7, 9, 257},
                                        {97, 33, 300}, {13, 2100, 19}, {400, 17, 64}, {130, 150, 520}};
    int fails = 0, runs = 0;
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++, runs++) fails += check(shapes[s][0], shapes[s][1], shapes[s][2], ta, tb);
    printf("%d of %d wl_dgemm cases match the triple loop\n", runs - fails, runs);
    return fails ? 1 : 0;
}
