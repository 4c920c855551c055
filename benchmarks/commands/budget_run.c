#include "budget_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "measure.h"
#include "row_settings.h"

/* The device's roof for a dtype in FLOP/s (0 unknown): its own datasheet entry, else fp32's. */
static double roof_flops(const accel_device_info *d, awl_dtype dt)
{
    double t = 0;
    switch (dt) {
    case AWL_FP32: t = d->vendor_peak.tflops[ACCEL_COMPUTE_F32]; break;
    case AWL_TF32: t = d->vendor_peak.tflops[ACCEL_COMPUTE_TF32]; break;
    case AWL_FP16: t = d->vendor_peak.tflops[ACCEL_COMPUTE_F16]; break;
    case AWL_BF16: t = d->vendor_peak.tflops[ACCEL_COMPUTE_BF16]; break;
    default: t = ACCEL_DEVICE_INFO_HAS_FP8_PEAK(d) ? d->vendor_peak_fp8_tflops : 0; break;
    }
    if (t <= 0)
        t = d->vendor_peak.tflops[ACCEL_COMPUTE_F32];
    return t * 1e12;
}

static double dtype_bytes(awl_dtype dt)
{
    return dt == AWL_FP32 || dt == AWL_TF32 ? 4 : dt == AWL_FP16 || dt == AWL_BF16 ? 2 : 1;
}

/* Index of the first item with the same key, so keys stay below the row count. */
static size_t first_like(const bench_plan *plan, size_t i, int same_workload, int same_library,
                         int same_dtype)
{
    const bench_item *a = &plan->items[i];
    for (size_t j = 0; j < i; j++) {
        const bench_item *b = &plan->items[j];
        if (b->device == a->device && (!same_workload || b->workload == a->workload) &&
            (!same_library || strcmp(b->library, a->library) == 0) && (!same_dtype || b->dtype == a->dtype))
            return j;
    }
    return i;
}

int bench_run_budget_init(bench_run_budget *rb, const bench_plan *plan, const bench_run_args *a,
                          double start_ms)
{
    memset(rb, 0, sizeof *rb);
    size_t n = plan->item_count;
    rb->plan = plan;
    rb->text = a->budget_text;
    rb->start_ms = start_ms;
    rb->running_device = (size_t)-1;
    rb->rows = calloc(n ? n : 1, sizeof *rb->rows);
    rb->started_ms = calloc(n ? n : 1, sizeof *rb->started_ms);
    if (!rb->rows || !rb->started_ms || bench_budget_init(&rb->b, a->budget_s, rb->rows, n) != 0) {
        bench_run_budget_free(rb);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const bench_item *it = &plan->items[i];
        const bench_device *dev = &plan->devices[it->device];
        bench_worker_settings s;
        bench_row_settings_resolve(a, dev->info.type != ACCEL_DEVICE_CPU, &s);
        const awl_config *c = it->config;
        bench_row_cost_inputs in;
        memset(&in, 0, sizeof in);
        if (c->m > 0 && c->n > 0 && c->k > 0) {
            /* GEMM-shaped rows: their size is known before setup. */
            double batch = c->batch > 0 ? (double)c->batch : 1;
            in.flop = 2.0 * batch * (double)c->m * (double)c->n * (double)c->k;
            in.bytes = batch * dtype_bytes(it->dtype) *
                       ((double)c->m * (double)c->k + (double)c->k * (double)c->n + (double)c->m * (double)c->n);
        }
        in.peak_flops = roof_flops(&dev->info, it->dtype);
        in.peak_bytes_per_s = dev->info.vendor_peak.memory_gbps * 1e9;
        in.warmup_ms = (double)s.warmup_ms;
        in.min_time_ms = (double)s.min_time_ms;
        in.max_samples = (size_t)s.max_samples;
        in.overhead_s = dev->info.type == ACCEL_DEVICE_CPU ? 0.5 : 1.0;
        /* PoCL (and any OpenCL runtime) builds a workload's kernels on its first row. */
        size_t group = first_like(plan, i, 1, 0, 0);
        in.compile_s = strcmp(dev->info.backend, "opencl") == 0 && group == i ? 3.0 : 0.0;
        bench_budget_row *r = &rb->rows[i];
        r->group = group;
        r->device = it->device;
        r->cost_key = first_like(plan, i, 0, 1, 0);
        r->like_key = first_like(plan, i, 1, 1, 1);
        r->model_s = bench_budget_row_cost(&in);
        if (it->already_ok) {
            r->state = BENCH_BUDGET_DONE;
            r->measured = 1;
        }
    }
    bench_budget_plan(&rb->b, a->budget_s - (bench_monotonic_ms() - start_ms) / 1000.0, NULL);
    return 0;
}

