/* The files of a run: choosing and checking the CSV and sidecar paths before any work, then
 * creating or opening the CSV under its lock, reading what it already holds, and writing the
 * header. Every refusal is a one-line message; exit status 2 means nothing was written. */
#ifndef BENCH_RUN_OUTPUT_H
#define BENCH_RUN_OUTPUT_H

#include <stddef.h>

#include "args.h"
#include "metadata.h"
#include "results_file.h"
#include "resume.h"

typedef struct bench_run_output {
    char *csv_path;              /* final (a default name is unique among concurrent runs) */
    char *json_path;
    int default_name;            /* results/<host>-<stamp>[-quick][-N].csv */
    bench_results_file csv;      /* open and locked after bench_run_output_open */
    bench_existing_csv existing; /* what the CSV held, read under the lock */
} bench_run_output;

/* Before any work: the paths given (or the default one) are usable, and an existing CSV has our
 * header and whole rows. Returns 0, or 2 with a message. Creates nothing. */
int bench_run_output_check(const bench_run_args *a, const bench_metadata *meta,
                           const bench_row_owner *owner, bench_run_output *o, char *err, size_t n);

/* Creates or opens the CSV and locks it (another run holding it: exit status 2, naming its pid),
 * reads it again under the lock, and writes the header into an empty file. Returns 0, or the exit
 * status (1 or 2) with a message; on failure a CSV this call created is removed. */
int bench_run_output_open(const bench_run_args *a, const bench_metadata *meta,
                          const bench_row_owner *owner, bench_run_output *o, char *err, size_t n);

/* Closes the CSV (releasing the lock); discard removes a CSV this run created. */
void bench_run_output_close(bench_run_output *o, int discard);
void bench_run_output_free(bench_run_output *o);

#endif
