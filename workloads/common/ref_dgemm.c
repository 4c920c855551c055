/* The fp64 GEMM behind every layer reference. A training step's reference is three times its
 * forward in fp64 (a BERT-base batch of 8: 44 GFLOP; the ResNet block at batch 32: 40 GFLOP), so
 * a naive triple loop would make verification outlast the measurement by a minute. This one packs
 * panels of A and B into register-tile order (the classic GotoBLAS blocking), runs a fixed-size
 * tile kernel the compiler vectorises for the widest ISA the CPU has (chosen at run time), and
 * splits the output across the online cores. Exactness is not at stake: every order of fp64 sums
 * is ~1e-16 off, far below the thresholds it is compared at. */
#include "wl_common.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MR 6   /* tile rows: with NR, 6 vector accumulators on AVX-512, 12 on AVX2 */
#define NR 8   /* tile columns */
#define KC 256 /* depth of a packed panel: an MR x KC strip of A stays in L1 */
#define MC 96  /* rows of A packed at once (L2) */
#define NC 2048

typedef struct dgemm_job {
    int64_t m, n, k;
    const double *a, *b;
    int trans_a, trans_b;
    double *c;
    int64_t ldc;
    int64_t row0, rows, col0, cols; /* the part of C this job writes */
} dgemm_job;

static inline double a_at(const dgemm_job *j, int64_t i, int64_t p) {
    return j->trans_a ? j->a[p * j->m + i] : j->a[i * j->k + p];
}
static inline double b_at(const dgemm_job *j, int64_t p, int64_t c) {
    return j->trans_b ? j->b[c * j->k + p] : j->b[p * j->n + c];
}

/* A rows [i0, i0 + mc) x depth [p0, p0 + kc) as MR-row strips, p-major inside a strip, zero-padded. */
static void pack_a(const dgemm_job *j, int64_t i0, int64_t mc, int64_t p0, int64_t kc, double *dst) {
    for (int64_t s = 0; s < mc; s += MR)
        for (int64_t p = 0; p < kc; p++)
            for (int64_t r = 0; r < MR; r++)
                *dst++ = s + r < mc ? a_at(j, i0 + s + r, p0 + p) : 0.0;
}

static void pack_b(const dgemm_job *j, int64_t p0, int64_t kc, int64_t c0, int64_t nc, double *dst) {
    for (int64_t s = 0; s < nc; s += NR)
        for (int64_t p = 0; p < kc; p++)
            for (int64_t q = 0; q < NR; q++)
                *dst++ = s + q < nc ? b_at(j, p0 + p, c0 + s + q) : 0.0;
}

/* One MR x NR tile over kc, the accumulators held as NR-wide vectors (GNU vector extensions; the
 * compiler splits them into whatever registers the clone's ISA has): left to itself, the
 * auto-vectoriser shuffles this loop nest into something four times slower. */
#if defined(__GNUC__)
typedef double wl_vnr __attribute__((vector_size(NR * sizeof(double))));
static inline void tile(int64_t kc, const double *restrict ap, const double *restrict bp, double *restrict out) {
    wl_vnr acc[MR];
    memset(acc, 0, sizeof acc);
    for (int64_t p = 0; p < kc; p++) {
        wl_vnr bv;
        memcpy(&bv, bp + p * NR, sizeof bv);
        for (int r = 0; r < MR; r++) acc[r] += ap[p * MR + r] * bv;
    }
    memcpy(out, acc, sizeof acc);
}
#else
static inline void tile(int64_t kc, const double *restrict ap, const double *restrict bp, double *restrict out) {
    double acc[MR][NR];
    memset(acc, 0, sizeof acc);
    for (int64_t p = 0; p < kc; p++)
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < NR; q++) acc[r][q] += ap[p * MR + r] * bp[p * NR + q];
    memcpy(out, acc, sizeof acc);
}
#endif

#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define WL_ISA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WL_ISA_CLONES
#endif