void bench_run_budget_free(bench_run_budget *rb)
{
    bench_budget_free(&rb->b);
    free(rb->rows);
    free(rb->started_ms);
    memset(rb, 0, sizeof *rb);
}

void bench_run_budget_describe(const bench_run_budget *rb, char *buf, size_t n)
{
    size_t pending = 0, kept = 0;
    double all_s = 0, kept_s = 0;
    for (size_t i = 0; i < rb->b.n; i++) {
        if (rb->rows[i].state != BENCH_BUDGET_PENDING)
            continue;
        double e = bench_budget_estimate(&rb->b, i);
        pending++;
        all_s += e;
        if (rb->rows[i].keep) {
            kept++;
            kept_s += e;
        }
    }
    char kept_t[32], all_t[32];
    bench_format_duration(kept_s, kept_t, sizeof kept_t);
    bench_format_duration(all_s, all_t, sizeof all_t);
    snprintf(buf, n, "budget %s: %zu of %zu rows fit, estimated %s (all rows: %s); the plan is "
             "revised after every row and rows left out are written as skipped",
             rb->text, kept, pending, kept_t, all_t);
}

size_t bench_run_budget_planned(const bench_run_budget *rb)
{
    size_t n = 0;
    for (size_t i = 0; i < rb->b.n; i++)
        n += (size_t)bench_run_budget_wanted(rb, i);
    return n;
}

double bench_run_budget_stop_at_ms(const bench_run_budget *rb)
{
    /* The reserve is for the end of the run (rows left out, sidecar, summary). */
    return rb->start_ms + (rb->b.budget_s - rb->b.reserve_s) * 1000.0;
}

int bench_run_budget_wanted(const bench_run_budget *rb, size_t item)
{
    return rb->rows[item].state == BENCH_BUDGET_PENDING && rb->rows[item].keep;
}

void bench_run_budget_started(bench_run_budget *rb, size_t item)
{
    rb->started_ms[item] = bench_monotonic_ms();
    rb->running_device = rb->plan->items[item].device;
}

int bench_run_budget_finished(bench_run_budget *rb, size_t item, const char *status)
{
    double now = bench_monotonic_ms();
    double took = rb->started_ms[item] > 0 ? (now - rb->started_ms[item]) / 1000.0 : 0;
    bench_budget_record(&rb->b, item, took, strcmp(status, "unsupported") == 0);
    size_t dev = rb->plan->items[item].device;
    size_t n = rb->b.n;
    unsigned char *held = calloc(n ? n : 1, 1);
    if (!held)
        abort();
    for (size_t i = 0; i < n; i++)
        held[i] = bench_run_budget_wanted(rb, i) && rb->plan->items[i].device == dev;
    bench_budget_plan(&rb->b, rb->b.budget_s - (now - rb->start_ms) / 1000.0, NULL);
    /* Rows that came back into the plan wait for the next worker (one starts whenever a worker
     * ends with rows wanted); only a row the worker would still run must stop it. */
    int dropped = 0;
    for (size_t i = 0; i < n && !dropped; i++)
        dropped = held[i] && !bench_run_budget_wanted(rb, i);
    free(held);
    return dropped;
}

void bench_run_budget_device_done(bench_run_budget *rb, size_t device)
{
    int out_of_time = bench_monotonic_ms() >= bench_run_budget_stop_at_ms(rb);
    for (size_t i = 0; i < rb->b.n; i++)
        if (rb->plan->items[i].device == device && rb->rows[i].state == BENCH_BUDGET_PENDING) {
            if (rb->rows[i].keep && out_of_time)
                rb->rows[i].dropped_estimate_s = 0; /* planned, but the time ran out first */
            rb->rows[i].state = BENCH_BUDGET_CLOSED;
            rb->rows[i].keep = 0;
        }
}

int bench_run_budget_skipped(const bench_run_budget *rb, size_t item, char *note, size_t n)
{
    const bench_budget_row *r = &rb->rows[item];
    if (r->state == BENCH_BUDGET_DONE || rb->plan->items[item].already_ok)
        return 0;
    if (r->dropped_estimate_s <= 0) {
        snprintf(note, n, "--budget %s: the budget ran out before the row", rb->text);
        return 1;
    }
    char est[32], left[32];
    bench_format_duration(r->dropped_estimate_s, est, sizeof est);
    bench_format_duration(r->dropped_left_s, left, sizeof left);
    snprintf(note, n, "--budget %s: estimated %s, %s of the budget left", rb->text, est, left);
    return 1;
}
