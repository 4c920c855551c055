#include "budget.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double bench_budget_row_cost(const bench_row_cost_inputs *in)
{
    double run_s = 0;
    if (in->flop > 0 && in->peak_flops > 0)
        run_s = in->flop / (in->peak_flops * BENCH_BUDGET_FLOP_EFFICIENCY);
    if (in->bytes > 0 && in->peak_bytes_per_s > 0)
        run_s = fmax(run_s, in->bytes / (in->peak_bytes_per_s * BENCH_BUDGET_BYTES_EFFICIENCY));
    /* measure.c: at least two warm-up runs and warmup_ms; samples of at least 1 ms and of
     * 2 * min_time / max_samples (a batch of runs), at least min(10, max_samples) of them and
     * min_time_ms of sampling, stopped at convergence or at the time cap. */
    double warmup_s = fmax(in->warmup_ms / 1000.0, 2.0 * run_s);
    size_t max_samples = in->max_samples ? in->max_samples : 1;
    double min_time_s = in->min_time_ms / 1000.0;
    double sample_s = fmax(fmax(0.001, 2.0 * min_time_s / (double)max_samples), run_s);
    double min_samples = (double)(max_samples < 10 ? max_samples : 10);
    double cap_s = fmax(10.0 * min_time_s, 2.0);
    double lower_s = fmax(min_time_s, min_samples * sample_s);
    double sampling_s;
    if (min_samples * sample_s >= cap_s)
        sampling_s = min_samples * sample_s; /* the cap stops it right after the minimum */
    else
        sampling_s = fmin(fmin(1.5 * lower_s, cap_s), (double)max_samples * sample_s);
    /* Verification runs the workload once more (the reference's cost is in overhead_s). */
    return in->overhead_s + in->compile_s + warmup_s + sampling_s + run_s;
}

int bench_budget_init(bench_budget *b, double budget_s, bench_budget_row *rows, size_t n)
{
    memset(b, 0, sizeof *b);
    b->budget_s = budget_s;
    /* The end of a run (summary, sidecar) and the slack a last row overruns by. */
    b->reserve_s = fmin(0.05 * budget_s, 15.0);
    b->rows = rows;
    b->n = n;
    size_t k = n ? n : 1;
    b->est_by_cost = calloc(k, sizeof(double));
    b->meas_by_cost = calloc(k, sizeof(double));
    b->est_by_device = calloc(k, sizeof(double));
    b->meas_by_device = calloc(k, sizeof(double));
    b->unsupported_like = calloc(k, sizeof(int));
    if (!b->est_by_cost || !b->meas_by_cost || !b->est_by_device || !b->meas_by_device ||
        !b->unsupported_like) {
        bench_budget_free(b);
        return -1;
    }
    return 0;
}

void bench_budget_free(bench_budget *b)
{
    free(b->est_by_cost);
    free(b->meas_by_cost);
    free(b->est_by_device);
    free(b->meas_by_device);
    free(b->unsupported_like);
    memset(b, 0, sizeof *b);
}

static double ratio(double measured, double estimated)
{
    return fmin(fmax(measured / estimated, 0.1), 10.0);
}

double bench_budget_estimate(const bench_budget *b, size_t i)
{
    const bench_budget_row *r = &b->rows[i];
    if (b->unsupported_like[r->like_key])
        return b->unsupported_count ? b->unsupported_s_sum / (double)b->unsupported_count
                                    : BENCH_BUDGET_UNSUPPORTED_S;
    if (b->est_by_cost[r->cost_key] > 0)
        return r->model_s * ratio(b->meas_by_cost[r->cost_key], b->est_by_cost[r->cost_key]);
    if (b->est_by_device[r->device] > 0)
        return r->model_s * ratio(b->meas_by_device[r->device], b->est_by_device[r->device]);
    /* A device not reached yet: the machine as a whole (its load) so far. */
    if (b->est_all > 0)
        return r->model_s * ratio(b->meas_all, b->est_all);
    return r->model_s;
}

void bench_budget_record(bench_budget *b, size_t i, double elapsed_s, int unsupported)
{
    bench_budget_row *r = &b->rows[i];
    if (r->state == BENCH_BUDGET_DONE)
        return;
    r->state = BENCH_BUDGET_DONE;
    r->keep = 0;
    if (elapsed_s < 0)
        elapsed_s = 0;
    if (unsupported) {
        b->unsupported_like[r->like_key] = 1;
        b->unsupported_s_sum += elapsed_s;
        b->unsupported_count++;
        return;
    }
    r->measured = 1;
    b->est_by_cost[r->cost_key] += r->model_s;
    b->meas_by_cost[r->cost_key] += elapsed_s;
    b->est_by_device[r->device] += r->model_s;
    b->meas_by_device[r->device] += elapsed_s;
    b->est_all += r->model_s;
    b->meas_all += elapsed_s;
}

size_t bench_budget_plan(bench_budget *b, double left_s, double *planned_s)
{
    double room = left_s - b->reserve_s;
    double used = 0;
    size_t kept = 0;
    /* Groups that already have a result, or got a row in the first pass. */
    char *served = calloc(b->n ? b->n : 1, 1);
    if (!served)
        abort();
    for (size_t i = 0; i < b->n; i++) {
        b->rows[i].keep = 0;
        if (b->rows[i].measured)
            served[b->rows[i].group] = 1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < b->n; i++) {
            bench_budget_row *r = &b->rows[i];
            if (r->state != BENCH_BUDGET_PENDING || r->keep || (pass == 0 && served[r->group]))
                continue;
            double est = bench_budget_estimate(b, i);
            if (used + est <= room) {
                r->keep = 1;
                used += est;
                kept++;
                served[r->group] = 1;
            } else {
                r->dropped_estimate_s = est;
                r->dropped_left_s = room - used > 0 ? room - used : 0;
            }
        }
    }
    free(served);
    if (planned_s)
        *planned_s = used;
    return kept;
}
