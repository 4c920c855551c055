/* The parent's side of the per-device worker processes. bench_worker_run_device fork+execs
 * /proc/self/exe __worker with the device's rows, reads one message per line from a pipe, and
 * keeps a watchdog: a crash, a hang past the per-row timeout, or a sticky device error costs the
 * current row only, and a fresh worker takes the remaining rows. The child's side is
 * commands/worker_child.c (bench_worker_child_main). */
#ifndef BENCH_WORKER_SUPERVISOR_H
#define BENCH_WORKER_SUPERVISOR_H

#include <stddef.h>
#include <stdint.h>

#include "columns.h"

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
    int profile_steps;       /* run --verbose: each layer row's steps timed after its sampling */
    const char *plugin_path; /* the device's backend plugin (the worker loads only it); NULL = all */
    /* bench_monotonic_ms() at which the whole run must end (--budget), 0 = none: the worker is
     * then killed, the row in flight is reported as skipped with stop_note, and no further row
     * of the device runs. */
    double stop_at_ms;
    const char *stop_note;
    /* The parent's alone (the worker gets them as its arguments and environment): */
    const char *device_id;   /* "cpu:0" */
    /* transfer p2p-* rows: the pair's second device and its plugin (NULL = none) */
    const char *peer_device_id;
    const char *peer_plugin_path;
    int pin_threads;         /* a CPU device: OMP_PROC_BIND=close, OMP_PLACES=cores unless set */
} bench_worker_settings;

/* One row as the worker is told it: by name, with the caller's index of the row, which comes back
 * to on_start and the sink. */
typedef struct bench_worker_row {
    size_t item;
    const char *workload, *config, *dtype, *library; /* library "" = the workload's default path */
} bench_worker_row;

/* Called by the parent for each finished row (the worker's fields; the parent adds the rest).
 * roof / bandwidth come from the workload's setup info. Returns non-zero to stop the run (the
 * results file is gone): the worker is killed and no further row is reported. */
typedef int (*bench_row_sink)(void *ctx, size_t item, bench_row *row, const char *roof, int bandwidth);
/* Called when a row starts (for progress). */
typedef void (*bench_row_start)(void *ctx, size_t item);
/* A sink's answer that asks for a fresh worker with the rows `wanted` now allows (a --budget plan
 * changed): the worker is stopped after the row just reported. */
#define BENCH_SINK_REPLAN 2
/* Called while a row runs (the worker sends it at most a few times a second): sampling 0 = still
 * warming up; samples so far; ms since the measurement of the row began. */
typedef void (*bench_row_progress)(void *ctx, size_t item, int sampling, size_t samples,
                                   double elapsed_ms);

/* Called once a row's setup planned its ops, with the workload's steps text (awl_setup_info.steps:
 * one line per planned op, its library and algorithm); only for workloads that have steps. */
typedef void (*bench_row_steps)(void *ctx, size_t item, const char *steps);
/* Called after a layer row's sampling when settings.profile_steps asked for it: each step's median
 * time over `runs` profiled runs, one line per step, "<ms>\t<label>" (the label: "1 qkv: gemm
 * onednn"), and the row's own median time for the whole layer. */
typedef void (*bench_row_step_times)(void *ctx, size_t item, int runs, double row_median_ms, const char *times);

typedef struct bench_worker_hooks {
    bench_row_start on_start;
    bench_row_sink sink;            /* may answer BENCH_SINK_REPLAN */
    bench_row_progress on_progress; /* NULL: none */
    /* NULL: every row. Otherwise a row is given to a worker only while wanted() says 1; rows not
     * wanted are neither run nor reported (the caller accounts for them). */
    int (*wanted)(void *ctx, size_t item);
    void *ctx;
    bench_row_steps on_steps; /* NULL: none */
    bench_row_step_times on_step_times; /* NULL: none */
} bench_worker_hooks;

/* Runs rows[0..n) (all on the device s->device_id) and reports each through sink, including rows
 * lost to a crash or timeout (status error). Returns 0, 130 when interrupted, or 1 when the sink
 * asked to stop. */
int bench_worker_run_device(const bench_worker_row *rows, size_t n, const bench_worker_settings *s,
                            bench_row_start on_start, bench_row_sink sink, void *ctx);
/* The same with progress and a row filter. */
int bench_worker_run_rows(const bench_worker_row *rows, size_t n, const bench_worker_settings *s,
                          const bench_worker_hooks *hooks);

#endif
