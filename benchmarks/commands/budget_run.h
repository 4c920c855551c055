/* --budget in a run: the plan's rows as bench_budget rows (cost model inputs from each row's size
 * and its device's roof), the estimate printed before the run, the re-plan after every row, and
 * the note of each row the budget left out (written as status skipped). */
#ifndef BENCH_BUDGET_RUN_H
#define BENCH_BUDGET_RUN_H

#include <stddef.h>

#include "args.h"
#include "budget.h"
#include "selection.h"

typedef struct bench_run_budget {
    bench_budget b;
    bench_budget_row *rows;   /* one per plan item */
    double *started_ms;       /* per item: when its worker began it */
    const bench_plan *plan;
    const char *text;         /* "8m" as given */
    double start_ms;          /* the budget's clock starts with the command */
    size_t running_device;    /* the device whose worker runs now */
} bench_run_budget;

/* Builds the rows and the first plan; rows --resume skips count as done. Returns 0, -1 out of
 * memory. */
int bench_run_budget_init(bench_run_budget *rb, const bench_plan *plan, const bench_run_args *a,
                          double start_ms);
void bench_run_budget_free(bench_run_budget *rb);
/* "budget 8m: 57 of 311 rows fit (estimated 7 m 20 s; all rows: about 41 m); ..." */
void bench_run_budget_describe(const bench_run_budget *rb, char *buf, size_t n);
/* When the run must end (bench_monotonic_ms): a row still running then is stopped. */
double bench_run_budget_stop_at_ms(const bench_run_budget *rb);
/* Rows in the plan now and not yet run. */
size_t bench_run_budget_planned(const bench_run_budget *rb);
/* Whether plan item `item` is in the plan now (the worker supervisor's row filter). */
int bench_run_budget_wanted(const bench_run_budget *rb, size_t item);
void bench_run_budget_started(bench_run_budget *rb, size_t item);
/* A row finished with status: learns its time, plans again with the wall time left. Returns 1
 * when a row the running device's worker still holds dropped out of the plan (the worker must
 * be replaced), else 0. */
int bench_run_budget_finished(bench_run_budget *rb, size_t item, const char *status);
/* The device's worker finished: its rows still pending are final (left out). */
void bench_run_budget_device_done(bench_run_budget *rb, size_t device);
/* Whether item was left out, and the note that says why. */
int bench_run_budget_skipped(const bench_run_budget *rb, size_t item, char *note, size_t n);

#endif
