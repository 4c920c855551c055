#define _POSIX_C_SOURCE 200809L
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static double now_ms(const bench_measure_params *p)
{
    return p->clock ? p->clock(p->clock_ctx) : bench_monotonic_ms();
}

void bench_measure_defaults(bench_measure_params *p, double warmup_ms, double min_time_ms,
                            size_t max_samples, double timer_resolution_ns)
{
    memset(p, 0, sizeof *p);
    p->warmup_ms = warmup_ms;
    p->min_warmup_runs = 2;
    double res_ms = timer_resolution_ns > 0 ? timer_resolution_ns * 1e-6 : 0;
    p->min_sample_ms = fmax(1.0, 1000.0 * res_ms);
    p->max_samples = max_samples;
    p->min_samples = max_samples < 10 ? max_samples : 10;
    p->min_time_ms = min_time_ms;
    p->target_rel_ci = 0.01;
    /* Noisy rows stop here rather than at max_samples: ten times the minimum, at least 2 s. */
    p->time_cap_ms = fmax(10.0 * min_time_ms, 2000.0);
}

static int should_stop(const bench_measure_params *p, bench_measure_result *r, double elapsed)
{
    if (r->samples >= p->max_samples) {
        r->stop_reason = "max-samples";
        return 1;
    }
    if (r->samples < p->min_samples || elapsed < p->min_time_ms)
        return 0;
    bench_stats s;
    bench_stats_compute(r->per_run_ms, r->samples, &s);
    if (s.ci_valid && s.ci_rel_halfwidth <= p->target_rel_ci) {
        r->stop_reason = "converged";
        return 1;
    }
    if (elapsed >= p->time_cap_ms) {
        r->stop_reason = "time-cap";
        return 1;
    }
    return 0;
}

int bench_measure(const bench_measure_params *p, bench_batch_fn fn, void *ctx,
                  bench_measure_result *r)
{
    memset(r, 0, sizeof *r);
    r->per_run_ms = malloc((p->max_samples ? p->max_samples : 1) * sizeof *r->per_run_ms);
    if (!r->per_run_ms)
        abort();

    /* Warm-up: runs one at a time; the last one estimates the batch size. */
    double start = now_ms(p);
    double last_ms = 0;
    for (;;) {
        if (p->stop && *p->stop) {
            r->interrupted = 1;
            r->stop_reason = "interrupted";
            return 0;
        }
        int rc = fn(ctx, 1, &last_ms);
        if (rc) {
            r->error = rc;
            r->stop_reason = "error";
            return rc;
        }
        r->warmup_runs++;
        r->warmup_elapsed_ms = now_ms(p) - start;
        if (p->on_progress)
            p->on_progress(p->progress_ctx, 0, 0, r->warmup_elapsed_ms);
        if (r->warmup_runs >= p->min_warmup_runs && r->warmup_elapsed_ms >= p->warmup_ms)
            break;
    }
    /* Samples long enough for the timer, and long enough that max_samples of them can fill
     * min_time twice over (so max_samples never cuts sampling short of min_time). */
    double target_ms = p->min_sample_ms;
    if (p->max_samples)
        target_ms = fmax(target_ms, 2.0 * p->min_time_ms / (double)p->max_samples);
    uint64_t batch = 1;
    if (last_ms < target_ms)
        batch = last_ms > 0 ? (uint64_t)ceil(target_ms / last_ms) : 16;

    if (p->on_sampling_start)
        p->on_sampling_start(p->on_sampling_ctx);
    double sampling_start = now_ms(p);
    for (;;) {
        double ms = 0;
        int rc = fn(ctx, batch, &ms);
        if (rc) {
            r->error = rc;
            r->stop_reason = "error";
            break;
        }
        if (ms < p->min_sample_ms / 2 && batch < (1ull << 30)) {
            /* The warm-up estimate was too long (timer granularity, clocks rising): grow the
             * batch and drop this sample rather than record one the timer cannot resolve. */
            double factor = ms > 0 ? ceil(p->min_sample_ms / ms) : 16;
            batch *= (uint64_t)fmax(2.0, factor);
            sampling_start = now_ms(p);
        } else {
            r->per_run_ms[r->samples++] = ms / (double)batch;
            r->timed_runs += batch;
        }
        r->sampling_elapsed_ms = now_ms(p) - sampling_start;
        if (p->on_progress)
            p->on_progress(p->progress_ctx, 1, r->samples, now_ms(p) - start);
        if (p->stop && *p->stop) {
            r->interrupted = 1;
            r->stop_reason = "interrupted";
            break;
        }
        if (should_stop(p, r, r->sampling_elapsed_ms))
            break;
    }
    r->batch = batch;
    if (r->samples)
        bench_stats_compute(r->per_run_ms, r->samples, &r->stats);
    return r->error;
}

void bench_measure_result_free(bench_measure_result *r)
{
    free(r->per_run_ms);
    r->per_run_ms = NULL;
}