WL_ISA_CLONES
static void run_block(const dgemm_job *j, int64_t i0, int64_t mc, int64_t c0, int64_t nc, int64_t kc,
                      const double *pa, const double *pb) {
    double t[MR * NR];
    for (int64_t js = 0; js < nc; js += NR)
        for (int64_t is = 0; is < mc; is += MR) {
            tile(kc, pa + is * kc, pb + js * kc, t);
            const int64_t rmax = mc - is < MR ? mc - is : MR, qmax = nc - js < NR ? nc - js : NR;
            for (int64_t r = 0; r < rmax; r++) {
                double *crow = j->c + (i0 + is + r) * j->ldc + c0 + js;
                for (int64_t q = 0; q < qmax; q++) crow[q] += t[r * NR + q];
            }
        }
}

static void *run_job(void *arg) {
    const dgemm_job *j = arg;
    double *pa = malloc(sizeof(double) * (size_t)(((MC + MR - 1) / MR) * MR * KC));
    double *pb = malloc(sizeof(double) * (size_t)(((NC + NR - 1) / NR) * NR * KC));
    if (!pa || !pb) { /* no room for panels: the plain loop, slowly but right */
        for (int64_t i = j->row0; i < j->row0 + j->rows; i++)
            for (int64_t p = 0; p < j->k; p++) {
                const double av = a_at(j, i, p);
                for (int64_t c = j->col0; c < j->col0 + j->cols; c++) j->c[i * j->ldc + c] += av * b_at(j, p, c);
            }
        free(pa), free(pb);
        return NULL;
    }
    for (int64_t c0 = j->col0; c0 < j->col0 + j->cols; c0 += NC) {
        const int64_t nc = j->col0 + j->cols - c0 < NC ? j->col0 + j->cols - c0 : NC;
        for (int64_t p0 = 0; p0 < j->k; p0 += KC) {
            const int64_t kc = j->k - p0 < KC ? j->k - p0 : KC;
            pack_b(j, p0, kc, c0, nc, pb);
            for (int64_t i0 = j->row0; i0 < j->row0 + j->rows; i0 += MC) {
                const int64_t mc = j->row0 + j->rows - i0 < MC ? j->row0 + j->rows - i0 : MC;
                pack_a(j, i0, mc, p0, kc, pa);
                run_block(j, i0, mc, c0, nc, kc, pa, pb);
            }
        }
    }
    free(pa), free(pb);
    return NULL;
}

void wl_dgemm(int64_t m, int64_t n, int64_t k, const double *a, int trans_a, const double *b, int trans_b, double *c) {
    /* c (m x n) = op(a) op(b); a is m x k (k x m if trans_a), b is k x n (n x k if trans_b). */
    memset(c, 0, (size_t)(m * n) * sizeof *c);
    if (m <= 0 || n <= 0 || k <= 0) return;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int nt = cores < 1 ? 1 : cores > 16 ? 16 : (int)cores;
    if ((double)m * (double)n * (double)k < 4e6) nt = 1; /* a thread costs more than it saves */
    const int split_rows = m >= n;
    const int64_t extent = split_rows ? m : n, unit = split_rows ? MR : NR;
    const int64_t units = (extent + unit - 1) / unit;
    if (nt > units) nt = (int)units;
    dgemm_job jobs[16];
    pthread_t tid[16];
    int started[16] = {0};
    for (int t = 0; t < nt; t++) {
        const int64_t u0 = units * t / nt, u1 = units * (t + 1) / nt;
        const int64_t lo = u0 * unit, hi = u1 * unit < extent ? u1 * unit : extent;
        jobs[t] = (dgemm_job){m, n, k, a, b, trans_a, trans_b, c, n, 0, m, 0, n};
        if (split_rows) jobs[t].row0 = lo, jobs[t].rows = hi - lo;
        else jobs[t].col0 = lo, jobs[t].cols = hi - lo;
        if (t > 0) started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    }
    run_job(&jobs[0]);
    for (int t = 1; t < nt; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else run_job(&jobs[t]); /* no thread to be had: this one does it */
    }
}
