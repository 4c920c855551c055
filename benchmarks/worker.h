/* Per-device worker processes. The parent (bench_worker_run_device) fork+execs
 * /proc/self/exe __worker with the device's rows, reads one message per line from a pipe, and
 * keeps a watchdog: a crash, a hang past the per-row timeout, or a sticky device error costs the
 * current row only, and a fresh worker takes the remaining rows. The child side is
 * bench_worker_main. */
#ifndef BENCH_WORKER_H
#define BENCH_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "columns.h"
#include "selection.h"

/* Exit status a worker uses to ask for a fresh process after a sticky device error. */
#define BENCH_WORKER_EXIT_RESTART 3
/* Exit status of a worker stopped by SIGINT/SIGTERM. */
#define BENCH_WORKER_EXIT_INTERRUPTED 130

typedef struct bench_worker_settings {
    int64_t warmup_ms;       /* resolved for this device */
    int64_t min_time_ms;
    int64_t max_samples;
    int64_t timeout_s;       /* per row */
    uint64_t seed;
    int cold;
    const char *plugin_path; /* the device's backend plugin (the worker loads only it); NULL = all */
} bench_worker_settings;

/* Called by the parent for each finished row (the worker's fields; the parent adds the rest).
 * roof / bandwidth come from the workload's setup info. Returns non-zero to stop the run (the
 * results file is gone): the worker is killed and no further row is reported. */
typedef int (*bench_row_sink)(void *ctx, size_t item, bench_row *row, const char *roof, int bandwidth);
/* Called when a row starts (for progress). */
typedef void (*bench_row_start)(void *ctx, size_t item);

/* Runs items[0..n) (indices into plan->items, all on one device) and reports each through sink,
 * including rows lost to a crash or timeout (status error). Returns 0, 130 when interrupted, or 1
 * when the sink asked to stop. */
int bench_worker_run_device(const bench_plan *plan, const size_t *items, size_t n,
                            const bench_worker_settings *s, bench_row_start on_start,
                            bench_row_sink sink, void *ctx);

/* `accelbench __worker ...` (hidden). */
int bench_worker_main(int argc, char **argv);

#endif
