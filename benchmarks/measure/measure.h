/* Warm-up and adaptive sampling (docs/cli.md, measurement), independent of the HAL: the caller
 * supplies "run a batch of N runs and return its device-timed duration", so the loop is
 * unit-testable with a fake device. */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/* Runs `batch` runs back to back, bracketed by the device timer; *out_ms is the whole batch.
 * Returns 0, or a nonzero status (the caller's code) that aborts the measurement. */
typedef int (*bench_batch_fn)(void *ctx, uint64_t batch, double *out_ms);
/* Monotonic wall clock in ms (tests pass a fake one). */
typedef double (*bench_clock_fn)(void *ctx);

typedef struct bench_measure_params {
    double warmup_ms;        /* untimed warm-up: at least min_warmup_runs and this long */
    unsigned min_warmup_runs;
    double min_sample_ms;    /* a sample lasts at least this (>= 1 ms and 1000x timer resolution)
                                and at least 2 * min_time_ms / max_samples */
    size_t min_samples;      /* at least this many samples ... */
    double min_time_ms;      /* ... and this much sampling time */
    size_t max_samples;
    double target_rel_ci;    /* stop when the median's relative 95% CI half-width <= this */
    double time_cap_ms;      /* stop (after min_samples) when sampling took this long */
    volatile sig_atomic_t *stop; /* nonzero: stop after the current sample (SIGINT) */
    bench_clock_fn clock;    /* NULL: CLOCK_MONOTONIC */
    void *clock_ctx;
    /* Called after every warm-up run and every sample (NULL: none), so a long row can show that
     * it is alive; the callee rate-limits. sampling: 0 during warm-up; samples so far; ms since
     * the measurement began. */
    void (*on_progress)(void *ctx, int sampling, size_t samples, double elapsed_ms);
    void *progress_ctx;
    /* Called once between warm-up and the first sample (NULL: none): the worker reads the energy
     * counter there, so that its window holds the sampling phase only. */
    void (*on_sampling_start)(void *ctx);
    void *on_sampling_ctx;
} bench_measure_params;

typedef struct bench_measure_result {
    double *per_run_ms;      /* one entry per sample: sample time / batch (malloc'd) */
    size_t samples;
    uint64_t batch;
    unsigned warmup_runs;
    double warmup_elapsed_ms;
    double sampling_elapsed_ms; /* wall time of the sampling phase */
    uint64_t timed_runs;
    int interrupted;         /* stopped by *stop */
    int error;               /* the batch function's nonzero status, 0 if none */
    const char *stop_reason; /* "converged", "max-samples", "time-cap", "interrupted", "error" */
    bench_stats stats;       /* valid when samples > 0 */
} bench_measure_result;

/* Fills p with the defaults for the given times and timer resolution. */
void bench_measure_defaults(bench_measure_params *p, double warmup_ms, double min_time_ms,
                            size_t max_samples, double timer_resolution_ns);

/* Returns 0 when samples were taken (result->stats valid), or the batch function's status. */
int bench_measure(const bench_measure_params *p, bench_batch_fn fn, void *ctx,
                  bench_measure_result *result);
void bench_measure_result_free(bench_measure_result *r);

double bench_monotonic_ms(void);

#endif
