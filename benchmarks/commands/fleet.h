/* Fleet mode (docs/cli.md, "Fleet mode"): devices of one model (same backend and device name) are
 * peers. Their workers run at the same time (bench_fleet_run_jobs) so that power and thermal
 * limits under full load show, and every row of a compared workload (peak, stream, gemm,
 * transfer) is held until the same row of every peer has come, so that a device more than
 * BENCH_FLEET_THRESHOLD below the median of its peers gets a note in the row and a line in the
 * summary. */
#ifndef BENCH_FLEET_H
#define BENCH_FLEET_H

#include <stddef.h>

#include "columns.h"
#include "selection.h"
#include "util.h"
#include "worker_supervisor.h"

#define BENCH_FLEET_THRESHOLD 0.10

typedef struct bench_fleet {
    const bench_plan *plan;
    size_t *model;        /* per device: the first device of its model */
    size_t *peers;        /* per device: other devices of its model in the plan */
    bench_row **held;     /* per item: a row waiting for its peers' rows */
    unsigned char *arrived;
    bench_strlist flags;  /* "null:1: fleet: 50% below ..." for the summary */
} bench_fleet;

/* Writes a row (the callee does not keep it). */
typedef void (*bench_fleet_emit)(void *ctx, size_t item, bench_row *row);

void bench_fleet_init(bench_fleet *f, const bench_plan *plan);
/* Whether device d has peers (its model appears more than once). */
int bench_fleet_has_peers(const bench_fleet *f, size_t device);
/* The finished row of item: a row compared with peers is held (moved out of *row) until all of
 * its peers' rows have come; then each gets its note and all go to emit in plan order. Any other
 * row goes to emit at once (still the caller's). row NULL: item's row was written without a
 * comparison (left out by --budget), but counts as come. */
void bench_fleet_offer(bench_fleet *f, size_t item, bench_row *row, bench_fleet_emit emit, void *ctx);
/* Emits every row still held (a peer's row will not come: interrupted, resumed, stopped). */
void bench_fleet_flush(bench_fleet *f, bench_fleet_emit emit, void *ctx);
void bench_fleet_free(bench_fleet *f);

/* One device's rows for bench_fleet_run_jobs. */
typedef struct bench_device_job {
    bench_worker_row *rows;
    size_t n;
    bench_worker_settings s;
    int rc;               /* bench_worker_run_rows' result */
} bench_device_job;

/* Runs every job's worker at the same time, one thread each; the hooks are called one at a time
 * (never concurrently). Returns 130 when interrupted, 1 when a sink asked to stop, else 0. */
int bench_fleet_run_jobs(bench_device_job *jobs, size_t n, const bench_worker_hooks *hooks);

#endif
