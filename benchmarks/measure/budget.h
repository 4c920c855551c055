/* --budget: which rows fit a wall-time budget (docs/cli.md, "Time budget").
 *
 * Each row gets a cost estimate from its size and the device's roof plus the sampling policy
 * (bench_budget_row_cost). The plan takes rows in priority order while they fit the time left:
 * first one row of every (device, workload) group that has no result yet, then the rest in the
 * standard order. After every row the runner records the time it really took and plans again
 * with the wall time really left: estimates are scaled by what the same device and op library
 * took so far (measured / estimated; else the same device, else every device), and a row like one that was already unsupported (same
 * device, workload, library, dtype) is expected to cost what unsupported rows cost. Rows can thus
 * drop out of the plan when the run falls behind and come back when it gets ahead. Pure: no HAL,
 * no clock; the tests drive it with made-up costs. */
#ifndef BENCH_BUDGET_H
#define BENCH_BUDGET_H

#include <stddef.h>

/* The model's inputs for one row. Sizes of 0 are unknown (the row then costs what the sampling
 * policy takes for a short run). */
typedef struct bench_row_cost_inputs {
    double flop, bytes;         /* per run of the workload */
    double peak_flops;          /* the device's roof for the row, FLOP/s; 0 unknown */
    double peak_bytes_per_s;    /* 0 unknown */
    double warmup_ms, min_time_ms;
    size_t max_samples;
    double overhead_s;          /* worker side setup + verification + teardown of a row */
    double compile_s;           /* kernel compile / plan time on first use (PoCL), else 0 */
} bench_row_cost_inputs;

/* Fraction of the roof a row is assumed to reach before anything was measured. */
#define BENCH_BUDGET_FLOP_EFFICIENCY 0.25
#define BENCH_BUDGET_BYTES_EFFICIENCY 0.5
/* Cost assumed for a row like one that was already unsupported, before one was timed. */
#define BENCH_BUDGET_UNSUPPORTED_S 0.2

/* Seconds one row is expected to take under the sampling policy of measure.c. */
double bench_budget_row_cost(const bench_row_cost_inputs *in);

/* CLOSED: never run, and no longer planned (its device's worker has finished). */
enum { BENCH_BUDGET_PENDING = 0, BENCH_BUDGET_DONE = 1, BENCH_BUDGET_CLOSED = 2 };

typedef struct bench_budget_row {
    /* Set by the caller. Keys are small integers below the row count (e.g. the index of the
     * first row with the same key). */
    size_t group;        /* (device, workload): the first pass gives each group one row */
    size_t device;       /* learned ratio fallback */
    size_t cost_key;     /* (device, op library): learned measured/estimated ratio */
    size_t like_key;     /* (device, workload, library, dtype): an unsupported one predicts more */
    double model_s;      /* bench_budget_row_cost */
    /* Kept by the budget. */
    int state;
    int measured;        /* done with a result (anything but unsupported) */
    int keep;            /* in the current plan */
    double dropped_estimate_s, dropped_left_s; /* the last plan that left the row out */
} bench_budget_row;

typedef struct bench_budget {
    double budget_s;
    double reserve_s;    /* kept free for the end of the run (summary, sidecar) */
    bench_budget_row *rows;
    size_t n;
    double *est_by_cost, *meas_by_cost;   /* per cost_key */
    double *est_by_device, *meas_by_device;
    double est_all, meas_all;             /* every device: the fallback for one not reached yet */
    int *unsupported_like;                /* per like_key */
    double unsupported_s_sum;
    size_t unsupported_count;
} bench_budget;

/* rows[0..n) with the caller's fields set; the budget takes ownership of nothing (rows stay the
 * caller's). Returns 0, -1 out of memory. */
int bench_budget_init(bench_budget *b, double budget_s, bench_budget_row *rows, size_t n);
void bench_budget_free(bench_budget *b);

/* The current estimate for row i, learning applied. */
double bench_budget_estimate(const bench_budget *b, size_t i);
/* Marks row i done after elapsed_s; unsupported rows teach the like_key, the others the ratios. */
void bench_budget_record(bench_budget *b, size_t i, double elapsed_s, int unsupported);
/* Plans the pending rows against left_s seconds of wall time: sets keep, and for the rows left
 * out their estimate and the time that was left. Returns the number of pending rows kept and
 * their estimated seconds in *planned_s (may be NULL). */
size_t bench_budget_plan(bench_budget *b, double left_s, double *planned_s);

#endif
