/* The JSON environment record: written (atomically) at the start of a run and rewritten at the
 * end; `info --json` prints the same host/device parts. */
#ifndef BENCH_SIDECAR_H
#define BENCH_SIDECAR_H

#include <stddef.h>

#include "accel/accel.h"
#include "identity.h"
#include "json.h"
#include "metadata.h"
#include "selection.h"
#include "topology.h"

void bench_json_device_info(bench_json *j, const accel_device_info *info, int numa_node);
void bench_json_backends(bench_json *j, const accel_runtime *rt);

typedef struct bench_run_summary {
    int finished;           /* 0 at start */
    char finished_utc[32];
    size_t rows_by_status[5]; /* rows written: ok, failed_verification, error, unsupported, skipped */
    size_t rows_resumed;
    size_t rows_lost;       /* measured but not written (full disk, size limit, CSV gone) */
    int interrupted;
    int stopped;            /* the CSV was deleted, replaced or truncated: the run stopped */
    char problem[640];      /* why rows were lost or the run stopped; "" when nothing went wrong */
    int exit_status;
} bench_run_summary;

extern const char *const bench_statuses[5];

typedef struct bench_sidecar {
    const char *path;
    const char *csv_path;
    const bench_metadata *meta;
    const bench_topology *topo;
    accel_runtime *rt;        /* devices not in the plan are opened to describe them */
    const bench_plan *plan;
    const bench_run_args *args;
    int argc;
    char *const *argv;
    const bench_run_summary *summary;
    const bench_identity *identity; /* the "instance" object; NULL: none */
} bench_sidecar;

/* Returns 0, or -1 with errno set. */
int bench_sidecar_write(const bench_sidecar *s);

#endif
