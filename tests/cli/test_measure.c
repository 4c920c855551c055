/* The sampling loop against a fake device with a fake clock: warm-up rules, batch sizing,
 * stopping rules, interruption and errors. No real time passes. */
#include "cli_check.h"
#include "measure.h"

typedef struct fake {
    double now_ms;       /* the fake clock */
    double run_ms;       /* time one run takes */
    double jitter;       /* alternating relative noise per batch */
    unsigned calls;
    unsigned fail_at;    /* 0 = never */
    volatile sig_atomic_t *stop;
    unsigned stop_at;
    uint64_t last_batch;
} fake;

static double fake_clock(void *ctx) { return ((fake *)ctx)->now_ms; }

static int fake_batch(void *ctx, uint64_t batch, double *out_ms)
{
    fake *f = ctx;
    f->calls++;
    if (f->fail_at && f->calls == f->fail_at)
        return 7;
    if (f->stop && f->stop_at && f->calls == f->stop_at)
        *f->stop = 1;
    double noise = (f->calls % 2 ? 1.0 : -1.0) * f->jitter;
    *out_ms = f->run_ms * (double)batch * (1.0 + noise);
    f->now_ms += *out_ms + 0.01;
    f->last_batch = batch;
    return 0;
}

static void setup(bench_measure_params *p, fake *f, double run_ms)
{
    memset(f, 0, sizeof *f);
    f->run_ms = run_ms;
    bench_measure_defaults(p, 200, 500, 200, 1.0 /* ns */);
    p->clock = fake_clock;
    p->clock_ctx = f;
}

int main(void)
{
    bench_measure_params p;
    fake f;
    bench_measure_result r;

    /* A steady 0.1 ms run: warm-up lasts >= 200 ms, batches of 50 (5 ms samples, so that 200
     * samples span 2 x 500 ms), converges after >= 10 samples and 500 ms, per run 0.1 ms. */
    setup(&p, &f, 0.1);
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK(r.warmup_runs >= 2 && r.warmup_elapsed_ms >= 200);
    CHECK(r.batch == 50);
    CHECK(r.samples >= 10);
    CHECK(r.sampling_elapsed_ms >= 500);
    CHECK_STR(r.stop_reason, "converged");
    CHECK_NEAR(r.stats.median, 0.1, 1e-12);
    CHECK(r.timed_runs == r.samples * r.batch);
    bench_measure_result_free(&r);

    /* A slow run (300 ms): still two warm-up runs, batch 1, at least 10 samples. */
    setup(&p, &f, 300);
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK(r.warmup_runs == 2);
    CHECK(r.batch == 1);
    CHECK(r.samples == 10);
    bench_measure_result_free(&r);

    /* Noise of +-10% never converges to 1%: stops at the time cap (10 x 500 ms). */
    setup(&p, &f, 1.0);
    bench_measure_defaults(&p, 200, 500, 100000, 1.0);
    p.clock = fake_clock;
    p.clock_ctx = &f;
    f.jitter = 0.10;
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK_STR(r.stop_reason, "time-cap");
    CHECK(r.sampling_elapsed_ms >= 5000);
    CHECK(r.stats.cov > 0.05);
    bench_measure_result_free(&r);

    /* --max-samples 3 wins over the 10-sample minimum. */
    setup(&p, &f, 1.0);
    bench_measure_defaults(&p, 0, 0, 3, 1.0);
    p.clock = fake_clock;
    p.clock_ctx = &f;
    f.jitter = 0.10;
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK(r.samples == 3);
    CHECK_STR(r.stop_reason, "max-samples");
    bench_measure_result_free(&r);

    /* A coarse timer (1 ms resolution) needs samples of >= 1000 ms: batch 10000 of 0.1 ms. */
    setup(&p, &f, 0.1);
    bench_measure_defaults(&p, 0, 0, 10, 1e6);
    p.clock = fake_clock;
    p.clock_ctx = &f;
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK(r.batch == 10000);
    bench_measure_result_free(&r);

    /* SIGINT during sampling: stops after the current sample, with what was measured. */
    volatile sig_atomic_t stop = 0;
    setup(&p, &f, 1.0);
    f.jitter = 0.10;
    p.stop = &stop;
    f.stop = &stop;
    f.stop_at = 300;
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 0);
    CHECK(r.interrupted);
    CHECK(f.calls == 300);
    CHECK(r.samples > 0);
    bench_measure_result_free(&r);

    /* An error from the device aborts with its status. */
    setup(&p, &f, 1.0);
    f.fail_at = 5;
    CHECK(bench_measure(&p, fake_batch, &f, &r) == 7);
    CHECK(r.error == 7);
    CHECK_STR(r.stop_reason, "error");
    bench_measure_result_free(&r);
    CHECK_DONE();
}
